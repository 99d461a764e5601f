import { describe, expect, it } from 'vitest';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { flowDoc } from '../../test/kit/flow.js';

/**
 * A wait that ends while its execution sits in the queue (a graceful stop checkpointed it there
 * while another branch still had work) must still lead on: the steps after it are created, and
 * run when the execution is claimed again.
 */
describe('a wait that ends while its run is queued', () => {
  it('still creates and runs the steps after it', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(
      flowDoc({
        nodes: [
          { id: 'pause', type: 'action.delay', config: { seconds: 30 } },
          { id: 'after', type: 'action.delay', config: { seconds: 1 } },
        ],
        edges: [
          { source: 'am', target: 'pause' },
          { source: 'pause', target: 'after' },
        ],
      }),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-q')))).executions[0]!.id;
    await waitFor(() => executionsRepo.get(store.db, id)?.status === 'waiting');
    // As a checkpoint would leave it: queued, its delay still waiting. Dispatch paused so it stays queued while the delay ends.
    engine.dispatcher.setPaused(true);
    store.writeNow((db) => executionsRepo.transition(db, id, ['waiting'], { status: 'queued', updatedAt: clock.now() }));
    clock.advance(30_000);
    await engine.dispatcher.tick();
    expect(stepsRepo.forExecution(store.db, id).find((s) => s.nodeId === 'pause')?.status).toBe('succeeded');
    expect(stepsRepo.forExecution(store.db, id).map((s) => s.nodeId)).toContain('after');

    engine.dispatcher.setPaused(false);
    await waitFor(() => stepsRepo.forExecution(store.db, id).find((s) => s.nodeId === 'after')?.status === 'waiting');
    await engine.shutdown(0);
    store.close();
  });
});
