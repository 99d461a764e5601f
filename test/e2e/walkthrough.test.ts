import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload, diskFullFlow } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';

const AM_TOKEN = 'am-secret-token-for-tests';

describe('the README walkthrough, end to end against a real server', () => {
  let server: TestServer;
  let target: Target;

  beforeAll(async () => {
    target = await startTarget();
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN, SALVE_ALLOWED_TARGETS: '127.0.0.1' } }); // the target is on loopback
  });
  afterAll(async () => {
    await server?.stop();
    await target?.close();
    if (server) removeDir(server.dataDir);
  });

  const post = (body: unknown, token = AM_TOKEN) =>
    fetch(`${server.url}/hooks/infra`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  const execution = async (id: string) => (await server.api('GET', `/api/executions/${id}`)).body;

  it('creates the flow, runs clean-up, waits for approval, then restarts', async () => {
    const created = await server.api('POST', '/api/flows', diskFullFlow(target.url));
    expect(created.status).toBe(201);
    expect(created.body.revision).toBe(1);

    const res = await post(amPayload([amAlert()]));
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { executions: string[]; eventId: string };
    expect(accepted.executions).toHaveLength(1);
    const id = accepted.executions[0]!;

    const pending = await waitFor(async () => {
      const list = (await server.api('GET', '/api/approvals?status=pending')).body.items;
      return list.length > 0 ? list : undefined;
    }, 15_000, 'a pending approval');
    expect(pending[0].message).toBe('Restart postgresql on db1.example.internal:9100?');
    expect(pending[0].executionId).toBe(id);
    expect((await execution(id)).status).toBe('waiting');

    // The clean-up call reached the target once, with the idempotency key.
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.url).toBe('/cleanup?host=db1.example.internal:9100');
    expect(target.requests[0]!.headers['idempotency-key']).toBe(`${id}:clean`);
    expect(JSON.parse(target.requests[0]!.body)).toEqual({ path: '/var/tmp' });

    const decided = await server.api('POST', `/api/approvals/${pending[0].id}`, { decision: 'approve', comment: 'go' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('approved');

    const done = await waitFor(async () => {
      const e = await execution(id);
      return e.status === 'succeeded' ? e : undefined;
    }, 15_000, 'the execution to succeed');
    const byNode = Object.fromEntries(done.steps.map((s: any) => [s.nodeId, s]));
    expect(byNode.disk.port).toBe('match');
    expect(byNode.clean.port).toBe('ok');
    expect(byNode.clean.output.status).toBe(200);
    expect(byNode.ask.port).toBe('approved');
    expect(byNode.restart.status).toBe('succeeded');
    expect(byNode.restart.output.stdout).toBe('restarted postgresql\n');
    expect(byNode.restart.config.command).toEqual(['echo', 'restarted', 'postgresql']);

    // Deciding again changes nothing.
    const again = await server.api('POST', `/api/approvals/${pending[0].id}`, { decision: 'reject' });
    expect(again.status).toBe(409);
    expect((await execution(id)).status).toBe('succeeded');
  });

  it('does not run the same alert twice when Alertmanager re-sends it', async () => {
    const res = await post(amPayload([amAlert()]));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[]; duplicates: number };
    expect(body.executions).toEqual([]);
    expect(body.duplicates).toBe(1);
    expect(target.requests).toHaveLength(1);
  });

  it('stops at the approval when it is rejected', async () => {
    const res = await post(amPayload([amAlert({ fingerprint: 'ffff000011112222', instance: 'db2:9100' })]));
    const id = ((await res.json()) as { executions: string[] }).executions[0]!;
    const approval = await waitFor(async () => {
      const list = (await server.api('GET', '/api/approvals?status=pending')).body.items;
      return list.find((a: any) => a.executionId === id);
    }, 15_000, 'the approval');
    await server.api('POST', `/api/approvals/${approval.id}`, { decision: 'reject', comment: 'not now' });
    const done = await waitFor(async () => {
      const e = await execution(id);
      return e.status === 'succeeded' ? e : undefined;
    });
    const nodes = done.steps.map((s: any) => `${s.nodeId}:${s.port}`);
    expect(nodes).toEqual(['am:out', 'disk:match', 'clean:ok', 'ask:rejected']);
  });

  it('rejects a delivery with the wrong token and stores nothing', async () => {
    const before = (await server.api('GET', '/api/executions')).body.items.length;
    const res = await post(amPayload([amAlert({ fingerprint: '9999' })]), 'wrong-token');
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(AM_TOKEN);
    expect((await server.api('GET', '/api/executions')).body.items.length).toBe(before);
  });
});
