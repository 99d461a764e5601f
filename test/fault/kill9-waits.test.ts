import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget, type ReceivedRequest } from '../kit/target.js';
import { deliver, FAULT_ENV, openDatabase } from '../kit/fault.js';
import { flowDoc, amSource } from '../kit/flow.js';
import { waitFor } from '../kit/wait.js';

/**
 * kill -9 during durable waits between tries: one run waits in a retry backoff (its first
 * request failed), another between the probes of a polling check. The server is SIGKILLed while
 * both wait and started again: each carries on at its planned time, sends nothing early and
 * nothing twice, and ends succeeded.
 */
describe('fault: kill -9 while runs wait to try again', () => {
  const dataDir = tempDataDir();
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.kill();
    removeDir(dataDir);
  });

  it('resumes a retry backoff and a poll after a kill, each at its time, once', async () => {
    let cleanups = 0;
    let probes = 0;
    const seen: { at: number; req: ReceivedRequest }[] = [];
    const target = await startTarget((req) => {
      seen.push({ at: Date.now(), req });
      if (req.url.startsWith('/cleanup')) return ++cleanups === 1 ? { status: 503, body: '{"error":"busy"}' } : { status: 200, body: '{"ok":true}' };
      return ++probes <= 1 ? { status: 503, body: '{"status":"down"}' } : { status: 200, body: '{"status":"ok"}' };
    });
    server = await startServer({ dataDir, env: FAULT_ENV });
    const retried = flowDoc({
      id: 'retried',
      source: amSource({ path: 'retried' }),
      nodes: [{ id: 'clean', type: 'action.http', config: { method: 'POST', url: `${target.url}/cleanup` }, retry: { attempts: 3, initialDelay: 4, jitter: 0 } }],
      edges: [{ source: 'am', target: 'clean' }],
    });
    const polled = flowDoc({
      id: 'polled',
      source: amSource({ path: 'polled' }),
      nodes: [{ id: 'verify', type: 'check.http', config: { url: `${target.url}/health`, every: 5, within: 60 } }],
      edges: [{ source: 'am', target: 'verify' }],
    });
    for (const flow of [retried, polled]) expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);

    expect((await deliver(server.url, 'retried', 'fp-retry')).status).toBe(202);
    expect((await deliver(server.url, 'polled', 'fp-poll')).status).toBe(202);
    const db = openDatabase(dataDir);
    const waiting = () => (db.prepare("SELECT wait_reason AS r FROM steps WHERE status = 'waiting' ORDER BY wait_reason").all() as { r: string }[]).map((s) => s.r);
    await waitFor(() => waiting().join() === 'poll,retry', 10_000, 'both runs waiting to try again');
    expect(seen).toHaveLength(2); // the first try and the first probe

    await server.kill();
    server = await startServer({ dataDir, env: FAULT_ENV });

    const statuses = () => db.prepare('SELECT flow_id AS flow, status FROM executions ORDER BY flow_id').all() as { flow: string; status: string }[];
    await waitFor(() => statuses().every((s) => s.status === 'succeeded'), 30_000, 'both runs succeeded after the restart');
    const tries = (node: string) => db.prepare('SELECT status, attempt FROM steps WHERE node_id = ? ORDER BY seq').all(node);
    const cleanTries = tries('clean');
    const verifyTries = tries('verify');
    db.close();

    // Exactly one more request each after the restart: the second try and the second probe, not before their time.
    const at = (url: string, n: number) => seen.filter((s) => s.req.url === url)[n]!.at;
    expect(at('/cleanup', 1) - at('/cleanup', 0)).toBeGreaterThanOrEqual(4_000 - 50);
    expect(at('/health', 1) - at('/health', 0)).toBeGreaterThanOrEqual(5_000 - 50);
    expect(seen.filter((s) => s.req.url === '/cleanup')).toHaveLength(2);
    expect(seen.filter((s) => s.req.url === '/health')).toHaveLength(2);
    const keys = new Set(seen.filter((s) => s.req.url === '/cleanup').map((s) => s.req.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(cleanTries).toEqual([
      { status: 'retried', attempt: 1 },
      { status: 'succeeded', attempt: 2 },
    ]);
    expect(verifyTries).toEqual([
      { status: 'retried', attempt: 1 },
      { status: 'succeeded', attempt: 2 },
    ]);
    await target.close();
  }, 90_000);
});
