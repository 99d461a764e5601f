import { afterEach, describe, expect, it } from 'vitest';
import { executionsRepo } from '../../store/executions-repo.js';
import { onExecutionEnded } from '../../store/execution-ends.js';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { startTarget, type Target } from '../../../test/kit/target.js';
import { waitFor } from '../../../test/kit/wait.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';

/**
 * Building and preparing a query costs more than running it: the claim and every step of a run
 * (source → condition.match → action.http, the bench's flow) use statements prepared once
 * (store/prepared.ts), and this fails when one of them is built per call again.
 */
describe('runner: prepared statements on the claim and step path', () => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('prepares nothing while queued runs are claimed and run to their end', async () => {
    target = await startTarget();
    const kit = testEngine({ allowedTargets: ['127.0.0.1'], secrets: { API_TOKEN: 'prepared-test-token-1' }, secretHosts: { API_TOKEN: '127.0.0.1' }, maxConcurrent: 2 });
    await kit.engine.start();
    // Someone listens for ended runs (GET /metrics does): the end's flow is read too.
    const ended: string[] = [];
    onExecutionEnded(kit.store.db, (flowId, status) => ended.push(`${flowId}:${status}`));
    await kit.engine.flows.create(
      flowDoc({
        name: 'hot',
        nodes: [
          { id: 'match', type: 'condition.match', config: { matchers: 'alertname="DiskFull", severity=~"critical|page"' } },
          { id: 'act', type: 'action.http', config: { url: `${target.url}/fix/{{ alert.fingerprint }}`, headers: { authorization: { secret: 'API_TOKEN' } } } },
        ],
        edges: [
          { source: 'am', target: 'match' },
          { source: 'match', sourcePort: 'match', target: 'act' },
        ],
      }),
      { name: 'test', via: 'token' },
    );
    const alert = (fp: string) => webhookDelivery(amBody(fp, { alertname: 'DiskFull', severity: 'critical' }));
    const finished = () => executionsRepo.countByStatus(kit.store.db, 'succeeded');
    // The first run builds the statements.
    await kit.engine.ingest('infra', alert('warm'));
    await waitFor(() => finished() === 1);
    // Queued while paused (ingest is not what this test is about), run once resumed; the lease
    // renewals (a timer) are left out of the window.
    kit.engine.dispatcher.setPaused(true);
    kit.engine.dispatcher.leases.stop();
    for (const fp of ['a', 'b', 'c', 'd', 'e']) await kit.engine.ingest('infra', alert(fp));
    const prepared: string[] = [];
    const prepare = kit.store.sqlite.prepare;
    kit.store.sqlite.prepare = ((source: string) => (prepared.push(source), prepare.call(kit.store.sqlite, source))) as typeof prepare;
    try {
      kit.engine.dispatcher.setPaused(false);
      await waitFor(() => finished() === 6);
      await kit.engine.dispatcher.idle();
    } finally {
      kit.store.sqlite.prepare = prepare;
    }
    expect(prepared).toEqual([]);
    expect(target.requests.map((r) => r.url).sort()).toEqual(['/fix/a', '/fix/b', '/fix/c', '/fix/d', '/fix/e', '/fix/warm']);
    expect(ended).toHaveLength(6);
    await kit.engine.shutdown(0);
    kit.store.close();
  });
});
