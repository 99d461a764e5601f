import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsRepo } from '../../store/events-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { approvalsRepo } from '../../store/approvals-repo.js';
import { scheduleTicksRepo } from '../../store/schedule-ticks-repo.js';
import { ManualClock, testEngine } from '../../../test/kit/engine.js';
import { waitFor } from '../../../test/kit/wait.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { adminDecider } from '../../../test/kit/store-people.js';

const T0 = Date.parse('2026-11-24T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A flow that runs on `cron` and checks what a tick looks like (event and alert agree). */
function scheduled(config: Record<string, unknown>, opts: { id?: string; enabled?: boolean; approval?: boolean } = {}) {
  return flowDoc({
    id: opts.id ?? 'nightly',
    name: 'Nightly check',
    enabled: opts.enabled ?? true,
    source: { id: 'tick', type: 'source.schedule', config },
    nodes: [
      { id: 'check', type: 'condition.expr', config: { expression: 'event.scheduledAt == alert.startsAt && event.nodeId == "tick"' } },
      ...(opts.approval ? [{ id: 'ask', type: 'approval.request', config: { message: 'Go on?' } }] : []),
    ],
    edges: [{ source: 'tick', target: 'check' }, ...(opts.approval ? [{ source: 'check', sourcePort: 'true', target: 'ask' }] : [])],
  });
}

type Engine = ReturnType<typeof testEngine>;

const runsOf = (t: Engine, flowId = 'nightly') => executionsRepo.list(t.store.db, { flowId, limit: 500 }).reverse();
const ticksOf = (t: Engine, flowId = 'nightly') =>
  scheduleTicksRepo
    .forFlow(t.store.db, flowId, 500)
    .reverse()
    .map((r) => ({ at: iso(r.tickAt), status: r.status, ...(r.reason ? { reason: r.reason } : {}), ...(r.count > 1 ? { count: r.count, from: iso(r.firstTickAt) } : {}) }));
const startsAt = (t: Engine, flowId = 'nightly') => runsOf(t, flowId).map((r) => JSON.parse(r.alert).startsAt as string);

/** Moves the clock to `at` and lets the schedules act on it. */
async function at(t: Engine, when: string) {
  t.clock.t = Date.parse(when);
  return t.engine.schedules.check();
}

describe('schedule runner', () => {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const t of engines.splice(0)) {
      await t.engine.shutdown(1000);
      t.store.close();
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function engine(opts: { file?: string; clock?: ManualClock } = {}): Engine {
    const t = testEngine({ clock: opts.clock ?? new ManualClock(T0), file: opts.file });
    engines.push(t);
    return t;
  }
  function dbFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'salve-schedule-'));
    dirs.push(dir);
    return join(dir, 'salve.db');
  }
  /** Waits until every run has finished. */
  async function settle(t: Engine) {
    await waitFor(() => ['queued', 'running'].every((status) => executionsRepo.countByStatus(t.store.db, status as 'queued') === 0));
  }
  async function stop(t: Engine) {
    engines.splice(engines.indexOf(t), 1);
    await t.engine.shutdown(1000);
    t.store.close();
  }

  it('runs each tick once, at the tick, with the tick as event and alert', async () => {
    const t = engine();
    await t.engine.start();
    await t.engine.flows.create(scheduled({ cron: '*/5 * * * *', labels: { check: 'disk' } }), { name: 'test', via: 'token' });
    expect(await at(t, '2026-11-24T00:04:59.999Z')).toEqual([]);
    const [started] = await at(t, '2026-11-24T00:05:00.003Z');
    expect(started).toMatchObject({ flowId: 'nightly', nodeId: 'tick', tickAt: Date.parse('2026-11-24T00:05:00Z'), result: 'started' });
    expect(await at(t, '2026-11-24T00:05:01Z')).toEqual([]);

    const run = executionsRepo.get(t.store.db, started!.executionId!)!;
    expect(JSON.parse(run.alert)).toMatchObject({
      source: 'schedule',
      status: 'firing',
      name: 'Nightly check',
      severity: 'info',
      labels: { check: 'disk' },
      startsAt: '2026-11-24T00:05:00.000Z',
      fingerprint: 'nightly/tick',
      dedupKey: 'tick@2026-11-24T00:05:00.000Z',
    });
    expect(JSON.parse(eventsRepo.get(t.store.db, run.eventId)!.body)).toEqual({
      flowId: 'nightly',
      flowName: 'Nightly check',
      nodeId: 'tick',
      cron: '*/5 * * * *',
      timezone: 'UTC',
      scheduledAt: '2026-11-24T00:05:00.000Z',
      firedAt: '2026-11-24T00:05:00.003Z',
    });
    // The dispatcher picked it up: the condition saw the tick in both `event` and `alert`.
    // The flow only checks (no action step): its run ends as no_action.
    await waitFor(() => executionsRepo.get(t.store.db, run.id)?.status === 'no_action');

    await at(t, '2026-11-24T00:10:00.000Z');
    expect(startsAt(t)).toEqual(['2026-11-24T00:05:00.000Z', '2026-11-24T00:10:00.000Z']);
    expect(ticksOf(t)).toEqual([
      { at: '2026-11-24T00:05:00.000Z', status: 'started' },
      { at: '2026-11-24T00:10:00.000Z', status: 'started' },
    ]);
  });

  it('reads the expression in its time zone', async () => {
    const t = engine({ clock: new ManualClock(Date.parse('2026-11-23T12:00:00Z')) });
    await t.engine.start();
    await t.engine.flows.create(scheduled({ cron: '0 3 * * *', timezone: 'Europe/Berlin' }), { name: 'test', via: 'token' });
    expect(t.engine.schedules.list()).toEqual([{ flowId: 'nightly', nodeId: 'tick', nextAt: Date.parse('2026-11-24T02:00:00Z') }]);
    expect(await at(t, '2026-11-24T01:59:59Z')).toEqual([]);
    expect((await at(t, '2026-11-24T02:00:00Z')).map((o) => o.result)).toEqual(['started']);
    expect(startsAt(t)).toEqual(['2026-11-24T02:00:00.000Z']);
  });

  it('never runs a tick twice: concurrent checks, and a second process on the same database', async () => {
    const file = dbFile();
    const clock = new ManualClock(T0);
    const a = engine({ file, clock });
    await a.engine.start();
    await a.engine.flows.create(scheduled({ cron: '* * * * * *' }), { name: 'test', via: 'token' });
    const b = engine({ file, clock });
    await b.engine.refreshRoutes(); // a second process that sees the same flow (not started: it must not recover a's runs)
    clock.t = T0 + 1000;
    const outcomes = await Promise.all([a.engine.schedules.check(), a.engine.schedules.check(), b.engine.schedules.check()]);
    // b goes on from the latest tick handled in the database: a's, so it has nothing to do.
    expect(outcomes.flat().map((o) => o.result)).toEqual(['started']);
    expect(startsAt(a)).toEqual(['2026-11-24T00:00:01.000Z']);
  });

  it('after a restart, runs the latest missed tick if it is not too late, and records the others as missed', async () => {
    const file = dbFile();
    const clock = new ManualClock(T0);
    const first = engine({ file, clock });
    await first.engine.start();
    await first.engine.flows.create(scheduled({ cron: '*/5 * * * *' }), { name: 'test', via: 'token' });
    await at(first, '2026-11-24T00:05:00Z');
    await settle(first);
    await stop(first); // down from 00:05:00 to 00:17:30: 00:10 and 00:15 were missed

    clock.t = Date.parse('2026-11-24T00:17:30Z');
    const second = engine({ file, clock });
    await second.engine.start();
    await second.engine.schedules.check();
    expect(ticksOf(second)).toEqual([
      { at: '2026-11-24T00:05:00.000Z', status: 'started' },
      { at: '2026-11-24T00:10:00.000Z', status: 'skipped', reason: 'missed' },
      { at: '2026-11-24T00:15:00.000Z', status: 'started' },
    ]);
    // Started again at the same time: nothing is run twice.
    await settle(second);
    await stop(second);
    const third = engine({ file, clock });
    await third.engine.start();
    expect(await third.engine.schedules.check()).toEqual([]);
    expect(startsAt(third)).toEqual(['2026-11-24T00:05:00.000Z', '2026-11-24T00:15:00.000Z']);
    await settle(third);
    await at(third, '2026-11-24T00:20:00Z');
    expect(startsAt(third)).toHaveLength(3);
  });

  it('skips a missed tick that is later than catchUpSeconds, and counts long outages as one stretch', async () => {
    const file = dbFile();
    const clock = new ManualClock(T0);
    const first = engine({ file, clock });
    await first.engine.start();
    await first.engine.flows.create(scheduled({ cron: '*/5 * * * *', catchUpSeconds: 60 }), { name: 'test', via: 'token' });
    await at(first, '2026-11-24T00:04:59Z');
    await first.engine.flows.create(scheduled({ cron: '* * * * * *' }, { id: 'every-second' }), { name: 'test', via: 'token' });
    await at(first, '2026-11-24T00:05:00Z');
    await settle(first);
    await stop(first);

    clock.t = Date.parse('2026-11-24T01:07:30Z'); // 00:10 … 01:05 missed; 01:05 is 150 s late
    const second = engine({ file, clock });
    await second.engine.start();
    await second.engine.schedules.check();
    expect(ticksOf(second)).toEqual([
      { at: '2026-11-24T00:05:00.000Z', status: 'started' },
      { at: '2026-11-24T01:05:00.000Z', status: 'skipped', reason: 'missed', count: 12, from: '2026-11-24T00:10:00.000Z' },
    ]);
    expect(startsAt(second)).toEqual(['2026-11-24T00:05:00.000Z']);
    // Every second since 00:05:00: the latest one runs, the 3749 before it are one row.
    expect(ticksOf(second, 'every-second')).toEqual([
      { at: '2026-11-24T00:05:00.000Z', status: 'started' },
      { at: '2026-11-24T01:07:29.000Z', status: 'skipped', reason: 'missed', count: 3749, from: '2026-11-24T00:05:01.000Z' },
      { at: '2026-11-24T01:07:30.000Z', status: 'started' },
    ]);
    await at(second, '2026-11-24T01:10:00Z');
    expect(startsAt(second)).toEqual(['2026-11-24T00:05:00.000Z', '2026-11-24T01:10:00.000Z']);
  });

  it('a flow created or enabled later starts with its next tick, not with ticks from before', async () => {
    const t = engine();
    await t.engine.start();
    await t.engine.flows.create(scheduled({ cron: '*/5 * * * *' }, { enabled: false }), { name: 'test', via: 'token' });
    await at(t, '2026-11-24T00:05:00Z');
    expect(runsOf(t)).toEqual([]);
    t.clock.t = Date.parse('2026-11-24T00:12:00Z');
    const stored = (await t.engine.flows.get('nightly'));
    await t.engine.flows.update('nightly', { ...stored.flow, enabled: true }, stored.revision, { name: 'test', via: 'token' });
    expect(await t.engine.schedules.check()).toEqual([]);
    await at(t, '2026-11-24T00:15:00Z');
    // A changed expression applies from the next check on.
    const enabled = (await t.engine.flows.get('nightly'));
    const doc = structuredClone(enabled.flow);
    doc.nodes[0]!.config = { ...doc.nodes[0]!.config, cron: '0 * * * *' };
    await t.engine.flows.update('nightly', doc, enabled.revision, { name: 'test', via: 'token' });
    await at(t, '2026-11-24T00:20:00Z');
    await at(t, '2026-11-24T01:00:00Z');
    expect(startsAt(t)).toEqual(['2026-11-24T00:15:00.000Z', '2026-11-24T01:00:00.000Z']);
    // Disabled: no more ticks.
    const last = (await t.engine.flows.get('nightly'));
    await t.engine.flows.update('nightly', { ...last.flow, enabled: false }, last.revision, { name: 'test', via: 'token' });
    await at(t, '2026-11-24T02:00:00Z');
    expect(startsAt(t)).toHaveLength(2);
    expect(t.engine.schedules.list()).toEqual([]);
  });

  it('skips ticks while the previous run has not finished, recording them as one stretch', async () => {
    const t = engine();
    await t.engine.start();
    await t.engine.flows.create(scheduled({ cron: '* * * * *' }, { approval: true }), { name: 'test', via: 'token' });
    const [first] = await at(t, '2026-11-24T00:01:00Z');
    await waitFor(() => approvalsRepo.list(t.store.db, { status: 'pending', limit: 10 })[0]);
    expect((await at(t, '2026-11-24T00:02:00Z'))[0]).toMatchObject({ result: 'overlap', executionId: first!.executionId });
    await at(t, '2026-11-24T00:03:00Z');
    expect(ticksOf(t)).toEqual([
      { at: '2026-11-24T00:01:00.000Z', status: 'started' },
      { at: '2026-11-24T00:03:00.000Z', status: 'skipped', reason: 'overlap', count: 2, from: '2026-11-24T00:02:00.000Z' },
    ]);
    const approval = approvalsRepo.list(t.store.db, { status: 'pending', limit: 10 })[0]!;
    await t.engine.decide(approval.id, { decision: 'reject' }, adminDecider());
    await waitFor(() => executionsRepo.get(t.store.db, first!.executionId!)?.status === 'succeeded');
    expect((await at(t, '2026-11-24T00:04:00Z'))[0]).toMatchObject({ result: 'started' });
    expect(startsAt(t)).toEqual(['2026-11-24T00:01:00.000Z', '2026-11-24T00:04:00.000Z']);
  });

  it('while automation is paused, a tick queues (like a webhook) and later ticks wait behind it', async () => {
    const t = engine();
    await t.engine.start();
    await t.engine.setPaused(true, { name: 'test', via: 'token' });
    await t.engine.flows.create(scheduled({ cron: '* * * * *' }), { name: 'test', via: 'token' });
    const [queued] = await at(t, '2026-11-24T00:01:00Z');
    expect(queued).toMatchObject({ result: 'started' });
    expect((await at(t, '2026-11-24T00:02:00Z'))[0]).toMatchObject({ result: 'overlap', executionId: queued!.executionId });
    await t.engine.idle();
    expect(executionsRepo.get(t.store.db, queued!.executionId!)!.status).toBe('queued');
    await t.engine.setPaused(false, { name: 'test', via: 'token' });
    await waitFor(() => executionsRepo.get(t.store.db, queued!.executionId!)?.status === 'no_action');
    await at(t, '2026-11-24T00:03:00Z');
    expect(startsAt(t)).toEqual(['2026-11-24T00:01:00.000Z', '2026-11-24T00:03:00.000Z']);
  });

  it('a run a crash interrupted still counts as unfinished after the restart', async () => {
    const file = dbFile();
    const clock = new ManualClock(T0);
    const first = engine({ file, clock });
    await first.engine.start();
    await first.engine.setPaused(true, { name: 'test', via: 'token' }); // keeps the run queued, as a crash before it ran would
    await first.engine.flows.create(scheduled({ cron: '* * * * *' }), { name: 'test', via: 'token' });
    const [run] = await at(first, '2026-11-24T00:01:00Z');
    await stop(first);

    clock.t = Date.parse('2026-11-24T00:02:00.500Z');
    const second = engine({ file, clock });
    await second.engine.start();
    await second.engine.schedules.check();
    expect(ticksOf(second)).toEqual([
      { at: '2026-11-24T00:01:00.000Z', status: 'started' },
      { at: '2026-11-24T00:02:00.000Z', status: 'skipped', reason: 'overlap' },
    ]);
    expect(scheduleTicksRepo.latest(second.store.db, 'nightly', 'tick')!.executionId).toBe(run!.executionId);
  });
});
