import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { nextMillisecond, waitFor } from '../kit/wait.js';

const AM_TOKEN = 'events-e2e-token';
const HOOK_SECRET = 'events-e2e-header-secret';

/**
 * The event log through a real server: every kind of delivery is posted as a monitoring tool
 * (or a stranger) would, and read back through GET /api/events with each filter.
 */
describe('event log', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  let firstRun = '';
  let startedAt = '';

  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN, SALVE_SECRET_HOOK_SECRET: HOOK_SECRET } });
    startedAt = new Date(Date.now() - 1000).toISOString();
    const flows = [
      {
        format: 'salve.flow/v1',
        id: 'disk',
        name: 'Disk full',
        enabled: true,
        nodes: [
          { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } },
          { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
        ],
        edges: [{ source: 'am', target: 'check' }],
      },
      {
        format: 'salve.flow/v1',
        id: 'uptime',
        name: 'Uptime webhook',
        enabled: true,
        nodes: [
          {
            id: 'hook',
            type: 'source.webhook',
            config: { path: 'uptime', auth: { type: 'header', name: 'X-Hook-Secret', value: { secret: 'HOOK_SECRET' } }, mapping: { name: 'event.monitor' } },
          },
          { id: 'check', type: 'condition.expr', config: { expression: 'true' } },
        ],
        edges: [{ source: 'hook', target: 'check' }],
      },
    ];
    for (const f of flows) expect((await server.api('POST', '/api/flows', f)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  // The time-ordered event ids of consecutive deliveries never share a millisecond.
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    await nextMillisecond();
    return fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}`, ...headers }, body });
  };
  const events = async (query = '') => {
    const res = await server.api('GET', `/api/events${query}`);
    expect(res.status, query).toBe(200);
    return res.body as { items: any[]; nextCursor: string | null };
  };
  /** Refused deliveries are recorded just after the answer. */
  const eventWith = (pred: (e: any) => boolean, what: string) => waitFor(async () => (await events('?limit=200')).items.find(pred), 5000, what);

  it('accepted: 202, the event lists the run it started', async () => {
    const res = await post('infra', JSON.stringify(amPayload([amAlert({ fingerprint: 'ev-fp-1' })])));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { eventId: string; executions: string[] };
    ids.accepted = body.eventId;
    firstRun = body.executions[0]!;
    const ev = (await server.api('GET', `/api/events/${body.eventId}`)).body;
    expect(ev).toMatchObject({ outcome: 'accepted', httpStatus: 202, path: 'infra', sources: ['alertmanager'], alertCount: 1, executionCount: 1, alertNames: ['DiskFull'] });
    expect(ev.flows).toEqual([{ flowId: 'disk', authenticated: true, started: 1, duplicate: 0, notStarted: 0, executionIds: [firstRun], duplicateOf: [] }]);
    expect(ev.matches).toEqual([{ flowId: 'disk', nodeId: 'am', alertIndex: 0, result: 'started', executionId: firstRun }]);
    expect(ev.executions.map((x: any) => x.id)).toEqual([firstRun]);
    expect(ev.alerts[0]).toMatchObject({ name: 'DiskFull', fingerprint: 'ev-fp-1' });
    expect(ev.alerts[0].raw).toBeUndefined();
    expect(JSON.parse(ev.body).alerts[0].fingerprint).toBe('ev-fp-1');
    expect(ev.headers.authorization).toBe('***');
  });

  it('duplicate: the same alert again starts nothing and points at the run that handled it', async () => {
    const res = await post('infra', JSON.stringify(amPayload([amAlert({ fingerprint: 'ev-fp-1' })])));
    const body = (await res.json()) as { eventId: string; duplicates: number };
    expect(body.duplicates).toBe(1);
    ids.duplicate = body.eventId;
    const ev = (await server.api('GET', `/api/events/${body.eventId}`)).body;
    expect(ev).toMatchObject({ outcome: 'duplicate', executionCount: 0, duplicateCount: 1 });
    expect(ev.flows[0].duplicateOf).toEqual([firstRun]);
    expect(ev.executions).toEqual([]);
  });

  it('resolved: ignored by the firing-only flow, and the run it answered shows alertResolvedAt', async () => {
    const res = await post('infra', JSON.stringify(amPayload([amAlert({ fingerprint: 'ev-fp-1', status: 'resolved' })], 'resolved')));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { eventId: string; executions: string[] };
    expect(body.executions).toEqual([]);
    ids.ignored = body.eventId;
    const ev = (await server.api('GET', `/api/events/${body.eventId}`)).body;
    expect(ev).toMatchObject({ outcome: 'ignored', reason: 'resolved alert: source starts runs on firing only', notStartedCount: 1 });
    expect(ev.matches[0].resolvedExecutionIds).toEqual([firstRun]);
    const run = (await server.api('GET', `/api/executions/${firstRun}`)).body;
    expect(run.alertResolvedAt).toBe('2026-11-24T02:00:00.000Z'); // the alert's endsAt
    expect(run.eventId).toBe(ids.accepted);
  });

  it('rejected: a wrong token is 401 with no detail; the event keeps the reason and only 4 KiB of the body; no run', async () => {
    const big = amPayload([amAlert({ fingerprint: 'ev-fp-stranger' })]) as any;
    big.commonAnnotations.pad = 'x'.repeat(8 * 1024);
    const before = (await server.api('GET', '/api/executions?limit=200')).body.items.length;
    const res = await post('infra', JSON.stringify(big), { authorization: 'Bearer guessed-wrong' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toBe('invalid or missing credentials');
    const listed = await eventWith((e) => e.outcome === 'rejected', 'the rejected event');
    ids.rejected = listed.id;
    expect(listed).toMatchObject({ httpStatus: 401, bodyTruncated: true, executionCount: 0, reason: 'authentication failed: disk/am: wrong bearer token' });
    const ev = (await server.api('GET', `/api/events/${listed.id}`)).body;
    expect(ev.body).toHaveLength(4096);
    expect(ev.bodyBytes).toBeGreaterThan(8 * 1024);
    expect(ev.routes).toEqual([{ flowId: 'disk', nodeId: 'am', source: 'alertmanager', result: 'rejected', reason: 'wrong bearer token' }]);
    expect(JSON.stringify(ev)).not.toContain('guessed-wrong');
    expect((await server.api('GET', '/api/executions?limit=200')).body.items.length).toBe(before);
  });

  it('invalid: 422 naming the field; the event keeps the error and its issues', async () => {
    const bad = amPayload([amAlert({ fingerprint: 'ev-fp-bad' })]) as any;
    bad.alerts[0].status = 'burning';
    const res = await post('infra', JSON.stringify(bad));
    expect(res.status).toBe(422);
    const listed = await eventWith((e) => e.outcome === 'invalid', 'the invalid event');
    ids.invalid = listed.id;
    const ev = (await server.api('GET', `/api/events/${listed.id}`)).body;
    expect(ev).toMatchObject({ outcome: 'invalid', httpStatus: 422, error: { code: 'validation_failed' } });
    expect(ev.error.issues.map((i: any) => i.path.join('.'))).toContain('alerts.0.status');
    expect(ev.reason).toMatch(/alerts\[0\]\.status/);
  });

  it('another source and path: the header secret is not stored', async () => {
    const res = await post('uptime', JSON.stringify({ monitor: 'api-health' }), { 'x-hook-secret': HOOK_SECRET, authorization: '' });
    expect(res.status).toBe(202);
    ids.webhook = ((await res.json()) as { eventId: string }).eventId;
    const ev = (await server.api('GET', `/api/events/${ids.webhook}`)).body;
    expect(ev).toMatchObject({ outcome: 'accepted', sources: ['webhook'], path: 'uptime' });
    expect(ev.headers['x-hook-secret']).toBe('***');
    expect(JSON.stringify(ev)).not.toContain(HOOK_SECRET);
  });

  it('reads them back with every filter', async () => {
    const listed = (await events('?limit=200')).items.map((e) => e.id);
    // Newest first, all six.
    expect(listed).toEqual([ids.webhook, ids.invalid, ids.rejected, ids.ignored, ids.duplicate, ids.accepted]);
    for (const outcome of ['accepted', 'duplicate', 'ignored', 'rejected', 'invalid'] as const) {
      const expected = outcome === 'accepted' ? [ids.webhook, ids.accepted] : [ids[outcome]];
      expect((await events(`?outcome=${outcome}`)).items.map((e) => e.id), outcome).toEqual(expected);
    }
    expect((await events('?outcome=handshake')).items).toEqual([]);
    expect((await events('?source=webhook')).items.map((e) => e.id)).toEqual([ids.webhook]);
    expect((await events('?source=alertmanager')).items).toHaveLength(5);
    expect((await events('?flowId=disk&outcome=rejected')).items.map((e) => e.id)).toEqual([ids.rejected]);
    expect((await events('?flowId=uptime')).items.map((e) => e.id)).toEqual([ids.webhook]);
    expect((await events('?path=uptime')).items.map((e) => e.id)).toEqual([ids.webhook]);
    expect((await events('?path=infra&source=webhook')).items).toEqual([]);
    const now = new Date(Date.now() + 1000).toISOString();
    expect((await events(`?since=${startedAt}&until=${now}`)).items).toHaveLength(6);
    expect((await events(`?until=${startedAt}`)).items).toEqual([]);
    expect((await events(`?since=${now}`)).items).toEqual([]);
    // Paging: two at a time, by cursor.
    const page1 = await events('?limit=2');
    expect(page1.items.map((e) => e.id)).toEqual([ids.webhook, ids.invalid]);
    const page2 = await events(`?limit=2&before=${page1.nextCursor}`);
    expect(page2.items.map((e) => e.id)).toEqual([ids.rejected, ids.ignored]);
  });

  it('refuses a bad filter with 422 naming it', async () => {
    for (const [query, field] of [
      ['?outcome=gone', 'query.outcome'],
      ['?since=last-tuesday', 'query.since'],
      ['?limit=500', 'query.limit'],
      ['?colour=red', 'query'],
    ]) {
      const res = await server.api('GET', `/api/events${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.error.details.issues.map((i: any) => i.path.join('.')), query).toContain(field);
    }
  });
});
