import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../catalog.js';
import { getSourceAdapter, getWebhookAdapter } from '../../registry.js';
import { hookPathOf } from '../../trigger-spec.js';
import { simulateFlow } from '../../../runtime/engine/flows/simulate.js';
import { ManualConfigSchema, manualSource } from './definition.js';
import { manualAlert } from './ingest.js';
import { manualSamples } from './samples.js';
import { issuesOf } from '../../../test/kit/nodes.js';

const now = Date.parse('2026-11-24T09:30:00Z');
const config = (extra: object = {}) => ManualConfigSchema.parse(extra);

describe('source.manual', () => {
  it('needs no config; takes an optional alert name and a payload to start with', () => {
    expect(config()).toEqual({});
    expect(config({ name: 'Restart postgresql', samplePayload: { labels: { instance: 'db1' } } })).toMatchObject({ name: 'Restart postgresql' });
    const bad = ManualConfigSchema.safeParse({ name: '', samplePayload: [1], path: 'x' });
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'name', 'samplePayload']);
    expect(manualSource.summary(config())).toBe('Run now, or POST /api/flows/<id>/run');
    expect(manualSource.summary(config({ name: 'Restart' }))).toBe('Run now, or POST /api/flows/<id>/run · alert “Restart”');
  });

  it('turns the payload into a firing alert: name, severity, summary, labels from the payload', () => {
    const payload = manualSamples[0]!.payload as Record<string, unknown>;
    const alert = manualAlert(config(), payload, { now, flowName: 'Disk full', actor: 'admin', dedupKey: 'manual:1' });
    expect(alert).toEqual({
      source: 'manual',
      status: 'firing',
      name: 'DiskFull',
      severity: 'warning',
      summary: 'Clean up /var on db1 by hand',
      description: '',
      labels: payload.labels,
      annotations: {},
      startsAt: '2026-11-24T09:30:00.000Z',
      endsAt: '',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      dedupKey: 'manual:1',
      links: {},
      raw: payload,
    });
  });

  it('keeps labels named __proto__ or constructor as plain labels', () => {
    const alert = manualAlert(config(), JSON.parse('{"labels": {"__proto__": "p", "constructor": "c"}}'), { now });
    expect(Object.getOwnPropertyDescriptor(alert.labels, '__proto__')?.value).toBe('p');
    expect(alert.labels.constructor).toBe('c');
  });

  it('names the alert after the payload, else the config, else the flow', () => {
    const ctx = { now, flowName: 'Disk full', actor: 'admin' };
    expect(manualAlert(config({ name: 'Cleanup' }), { name: 'FromPayload' }, ctx).name).toBe('FromPayload');
    expect(manualAlert(config({ name: 'Cleanup' }), {}, ctx).name).toBe('Cleanup');
    const plain = manualAlert(config(), {}, ctx);
    expect(plain).toMatchObject({ name: 'Disk full', severity: 'unknown', summary: 'Disk full, run by hand by admin', labels: {} });
    expect(manualAlert(config(), {}, { now }).name).toBe('Manual run');
    expect(manualAlert(config(), { severity: 'P1' }, ctx).severity).toBe('critical');
  });

  it('fingerprints the payload (key order does not matter); every run gets its own dedup key', () => {
    const a = manualAlert(config(), { labels: { a: '1', b: '2' }, x: [1, { y: 2, z: 3 }] }, { now });
    const b = manualAlert(config(), { x: [1, { z: 3, y: 2 }], labels: { b: '2', a: '1' } }, { now });
    const c = manualAlert(config(), { labels: { a: '1', b: '3' } }, { now });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    expect(a.dedupKey).toMatch(/^manual:[0-9a-f-]{36}$/);
    expect(a.dedupKey).not.toBe(b.dedupKey);
  });

  it('refuses a payload that is not an object, or whose alert fields do not fit, naming the field', () => {
    expect(issuesOf(() => manualAlert(config(), [1, 2], { now }))).toContain('(root): must be a JSON object');
    expect(issuesOf(() => manualAlert(config(), 'restart', { now }))).toContain('(root): must be a JSON object');
    expect(issuesOf(() => manualAlert(config(), null, { now }))).toContain('(root): must be a JSON object');
    expect(issuesOf(() => manualAlert(config(), { labels: { instance: 3 } }, { now }))).toBe('labels.instance: must be a string');
    expect(issuesOf(() => manualAlert(config(), { labels: 'db1' }, { now }))).toBe('labels: must be a map of labels to string values');
    expect(issuesOf(() => manualAlert(config(), { severity: 2 }, { now }))).toBe('severity: must be a severity word, e.g. "critical" or "warning"');
    expect(issuesOf(() => manualAlert(config(), { name: 7 }, { now }))).toBe('name: must be a string');
  });

  it('takes no webhook deliveries, and simulates with the given payload', async () => {
    expect(manualSource.trigger).toMatchObject({ kind: 'manual' });
    // Run now starts with the node's own payload, when it has one.
    const trigger = manualSource.trigger as { startPayload(config: unknown): unknown };
    expect(trigger.startPayload(config({ samplePayload: { labels: { instance: 'db1' } } }))).toEqual({ labels: { instance: 'db1' } });
    expect(trigger.startPayload(config())).toBeUndefined();
    expect(hookPathOf(manualSource, config())).toBeUndefined();
    expect(getWebhookAdapter('source.manual')).toBeUndefined();
    expect(getSourceAdapter('source.manual')!.normalize(config(), { name: 'X' }, { now })[0]!.startsAt).toBe('2026-11-24T09:30:00.000Z');
    const result = validateFlow(
      {
        format: 'salve.flow/v1',
        id: 'cleanup',
        name: 'Cleanup',
        nodes: [
          { id: 'by_hand', type: 'source.manual', config: {} },
          { id: 'db1', type: 'condition.match', config: { matchers: 'instance=~"db1.*"' } },
        ],
        edges: [{ source: 'by_hand', target: 'db1' }],
      },
      lookupNodeSpec,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [sim] = await simulateFlow(result.flow, 'manual', manualSamples[0]!.payload);
    expect(sim!.alert.name).toBe('DiskFull');
    expect(sim!.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['by_hand:out', 'db1:match']);
  });
});
