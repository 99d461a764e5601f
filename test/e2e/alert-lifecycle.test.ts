import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { nextMillisecond, waitFor } from '../kit/wait.js';

/**
 * The alert lifecycle through a real server, with Alertmanager's own payloads: an approval whose
 * alert resolves is cancelled (onResolved: cancel, the default), and the alert firing again
 * within the flow's flap window starts nothing (match `flap`); a new fingerprint does.
 */
describe('alert lifecycle', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    const flow = {
      format: 'salve.flow/v1',
      id: 'db-restart',
      name: 'Database down: ask, then restart',
      enabled: true,
      settings: { flapWindow: 600 },
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'db', auth: { type: 'none' } } },
        { id: 'ask', type: 'approval.request', config: { message: 'Restart {{ alert.labels.service }}?', timeoutSeconds: 3600 } },
        { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarted'] } },
      ],
      edges: [
        { source: 'am', target: 'ask' },
        { source: 'ask', sourcePort: 'approved', target: 'restart' },
      ],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const post = async (body: unknown) => {
    await nextMillisecond();
    const res = await fetch(`${server.url}/hooks/db`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    return (await res.json()) as { eventId: string; executions: string[] };
  };
  const pending = async () => (await server.api('GET', '/api/approvals?status=pending')).body.items as { id: string; executionId: string }[];

  it('cancels the run waiting for approval when Alertmanager says the alert resolved; a refiring within the flap window starts nothing', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const firing = amAlert({ fingerprint: 'lc-db1', alertname: 'PostgresDown', startsAt });
    const run = (await post(amPayload([firing]))).executions[0]!;
    await waitFor(async () => (await pending()).some((a) => a.executionId === run), 10_000, 'the approval is asked');

    await post(amPayload([{ ...firing, status: 'resolved', endsAt: new Date().toISOString() }], 'resolved'));
    const cancelled = await waitFor(async () => {
      const exec = (await server.api('GET', `/api/executions/${run}`)).body;
      return exec.status === 'cancelled' && exec;
    }, 10_000, 'the run is cancelled at the next tick');
    expect(cancelled.error).toBe('the alert resolved while waiting for approval at node "ask" (onResolved: cancel)');
    expect(cancelled.approvals.map((a: { status: string }) => a.status)).toEqual(['cancelled']);
    expect((await pending()).filter((a) => a.executionId === run)).toEqual([]);

    // It fires again a moment later (a new startsAt, as Alertmanager sends after a resolution).
    const again = await post(amPayload([{ ...firing, startsAt: new Date().toISOString() }]));
    expect(again.executions).toEqual([]);
    const ev = (await server.api('GET', `/api/events/${again.eventId}`)).body;
    expect(ev).toMatchObject({ outcome: 'duplicate', executionCount: 0 });
    expect(ev.reason).toMatch(new RegExp(`^same incident: fired again .+ after it resolved \\(flap window 10 min\\); run ${run} handled it$`));
    expect(ev.matches).toEqual([expect.objectContaining({ result: 'flap', executionId: run })]);
    expect(ev.flows[0]).toMatchObject({ started: 0, duplicate: 1, duplicateOf: [run] });

    // Another database is another incident.
    const other = await post(amPayload([amAlert({ fingerprint: 'lc-db2', alertname: 'PostgresDown', instance: 'db2.example.internal:5432' })]));
    expect(other.executions).toHaveLength(1);
  });
});
