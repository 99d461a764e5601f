import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { audit } from '../store/schema.js';
import { eventsRepo } from '../store/events-repo.js';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { testEngine } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { amSource, flowDoc } from '../../test/kit/flow.js';
import { createApp } from './app.js';

const TOKEN = 'the-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** A flow run by hand: the template reads the payload as `event`, the condition the alert made of it. */
function cleanup(opts: { enabled?: boolean; manual?: { id: string; config?: object }[]; alertmanager?: boolean } = {}) {
  const manual = opts.manual ?? [{ id: 'by_hand', config: {} }];
  return flowDoc({
    id: 'cleanup',
    name: 'Clean up a disk',
    enabled: opts.enabled ?? true,
    source: null,
    nodes: [
      ...manual.map((m) => ({ id: m.id, type: 'source.manual', config: m.config ?? {} })),
      ...(opts.alertmanager ? [amSource()] : []),
      { id: 'echo', type: 'action.shell', config: { command: ['echo', '{{ event.labels.instance }}', '{{ alert.name }}', '{{ alert.severity }}'] } },
    ],
    edges: [...manual.map((m) => ({ source: m.id, target: 'echo' })), ...(opts.alertmanager ? [{ source: 'am', target: 'echo' }] : [])],
  });
}

describe('POST /api/flows/:id/run', () => {
  const engines: ReturnType<typeof testEngine>[] = [];
  afterEach(async () => {
    for (const t of engines.splice(0)) await t.engine.shutdown(1000);
  });

  async function setup(doc: object = cleanup()) {
    const t = testEngine();
    engines.push(t);
    await t.engine.start();
    await t.engine.flows.create(doc, { name: 'test', via: 'token' });
    const app = createApp({ engine: t.engine, log: pino({ level: 'silent' }), adminToken: TOKEN, hookBodyLimitBytes: 262144, version: 'test' });
    const run = async (body: unknown, flowId = 'cleanup', headers: Record<string, string> = auth) => {
      const res = await app.request(`/api/flows/${flowId}/run`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    return { ...t, app, run };
  }

  it('answers 202 with the execution, which runs with the payload as event', async () => {
    const { run, store, clock } = await setup();
    const payload = { name: 'DiskFull', severity: 'page', labels: { instance: 'db1:9100' }, extra: { why: 'manual check' } };
    const res = await run({ payload });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ executionId: expect.stringMatching(/^ex_/), eventId: expect.stringMatching(/^ev_/), flowId: 'cleanup', flowRevision: 1, sourceNodeId: 'by_hand', held: false });

    const exec = executionsRepo.get(store.db, res.body.executionId)!;
    expect(JSON.parse(exec.alert)).toMatchObject({
      source: 'manual',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: 'DiskFull, run by hand by admin',
      labels: { instance: 'db1:9100' },
      startsAt: new Date(clock.now()).toISOString(),
      dedupKey: `manual:${res.body.executionId}`,
      raw: payload,
    });
    expect(JSON.parse(eventsRepo.get(store.db, res.body.eventId)!.body)).toEqual(payload);
    await waitFor(() => executionsRepo.get(store.db, exec.id)?.status === 'succeeded');
    const echo = stepsRepo.forExecution(store.db, exec.id).find((s) => s.nodeId === 'echo')!;
    expect(JSON.parse(echo.output!).stdout).toBe('db1:9100 DiskFull critical\n');

    const entry = store.db.select().from(audit).all().find((a) => a.action === 'flow.run')!;
    expect(entry).toMatchObject({ actor: 'admin', target: 'cleanup' });
    expect(JSON.parse(entry.details)).toEqual({ executionId: exec.id, revision: 1, sourceNodeId: 'by_hand' });
  });

  it('runs the same payload again as a new run, also on a disabled flow', async () => {
    const { run, store } = await setup(cleanup({ enabled: false }));
    const first = await run({ payload: {} });
    const second = await run({ payload: {} });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.executionId).not.toBe(second.body.executionId);
    const alerts = [first, second].map((r) => JSON.parse(executionsRepo.get(store.db, r.body.executionId)!.alert));
    expect(alerts[0].fingerprint).toBe(alerts[1].fingerprint);
    expect(alerts[0].name).toBe('Clean up a disk');
  });

  it('refuses a bad payload naming the field, and a missing one', async () => {
    const { run, store } = await setup();
    const issues = (r: { body: any }) => r.body.error.details.issues.map((i: any) => `${i.path.join('.')}: ${i.message}`);
    const labels = await run({ payload: { labels: { instance: 42 } } });
    expect(labels.status).toBe(422);
    expect(issues(labels)).toEqual(['payload.labels.instance: must be a string']);
    const list = await run({ payload: [1, 2] });
    expect(list.status).toBe(422);
    expect(issues(list)[0]).toMatch(/^payload: must be a JSON object/);
    expect(issues(await run({}))).toEqual(['payload: payload is required: a JSON object, {} for none']);
    expect(issues(await run({ payload: {}, sourceNodeId: 7 }))).toEqual(['sourceNodeId: sourceNodeId must be the id of a source.manual node']);
    expect(issues(await run({ payload: {}, extra: 1 }))).toEqual([': Unrecognized key: "extra"']);
    expect((await run('{"payload": ')).status).toBe(400);
    expect((await run({ payload: {} }, 'cleanup', { authorization: auth.authorization, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await run({ payload: { big: 'x'.repeat(300_000) } })).status).toBe(413);
    expect((await run({ payload: {} }, 'no-such-flow')).status).toBe(404);
    expect((await run({ payload: {} }, 'cleanup', { 'content-type': 'application/json' })).status).toBe(401);
    expect(executionsRepo.list(store.db, { limit: 10 })).toEqual([]);
  });

  it('only starts flows with a source.manual node, naming sourceNodeId otherwise', async () => {
    const { run, engine } = await setup(
      flowDoc({ id: 'hooks-only', name: 'Hooks only', nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'true' } }], edges: [{ source: 'am', target: 'check' }] }),
    );
    const none = await run({ payload: {} }, 'hooks-only');
    expect(none.status).toBe(422);
    expect(none.body.error.details.issues).toEqual([
      { path: ['sourceNodeId'], message: 'flow "hooks-only" has no source.manual node: add one ("Run by hand") to run it from the API or the editor' },
    ]);
    const wrongType = await run({ payload: {}, sourceNodeId: 'am' }, 'hooks-only');
    expect(wrongType.body.error.details.issues[0].message).toBe('"am" is a source.alertmanager node; only source.manual nodes start runs by hand');

    await engine.flows.create({ ...cleanup({ manual: [{ id: 'a' }, { id: 'b', config: { name: 'From b' } }], alertmanager: true }), id: 'two' }, { name: 'test', via: 'token' });
    const ambiguous = await run({ payload: {} }, 'two');
    expect(ambiguous.body.error.details.issues[0]).toEqual({ path: ['sourceNodeId'], message: 'flow "two" has several source.manual nodes (a, b): name one' });
    const missing = await run({ payload: {}, sourceNodeId: 'c' }, 'two');
    expect(missing.body.error.details.issues[0].message).toBe('flow "two" has no node "c"; its source.manual nodes: a, b');
    const b = await run({ payload: {}, sourceNodeId: 'b' }, 'two');
    expect(b.status).toBe(202);
    expect(b.body.sourceNodeId).toBe('b');
  });

  it('queues while automation is paused, like a webhook delivery', async () => {
    const { run, engine, store } = await setup();
    await engine.setPaused(true, { name: 'test', via: 'token' });
    const res = await run({ payload: { labels: { instance: 'db2' } } });
    expect(res.status).toBe(202);
    await engine.idle();
    expect(executionsRepo.get(store.db, res.body.executionId)!.status).toBe('queued');
    await engine.setPaused(false, { name: 'test', via: 'token' });
    await waitFor(() => executionsRepo.get(store.db, res.body.executionId)?.status === 'succeeded');
  });

  it('runs the saved revision', async () => {
    const { run, engine, store } = await setup();
    const stored = (await engine.flows.get('cleanup'));
    await engine.flows.update('cleanup', { ...stored.flow, name: 'Renamed' }, stored.revision, { name: 'test', via: 'token' });
    const res = await run({ payload: {} });
    expect(res.body.flowRevision).toBe(2);
    expect(JSON.parse(executionsRepo.get(store.db, res.body.executionId)!.alert).name).toBe('Renamed');
  });
});
