import { describe, expect, it } from 'vitest';
import type { EventMatch } from '../../../shared/event-log.js';
import { eventsRepo } from '../../store/events-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { formatIssues, type ValidationError } from '../../../shared/errors.js';

/**
 * Flap protection: an alert that fires again within the flow's flapWindow after its run saw it
 * resolve is the same incident: no second run, the event's match says `flap` and names the run.
 */

const MIN = 60_000;
/** A flow that runs a delay for each firing alert, with a 10 min flap window. */
const flow = (settings: Record<string, unknown> = { flapWindow: 600 }) =>
  flowDoc({ settings, nodes: [{ id: 'pause', type: 'action.delay', config: { seconds: 1 } }], edges: [{ source: 'am', target: 'pause' }] });

function kit() {
  const t = testEngine();
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    ...t,
    /** A firing notification of `fp` that started at the clock's time (a new firing has a new startsAt). */
    fire: (fp = 'fp-disk') => t.engine.ingest('infra', webhookDelivery(amBody(fp, { startsAt: iso(t.clock.now()) }))),
    resolve: (fp = 'fp-disk') => t.engine.ingest('infra', webhookDelivery(amBody(fp, { status: 'resolved', endsAt: iso(t.clock.now()) }))),
    event: (id: string) => {
      const row = eventsRepo.get(t.store.db, id)!;
      return { ...row, matches: JSON.parse(row.matches) as EventMatch[] };
    },
  };
}

describe('flap protection', () => {
  it('fire → run → resolve → fire again within the window: no new run, match `flap` naming the run', async () => {
    const k = kit();
    await k.engine.flows.create(flow(), { name: 'test', via: 'token' });
    const first = (await k.fire()).executions[0]!.id;
    k.clock.advance(5 * MIN);
    await k.resolve();
    expect(executionsRepo.get(k.store.db, first)?.alertResolvedAt).toBe(k.clock.now());

    k.clock.advance(3 * MIN);
    const again = await k.fire();
    expect(again.executions).toEqual([]);
    const ev = k.event(again.eventId);
    expect(ev).toMatchObject({
      outcome: 'duplicate',
      executionCount: 0,
      reason: `same incident: fired again 3 min after it resolved (flap window 10 min); run ${first} handled it`,
    });
    expect(ev.matches).toEqual([
      { flowId: 'f1', nodeId: 'am', alertIndex: 0, result: 'flap', executionId: first, reason: `same incident: fired again 3 min after it resolved (flap window 10 min); run ${first} handled it` },
    ]);
    // Another fingerprint is another incident.
    expect((await k.fire('fp-other')).executions).toHaveLength(1);
    k.store.close();
  });

  it('after the window, a new firing starts a new run', async () => {
    const k = kit();
    await k.engine.flows.create(flow(), { name: 'test', via: 'token' });
    const first = (await k.fire()).executions[0]!.id;
    await k.resolve();
    k.clock.advance(10 * MIN + 1000);
    const again = await k.fire();
    expect(again.executions).toHaveLength(1);
    expect(again.executions[0]!.id).not.toBe(first);
    expect(k.event(again.eventId).matches[0]).toMatchObject({ result: 'started' });
    k.store.close();
  });

  it('without a flap window, or while the first run has not seen a resolution, a new firing starts a run', async () => {
    const k = kit();
    await k.engine.flows.create(flow({}), { name: 'test', via: 'token' });
    await k.fire();
    await k.resolve();
    k.clock.advance(MIN);
    expect((await k.fire()).executions).toHaveLength(1);

    const w = kit();
    await w.engine.flows.create(flow(), { name: 'test', via: 'token' });
    await w.fire();
    w.clock.advance(MIN);
    expect((await w.fire()).executions).toHaveLength(1); // a new startsAt, nothing resolved yet
    k.store.close();
    w.store.close();
  });

  it('a manual run is not subject to flap protection', async () => {
    const k = kit();
    await k.engine.flows.create(
      flowDoc({
        settings: { flapWindow: 600 },
        source: null,
        nodes: [
          { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
          { id: 'by_hand', type: 'source.manual', config: {} },
          { id: 'pause', type: 'action.delay', config: { seconds: 1 } },
        ],
        edges: [
          { source: 'am', target: 'pause' },
          { source: 'by_hand', target: 'pause' },
        ],
      }),
      { name: 'test', via: 'token' },
    );
    await k.fire();
    await k.resolve();
    const manual = await k.engine.runManually('f1', { payload: { name: 'DiskFull' }, sourceNodeId: 'by_hand' }, { name: 'admin', via: 'token' });
    expect(executionsRepo.get(k.store.db, manual.executionId)?.status).toBeDefined();
    k.store.close();
  });

  it('the flap window is checked at save (whole seconds, 1..86400)', async () => {
    const k = kit();
    const refusal = (flapWindow: unknown) =>
      k.engine.flows.create(flow({ flapWindow }), { name: 'test', via: 'token' }).then(
        () => undefined,
        (error: ValidationError) => formatIssues(error.issues),
      );
    expect(await refusal(0)).toBe('settings.flapWindow: must be at least 1 second');
    expect(await refusal(90_000)).toBe('settings.flapWindow: must be at most 86400 seconds (a day)');
    expect(await refusal(1.5)).toBe('settings.flapWindow: must be a whole number of seconds');
    k.store.close();
  });
});
