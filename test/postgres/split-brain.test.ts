import { afterEach, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';
import { processAlive, removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * Lease expiry against a slow process (split brain), with real processes: two `salve serve` on
 * one PostgreSQL database. Process A runs an HTTP step whose target does not answer, and is
 * frozen (SIGSTOP) past its lease. B adopts the run and runs the step again with the same
 * Idempotency-Key; the target answers it. Then A is thawed (SIGCONT) and its answer arrives:
 * the lease is B's, so nothing A says is recorded, and A goes on serving.
 */

const TOKEN = 'split-brain-admin-token-0123456789';
const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');

describe.runIf(postgresAvailable)('a process frozen past its lease (SIGSTOP, then SIGCONT) on PostgreSQL', () => {
  const processes = postgresProcesses();
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      if (processAlive(s.serverPid)) process.kill(s.serverPid, 'SIGCONT');
      await s.stop();
    }
    for (const d of dirs.splice(0)) removeDir(d);
  });

  it('another process adopts its run and re-runs the idempotent step with the same key; the thawed process records nothing and keeps working', async () => {
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    // The first call is answered only once released (its process is frozen meanwhile); the rest at once.
    const target = await startTarget(async () => {
      const call = ++calls;
      if (call === 1) await held;
      return { status: 200, body: JSON.stringify({ call }) };
    });
    const database = await processes.database();
    const env = { SALVE_DATABASE_URL: database.url, SALVE_MASTER_KEY: MASTER_KEY, SALVE_ALLOWED_TARGETS: '127.0.0.1' };
    for (let i = 0; i < 2; i++) {
      dirs.push(tempDataDir());
      servers.push(await startServer({ dataDir: dirs[i]!, token: TOKEN, env }));
    }
    const [a, b] = servers as [TestServer, TestServer];
    const flow = {
      format: 'salve.flow/v1',
      id: 'restart',
      name: 'restart',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'split', auth: { type: 'none' } } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/restart/{{ alert.fingerprint }}`, timeoutSeconds: 300 } },
      ],
      edges: [{ source: 'am', target: 'call' }],
    };
    expect((await a.api('POST', '/api/flows', flow)).status).toBe(201);
    const deliver = async (server: TestServer, fingerprint: string) => {
      const res = await fetch(`${server.url}/hooks/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint })])) });
      expect(res.status).toBe(202);
      return ((await res.json()) as { executions: string[] }).executions[0]!;
    };
    const run = (id: string) => a.api('GET', `/api/executions/${id}`).then((r) => r.body);
    await waitFor(async () => (await fetch(`${b.url}/hooks/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404);

    // B frozen while the alert comes in, so A takes the run; A's call hangs at the target.
    process.kill(b.serverPid, 'SIGSTOP');
    const id = await deliver(a, 'fp-frozen');
    await waitFor(() => target.requests.length === 1, 30_000, 'A to call the target');
    process.kill(b.serverPid, 'SIGCONT');
    process.kill(a.serverPid, 'SIGSTOP');

    // A renews nothing while frozen: once its lease (30 s) ends, B adopts the run and sends again.
    const done = await waitFor(
      async () => {
        const r = await b.api('GET', `/api/executions/${id}`);
        return r.body?.status === 'succeeded' && r.body;
      },
      120_000,
      'B to adopt the run and finish it',
    );
    expect(target.requests).toHaveLength(2);
    const keys = target.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(`${id}:call`);
    expect(keys[1]).toBe(keys[0]);
    const recorded = () => done.steps.find((s: { nodeId: string }) => s.nodeId === 'call');
    expect(recorded()).toMatchObject({ status: 'succeeded', output: { body: { call: 2 } } });

    // A thaws, and its first call is answered now: the lease is B's, so A records nothing.
    process.kill(a.serverPid, 'SIGCONT');
    release!();
    await waitFor(async () => (await fetch(`${a.url}/healthz`)).status === 200, 30_000, 'A to answer again');
    const after = await waitFor(async () => {
      const r = await run(id);
      return r?.status ? r : undefined;
    });
    expect(after.status).toBe('succeeded');
    expect(after.steps.filter((s: { nodeId: string }) => s.nodeId === 'call')).toMatchObject([{ status: 'succeeded', output: { body: { call: 2 } } }]);
    // And A keeps working: a new alert delivered to it runs to the end.
    const next = await deliver(a, 'fp-after');
    await waitFor(async () => (await run(next))?.status === 'succeeded', 60_000, 'a new run after the thaw');
    expect(target.requests).toHaveLength(3);
    await target.close();
  }, 240_000);
});
