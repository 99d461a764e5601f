import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeDefinitions } from '../../../nodes/catalog.js';
import { stepsRepo } from '../../store/steps-repo.js';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { waitFor } from '../../../test/kit/wait.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';

/**
 * The runner commits an `intent` before running a step exactly when its definition says it has
 * side effects (`sideEffects`), whatever its category: a person's approval yes, a wait no.
 */
describe('runner: intent before side effects', () => {
  afterEach(() => vi.restoreAllMocks());

  it('commits an intent for side-effecting steps only', async () => {
    const kit = testEngine();
    await kit.engine.start();
    await kit.engine.flows.create(
      flowDoc({
        name: 'intent',
        nodes: [
          { id: 'check', type: 'condition.expr', config: { expression: 'true' } },
          { id: 'later', type: 'action.delay', config: { seconds: 60 } },
          { id: 'ask', type: 'approval.request', config: { message: 'Go on?' } },
        ],
        edges: [
          { source: 'am', target: 'check' },
          { source: 'check', sourcePort: 'true', target: 'later' },
          { source: 'check', sourcePort: 'true', target: 'ask' },
        ],
      }),
      { name: 'test', via: 'token' },
    );
    const intents: string[] = [];
    const transition = stepsRepo.transition.bind(stepsRepo);
    vi.spyOn(stepsRepo, 'transition').mockImplementation((db, id, from, change) => {
      if (change.status === 'intent') intents.push(stepsRepo.get(db, id)!.nodeId);
      return transition(db, id, from, change);
    });
    const { executions } = await kit.engine.ingest('infra', webhookDelivery(amBody('fp')));
    await waitFor(() => stepsRepo.forExecution(kit.store.db, executions[0]!.id).filter((s) => s.status === 'waiting').length === 2);
    expect(intents).toEqual(['ask']);
    // What decides it is the flag, not the category: a wait is an action without side effects.
    const def = (type: string) => nodeDefinitions.find((d) => d.type === type)!;
    expect([def('action.delay').category, def('action.delay').sideEffects]).toEqual(['action', false]);
    expect([def('approval.request').category, def('approval.request').sideEffects]).toEqual(['approval', true]);
    await kit.engine.shutdown(0);
    kit.store.close();
  });
});
