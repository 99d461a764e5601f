import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { startAlertmanager, type TestAlertmanager } from '../../../test/kit/alertmanager-peer.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { alertmanagerSilence, SilenceConfigSchema, type SilenceConfig } from './definition.js';
import { executeSilence } from './execute.js';
import type { SilenceOutput } from './output.js';

/**
 * alertmanager.silence against a real Alertmanager (Debian's prometheus-alertmanager 0.25):
 * the silence it creates is the one Alertmanager holds (matchers, times, comment with the run),
 * a retry after a crash keeps it, expire ends it, and Alertmanager's own refusals reach the
 * output in its words. One alert carries a hostile label value (quotes, a backslash, `.*`): it
 * must stay one literal value of an equality matcher.
 */
let am: TestAlertmanager;
beforeAll(async () => {
  am = await startAlertmanager();
}, 60_000);
afterAll(async () => {
  await am?.stop();
});

const HOSTILE = 'db1"} or .* \\ "x';

async function step(input: Record<string, unknown>, options: { labels?: Record<string, string>; attempt?: number; executionId?: string; url?: string; steps?: Record<string, unknown> } = {}) {
  const policy = new DestinationPolicy({
    allowedTargets: ['127.0.0.1'],
    secretHosts: () => undefined,
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const executionId = options.executionId ?? 'ex-silence-1';
  const ctx: ExecContext = testContext({
    network: policy.forStep({ secrets: [] }),
    attempt: options.attempt ?? 1,
    executionId,
    idempotencyKey: `${executionId}:silence_alert`,
    runUrl: `https://salve.example/#/runs/${executionId}`,
    now: () => new Date(),
    vars: { alert: testAlert(options.labels ? { labels: options.labels } : {}), steps: options.steps ?? {}, execution: { id: executionId, startedAt: new Date().toISOString() } },
  });
  const config = SilenceConfigSchema.parse({ url: options.url ?? am.url, ...input });
  const rendered = renderConfig(config, alertmanagerSilence.expressions(config), ctx.vars);
  const outcome = await executeSilence(rendered.value as Resolved<SilenceConfig>, ctx);
  return { outcome, output: (outcome as { output: SilenceOutput }).output };
}

describe('alertmanager.silence against a real Alertmanager', () => {
  it('creates the silence of the alert\'s labels with the run in its comment, keeps it on a retry, and expires it', async () => {
    const created = await step({ durationMinutes: 30 });
    expect(created.outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'create', status: 200 } });
    const id = created.output.silenceId!;
    const held = (await am.silences()).find((s) => s.id === id)!;
    expect(held.status.state).toBe('active');
    expect(held.matchers.map((m) => [m.name, m.value, m.isRegex]).sort()).toEqual([
      ['alertname', 'DiskFull', false],
      ['instance', 'db1:9100', false],
      ['service', 'postgresql', false],
      ['severity', 'critical', false],
    ]);
    expect(held.createdBy).toBe('salve');
    expect(held.comment).toBe('Salve is remediating DiskFull\nSalve run: https://salve.example/#/runs/ex-silence-1 [salve ex-silence-1:silence_alert]');
    const minutes = (Date.parse(held.endsAt) - Date.parse(held.startsAt)) / 60_000;
    expect(minutes).toBeGreaterThan(29.9);
    expect(minutes).toBeLessThan(30.1);

    // The step retried after a crash finds the silence its first try made, and creates none.
    const retried = await step({ durationMinutes: 30 }, { attempt: 2 });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok', output: { silenceId: id, reused: true } });
    expect((await am.silences()).filter((s) => s.status.state === 'active')).toHaveLength(1);

    // A later step expires it through the create step's output, as a flow writes it.
    const expiredNow = await step({ action: 'expire', silenceId: '{{ steps.silence_alert.silenceId }}' }, { steps: { silence_alert: created.output } });
    expect(expiredNow.outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'expire', silenceId: id, status: 200 } });
    expect((await am.silences()).find((s) => s.id === id)!.status.state).toBe('expired');
    // Expiring again succeeds (Alertmanager allows it), and a retry of the create after that makes a new one.
    expect((await step({ action: 'expire', silenceId: id })).outcome).toMatchObject({ type: 'next', port: 'ok' });
    const again = await step({ durationMinutes: 30 }, { attempt: 3 });
    expect(again.output.reused).toBeUndefined();
    expect(again.output.silenceId).not.toBe(id);
  });

  it('keeps a hostile label value one literal value, and finds its own silence by it on a retry', async () => {
    const labels = { alertname: 'Disk"Full \\ x', instance: HOSTILE };
    const first = await step({}, { labels, executionId: 'ex-hostile' });
    expect(first.outcome).toMatchObject({ type: 'next', port: 'ok' });
    const held = (await am.silences()).find((s) => s.id === first.output.silenceId)!;
    expect(held.matchers.find((m) => m.name === 'instance')).toMatchObject({ value: HOSTILE, isRegex: false });
    // The lookup narrows by alertname; a retry keeps this silence.
    const retried = await step({}, { labels, executionId: 'ex-hostile', attempt: 2 });
    expect(retried.output).toMatchObject({ silenceId: first.output.silenceId, reused: true });
  });

  it('matches only the labels named, plus extra matchers from templates', async () => {
    const made = await step({ matchLabels: ['instance'], matchers: { team: 'storage-{{ alert.labels.service }}' } }, { executionId: 'ex-named' });
    expect(made.outcome).toMatchObject({ type: 'next', port: 'ok' });
    const held = (await am.silences()).find((s) => s.id === made.output.silenceId)!;
    expect(held.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual(['instance=db1:9100', 'team=storage-postgresql']);
  });

  it('reports Alertmanager\'s refusals and its unknown silences in its words, and sends nothing for an alert without alertname', async () => {
    const before = (await am.silences()).length;
    const unnamed = await step({}, { labels: { severity: 'critical' } });
    expect(unnamed.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, message: expect.stringContaining('no alertname label') } });
    expect((await am.silences()).length).toBe(before);

    const unknown = await step({ action: 'expire', silenceId: '5b3b2f5e-0000-4000-8000-000000000000' });
    expect(unknown.outcome).toMatchObject({ type: 'fail', port: 'error', output: { message: 'Alertmanager has no silence 5b3b2f5e-0000-4000-8000-000000000000' } });

    // A path prefix Alertmanager does not serve: its 404 in the output, not a crash.
    const wrongPath = await step({}, { url: `${am.url}/not-alertmanager` });
    expect(wrongPath.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 404, message: expect.stringContaining('Alertmanager answered 404') } });
  });

  it('is refused by the destination policy before anything connects', async () => {
    const refused = await step({}, { url: 'http://alertmanager.internal:9093' });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
  });
});
