import { describe, expect, it } from 'vitest';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { amSource, flowDoc } from '../../test/kit/flow.js';

/**
 * wait.resolved: a run waits (as a row) until its alert's resolved notification arrives on the
 * flow's source, or `within` passes. The resolution wakes it at the next tick.
 */

/** Alertmanager (firing starts a run; resolved notifications are still matched to runs) → wait → a delay on each port, to see which was taken. */
const flow = flowDoc({
  source: amSource({ on: 'firing' }),
  nodes: [
    { id: 'cleared', type: 'wait.resolved', config: { within: 600 } },
    { id: 'after_resolved', type: 'action.delay', config: { seconds: 1 } },
    { id: 'after_timeout', type: 'action.delay', config: { seconds: 1 } },
  ],
  edges: [
    { source: 'am', target: 'cleared' },
    { source: 'cleared', sourcePort: 'resolved', target: 'after_resolved' },
    { source: 'cleared', sourcePort: 'timeout', target: 'after_timeout' },
  ],
});

const waitStep = (store: ReturnType<typeof testEngine>['store'], id: string) => stepsRepo.forExecution(store.db, id).find((s) => s.nodeId === 'cleared');

describe('wait.resolved', () => {
  it('continues on "resolved" when the resolved notification arrives, at the next tick', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(flow, { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => waitStep(store, id)?.status === 'waiting' && executionsRepo.get(store.db, id)?.status === 'waiting');
    expect(waitStep(store, id)).toMatchObject({ waitReason: 'resolved', wakeAt: clock.now() + 600_000 });

    // A resolution of another alert changes nothing.
    await engine.ingest('infra', webhookDelivery(amBody('fp-other', { status: 'resolved' })));
    await engine.dispatcher.tick();
    expect(waitStep(store, id)?.status).toBe('waiting');

    clock.advance(42_000);
    await engine.ingest('infra', webhookDelivery(amBody('fp-disk', { status: 'resolved', endsAt: new Date(clock.now()).toISOString() })));
    await engine.dispatcher.tick();
    await waitFor(() => waitStep(store, id)?.status === 'succeeded');
    expect(waitStep(store, id)).toMatchObject({ port: 'resolved' });
    expect(JSON.parse(waitStep(store, id)!.output!)).toEqual({ resolvedAt: new Date(clock.now()).toISOString(), waitedSeconds: 42 });
    await engine.shutdown(0);
    store.close();
  });

  it('takes "timeout" when no resolution comes within the time', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(flow, { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => executionsRepo.get(store.db, id)?.status === 'waiting');
    clock.advance(599_000);
    await engine.dispatcher.tick();
    expect(waitStep(store, id)?.status).toBe('waiting');
    clock.advance(1_000);
    await engine.dispatcher.tick();
    await waitFor(() => waitStep(store, id)?.status === 'succeeded');
    expect(waitStep(store, id)).toMatchObject({ port: 'timeout' });
    expect(JSON.parse(waitStep(store, id)!.output!)).toEqual({ resolvedAt: null, waitedSeconds: 600 });
    await engine.shutdown(0);
    store.close();
  });

  it('goes on at once when the resolution arrived before the step started', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    const slow = flowDoc({
      source: amSource({ on: 'firing' }),
      nodes: [
        { id: 'pause', type: 'action.delay', config: { seconds: 60 } },
        { id: 'cleared', type: 'wait.resolved', config: { within: 600 } },
      ],
      edges: [
        { source: 'am', target: 'pause' },
        { source: 'pause', target: 'cleared' },
      ],
    });
    await engine.flows.create(slow, { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => executionsRepo.get(store.db, id)?.status === 'waiting');
    await engine.ingest('infra', webhookDelivery(amBody('fp-disk', { status: 'resolved' })));
    expect(executionsRepo.get(store.db, id)?.alertResolvedAt).not.toBeNull();
    store.writeNow((db) => stepsRepo.wakeWaiting(db, [id], 'delay', 0)); // end the delay now
    await engine.dispatcher.tick();
    await waitFor(() => waitStep(store, id)?.status === 'succeeded');
    expect(waitStep(store, id)).toMatchObject({ port: 'resolved' });
    await engine.shutdown(0);
    store.close();
  });
});
