import { describe, expect, it } from 'vitest';
import { checkCel, EVAL_LIMITS } from '../../../shared/expr/index.js';
import { WebhookConfigSchema, webhookSource, type WebhookConfig } from './definition.js';
import { normalizeWebhook, webhookAdapter } from './ingest.js';
import { issuesOf } from '../../../test/kit/nodes.js';

const now = new Date('2026-11-24T03:00:00.000Z');

function config(mapping: Record<string, string>, extra: object = {}): WebhookConfig {
  return WebhookConfigSchema.parse({ path: 'grafana', auth: { type: 'none' }, mapping, ...extra });
}

const full = config({
  name: 'event.alert.title',
  severity: 'event.alert.priority',
  status: 'event.state == "ok" ? "resolved" : "firing"',
  fingerprint: 'event.alert.id',
  summary: 'event.alert.message',
  labels: '{"host": event.host, "team": "db"}',
  startsAt: 'event.at',
});

const event = {
  alert: { title: 'HighLoad', priority: 'P2', id: 'inc-42', message: 'Load 12 on web1' },
  state: 'alerting',
  host: 'web1',
  at: '2026-11-24T02:59:00Z',
};

describe('normalizeWebhook', () => {
  it('maps labels named __proto__, constructor or toString from the event as plain labels', () => {
    const body = JSON.parse('{"title": "X", "labels": {"__proto__": "p", "constructor": "c", "toString": "t"}}');
    const [alert] = normalizeWebhook(config({ name: 'event.title', labels: 'event.labels', summary: 'event.labels.constructor' }), body, now);
    expect(Object.keys(alert!.labels)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(alert!.labels, '__proto__')?.value).toBe('p');
    expect(alert!.summary).toBe('c');
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('bounds the mappings of a delivery over a large sender-supplied list (422, not a stall)', () => {
    const mapping = config({ name: 'event.items.exists(i, i == "needle") ? "found" : "none"' });
    expect(checkCel(mapping.mapping.name)).toEqual([]); // fine at save: data is assumed to be of ordinary size
    const items = Array.from({ length: EVAL_LIMITS.steps + 10 }, () => 'hay');
    expect(issuesOf(() => normalizeWebhook(mapping, { items }, now))).toMatch(/^mapping\.name: .* could not be evaluated: expression stopped: it (took more than 100,000 loop steps|ran longer than 50 ms)$/);
    // The budget is per delivery: many small events add up.
    const events = Array.from({ length: 1000 }, () => ({ items: Array.from({ length: 150 }, () => 'hay') }));
    expect(issuesOf(() => normalizeWebhook(mapping, events, now))).toMatch(/expression stopped/);
    expect(normalizeWebhook(mapping, events.slice(0, 10), now)).toHaveLength(10);
  });

  it('maps every field with CEL over `event`', () => {
    expect(normalizeWebhook(full, event, now)).toEqual([
      {
        source: 'webhook',
        status: 'firing',
        name: 'HighLoad',
        severity: 'high',
        summary: 'Load 12 on web1',
        labels: { host: 'web1', team: 'db' },
        annotations: {},
        startsAt: '2026-11-24T02:59:00Z',
        endsAt: '',
        fingerprint: 'inc-42',
        links: {},
        description: '',
        // The same incident in the same state since the same time is the same notification.
        dedupKey: JSON.stringify(['webhook', 'inc-42', '2026-11-24T02:59:00Z', 'firing']),
        raw: event,
      },
    ]);
    expect(normalizeWebhook(full, { ...event, state: 'ok' }, now)[0]!.status).toBe('resolved');
  });

  it('fills defaults when only the name is mapped', () => {
    const [alert] = normalizeWebhook(config({ name: 'event.title' }), { title: 'Backup failed' }, now);
    expect(alert).toMatchObject({
      status: 'firing',
      severity: 'unknown',
      summary: 'Backup failed',
      labels: {},
      startsAt: '2026-11-24T03:00:00.000Z',
    });
    expect(alert!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Same name and labels → same identity; a different name → a different one.
    expect(normalizeWebhook(config({ name: 'event.title' }), { title: 'Backup failed', other: 1 }, now)[0]!.fingerprint).toBe(
      alert!.fingerprint,
    );
    expect(normalizeWebhook(config({ name: 'event.title' }), { title: 'Backup late' }, now)[0]!.fingerprint).not.toBe(alert!.fingerprint);
  });

  it('maps description, endsAt and dedupKey; the status is always part of the key', () => {
    const mapped = config({
      name: 'event.rule',
      status: 'event.state == "Resolved" ? "resolved" : "firing"',
      fingerprint: 'event.id',
      description: 'event.text',
      startsAt: 'event.fired',
      endsAt: 'has(event.resolved) ? event.resolved : ""',
      dedupKey: 'event.id',
    });
    const fired = { rule: 'CPU', state: 'Fired', id: 'a-1', text: 'CPU above 90% for 5 minutes', fired: '2026-11-24T02:00:00Z' };
    const [firing] = normalizeWebhook(mapped, fired, now);
    expect(firing).toMatchObject({ description: 'CPU above 90% for 5 minutes', endsAt: '', dedupKey: JSON.stringify(['webhook', 'a-1', 'firing']) });
    const [resolved] = normalizeWebhook(mapped, { ...fired, state: 'Resolved', resolved: '2026-11-24T02:30:00Z' }, now);
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: '2026-11-24T02:30:00Z', dedupKey: JSON.stringify(['webhook', 'a-1', 'resolved']) });
    // Re-sent with other details (a growing count, a later timestamp): the same notification.
    expect(normalizeWebhook(mapped, { ...fired, fired: '2026-11-24T02:05:00Z', count: 2 }, now)[0]!.dedupKey).toBe(firing!.dedupKey);
    // Without a dedupKey mapping: fingerprint + startsAt + status.
    expect(normalizeWebhook(config({ name: 'event.rule', fingerprint: 'event.id', startsAt: 'event.fired' }), fired, now)[0]!.dedupKey).toBe(
      JSON.stringify(['webhook', 'a-1', '2026-11-24T02:00:00Z', 'firing']),
    );
    // An empty key falls back to the default too.
    expect(normalizeWebhook(config({ name: 'event.rule', dedupKey: '""' }), fired, now)[0]!.dedupKey).toMatch(/^\["webhook","[0-9a-f]{64}"/);
  });

  it('skip: an event for which it gives true makes no alert', () => {
    const kuma = config({ name: 'event.monitor.name', skip: 'event.heartbeat == null' });
    expect(normalizeWebhook(kuma, { heartbeat: null, monitor: null, msg: 'Test' }, now)).toEqual([]);
    expect(normalizeWebhook(kuma, { heartbeat: { status: 0 }, monitor: { name: 'web' } }, now)).toHaveLength(1);
    // In a list, only the skipped elements are left out.
    expect(normalizeWebhook(kuma, [{ heartbeat: null }, { heartbeat: {}, monitor: { name: 'db' } }], now).map((a) => a.name)).toEqual(['db']);
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', skip: 'event.s' }), { s: 'yes' }, now))).toBe(
      'mapping.skip: event.s must give true or false, got string',
    );
  });

  it('makes one alert per element when the body is a list', () => {
    const alerts = normalizeWebhook(config({ name: 'event.name', labels: '{"n": string(event.n)}' }), [
      { name: 'A', n: 1 },
      { name: 'B', n: 2 },
    ], now);
    expect(alerts.map((a) => [a.name, a.labels.n])).toEqual([
      ['A', '1'],
      ['B', '2'],
    ]);
  });

  it('names mapping.<field> when a mapping fails or gives the wrong kind of value', () => {
    expect(issuesOf(() => normalizeWebhook(full, { ...event, alert: {} }, now))).toMatch(/^mapping\.name: event\.alert\.title could not be evaluated: /);
    expect(issuesOf(() => normalizeWebhook(config({ name: 'event.n' }), { n: { a: 1 } }, now))).toBe(
      'mapping.name: event.n must give a string, got a map',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', status: 'event.s' }), { s: 'ok' }, now))).toBe(
      'mapping.status: event.s must give "firing" or "resolved", got "ok"',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', labels: 'event.l' }), { l: ['a'] }, now))).toBe(
      'mapping.labels: event.l must give a map of strings, got a list',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', labels: 'event.l' }), { l: { cpu: 3 } }, now))).toBe(
      'mapping.labels.cpu: label "cpu" must be a string, got number',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', startsAt: 'event.t' }), { t: 'yesterday' }, now))).toContain(
      'mapping.startsAt: event.t must give an RFC 3339 timestamp',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: 'event.t' }), { t: '  ' }, now))).toBe('mapping.name: event.t gave an empty name');
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', endsAt: 'event.t' }), { t: 'later' }, now))).toBe(
      'mapping.endsAt: event.t must give an RFC 3339 timestamp or "", got "later"',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', description: 'event.d' }), { d: ['a'] }, now))).toBe(
      'mapping.description: event.d must give a string, got a list',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', dedupKey: 'event.k' }), { k: null }, now))).toBe(
      'mapping.dedupKey: event.k must give a string, got null',
    );
    // In a list, the element is named.
    expect(issuesOf(() => normalizeWebhook(config({ name: 'event.name' }), [{ name: 'A' }, {}], now))).toMatch(
      /^mapping\.name: element \[1\]: /,
    );
  });

  it('limits labels and the number of events', () => {
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, 'v']));
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"', labels: 'event.l' }), { l: many }, now))).toBe(
      'mapping.labels: too many labels: 257 (at most 256)',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: '"x"' }), Array.from({ length: 1001 }, () => ({})), now))).toContain(
      'too many events: 1001',
    );
    expect(issuesOf(() => normalizeWebhook(config({ name: 'event.t' }), { t: 'x'.repeat(5000) }, now))).toBe(
      'mapping.name: event.t gives a value longer than 4096 bytes',
    );
  });
});

describe('source.webhook definition', () => {
  it('requires path, auth and mapping.name; on defaults to firing', () => {
    const r = WebhookConfigSchema.safeParse({ path: 'x', mapping: {} });
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['auth', 'mapping.name']);
    expect(config({ name: 'event.t' }).on).toBe('firing');
    expect(WebhookConfigSchema.safeParse({ path: 'x', auth: { type: 'none' }, mapping: { name: 'a', colour: 'b' } }).success).toBe(false);
  });

  it('declares every mapping field, the new ones included, as CEL', () => {
    const all = config({
      name: 'event.n',
      description: 'event.d',
      endsAt: '""',
      dedupKey: 'event.k',
      skip: 'event.heartbeat == null',
    });
    expect(webhookSource.expressions(all).map((r) => r.path.join('.'))).toEqual(['mapping.name', 'mapping.description', 'mapping.endsAt', 'mapping.dedupKey', 'mapping.skip']);
    for (const ref of webhookSource.expressions(all)) expect(checkCel(ref.source)).toEqual([]);
  });

  it('declares each mapping as a CEL expression that the save-time check accepts', () => {
    const refs = webhookSource.expressions(full);
    expect(refs.map((r) => r.path.join('.'))).toEqual([
      'mapping.name',
      'mapping.severity',
      'mapping.status',
      'mapping.fingerprint',
      'mapping.summary',
      'mapping.labels',
      'mapping.startsAt',
    ]);
    expect(refs.every((r) => r.kind === 'cel')).toBe(true);
    for (const ref of refs) expect(checkCel(ref.source)).toEqual([]);
    expect(webhookSource.summary(config({ name: 'event.title' }))).toBe('/hooks/grafana · no auth · firing · name = event.title');
  });

  it('starts flows only for the statuses `on` allows', () => {
    const [firing] = normalizeWebhook(full, event, now);
    const [resolved] = normalizeWebhook(full, { ...event, state: 'ok' }, now);
    expect([webhookAdapter.accepts(full, firing!), webhookAdapter.accepts(full, resolved!)]).toEqual([true, false]);
    const both = { ...full, on: 'both' as const };
    expect([webhookAdapter.accepts(both, firing!), webhookAdapter.accepts(both, resolved!)]).toEqual([true, true]);
  });
});
