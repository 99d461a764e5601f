import { afterAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * SIGTERM: stop admitting, let the running step finish, checkpoint, exit 0; the next start
 * carries on where it stopped. Approvals survive the restart.
 */
describe('graceful shutdown and restart', () => {
  const dataDir = tempDataDir();
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.kill();
    removeDir(dataDir);
  });

  it('finishes the running step, exits 0, and resumes after a restart', async () => {
    server = await startServer({ dataDir });
    const flow = {
      format: 'salve.flow/v1',
      id: 'slow',
      name: 'slow step then approval',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'slow', auth: { type: 'none' } } },
        { id: 'slow', type: 'action.shell', config: { command: ['sleep', '1.5'] } },
        { id: 'ask', type: 'approval.request', config: { message: 'continue?', timeoutSeconds: 3600, allowSelfApproval: true } },
        { id: 'after', type: 'action.shell', config: { command: ['echo', 'done'] } },
      ],
      edges: [
        { source: 'am', target: 'slow' },
        { source: 'slow', sourcePort: 'ok', target: 'ask' },
        { source: 'ask', sourcePort: 'approved', target: 'after' },
      ],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/slow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    const id = ((await res.json()) as { executions: string[] }).executions[0]!;
    await waitFor(async () => (await server!.api('GET', `/api/executions/${id}`)).body.steps.some((s: any) => s.nodeId === 'slow' && s.status === 'intent'), 10_000, 'the slow step to start');

    const url = server.url;
    const exited = server.stop();
    // While it drains (the slow step still runs), health says so and new deliveries are
    // refused with 503 + Retry-After, which senders retry.
    await waitFor(async () => (await fetch(`${url}/healthz`)).status === 503, 5000, 'health to report stopping');
    const during = await fetch(`${url}/hooks/slow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint: 'later' })])) });
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBeTruthy();
    expect(await exited).toBe(0);

    server = await startServer({ dataDir });
    const execution = await waitFor(async () => {
      const e = (await server!.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'waiting' ? e : undefined;
    }, 10_000, 'the execution to wait for approval after the restart');
    const slow = execution.steps.find((s: any) => s.nodeId === 'slow');
    expect(slow.status).toBe('succeeded'); // finished before exit, not `unknown`
    expect(slow.attempt).toBe(1);

    // Restart again while it waits: the approval is still there and can be decided.
    await server.stop();
    server = await startServer({ dataDir });
    const approvals = (await server.api('GET', '/api/approvals?status=pending')).body.items;
    expect(approvals.map((a: any) => a.executionId)).toEqual([id]);
    expect((await server.api('POST', `/api/approvals/${approvals[0].id}`, { decision: 'approve' })).status).toBe(200);
    const done = await waitFor(async () => {
      const e = (await server!.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'succeeded' ? e : undefined;
    }, 10_000, 'the execution to finish');
    expect(done.steps.find((s: any) => s.nodeId === 'after').output.stdout).toBe('done\n');
  }, 60_000);

  it('refuses a second server on the same data directory', async () => {
    await expect(startServer({ dataDir })).rejects.toThrow(/in use by process/);
  });
});
