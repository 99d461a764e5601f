import { afterAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { FAULT_ENV, openDatabase } from '../kit/fault.js';
import { amSource, flowDoc } from '../kit/flow.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * Guard rails are kept in the database, not in memory: a cooldown and a tripped circuit breaker
 * still hold after the server is SIGKILLed and started again.
 */
describe('fault: kill -9 and the guard rails', () => {
  const dataDir = tempDataDir();
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.kill();
    removeDir(dataDir);
  });

  const post = async (path: string, instance: string, fingerprint: string) => {
    const res = await fetch(`${server!.url}/hooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ instance, fingerprint })])),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { executions: string[] }).executions[0]!;
  };

  it('a cooldown and a tripped breaker still hold after a kill -9 and a restart', async () => {
    server = await startServer({ dataDir, env: FAULT_ENV });
    const cooled = {
      ...flowDoc({ id: 'cooled', source: amSource({ path: 'cooled' }), nodes: [{ id: 'echo', type: 'action.shell', config: { command: ['echo', 'ok'] } }], edges: [{ source: 'am', target: 'echo' }] }),
      limits: { target: { key: 'alert.labels.instance', cooldown: 1800 } },
    };
    const failing = {
      ...flowDoc({ id: 'failing', source: amSource({ path: 'failing' }), nodes: [{ id: 'fail', type: 'action.shell', config: { command: ['false'] } }], edges: [{ source: 'am', target: 'fail' }] }),
      limits: { breaker: { failures: 1, window: 600 } },
    };
    for (const flow of [cooled, failing]) expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);

    const first = await post('cooled', 'web-1', 'fp-1');
    const failed = await post('failing', 'web-1', 'fp-2');
    const db = openDatabase(dataDir);
    const row = (id: string) => db.prepare('SELECT status, held_limit AS heldLimit, held_reason AS heldReason FROM executions WHERE id = ?').get(id) as { status: string; heldLimit: string | null; heldReason: string | null };
    await waitFor(() => row(first).status === 'succeeded' && row(failed).status === 'failed', 20_000, 'the first runs ended');
    expect((await server.api('GET', '/api/flows/failing/breaker')).body.state).toBe('tripped');

    await server.kill();
    server = await startServer({ dataDir, env: FAULT_ENV });

    const again = await post('cooled', 'web-1', 'fp-3');
    const other = await post('cooled', 'web-2', 'fp-4');
    const afterTrip = await post('failing', 'web-1', 'fp-5');
    expect(row(again)).toMatchObject({ status: 'held', heldLimit: 'cooldown' });
    expect(row(again).heldReason).toMatch(new RegExp(`^cooldown: web-1 was remediated \\d+ s before this run \\(run ${first}\\); cooldown 30 min$`));
    expect(row(afterTrip)).toMatchObject({ status: 'held', heldLimit: 'breaker' });
    await waitFor(() => row(other).status === 'succeeded', 20_000, 'another target runs');
    expect(row(again).status).toBe('held');
    db.close();
  }, 90_000);
});
