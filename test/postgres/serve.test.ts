import { afterEach, describe, expect, it } from 'vitest';
import { amBody } from '../kit/alertmanager.js';
import { flowDoc } from '../kit/flow.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * `salve serve --database`: two real Salve processes (the built CLI, each with its own data
 * directory) on one PostgreSQL database, as behind a load balancer. What is done through one is
 * seen through the other; a delivery to either runs once; /healthz names the storage.
 */

const TOKEN = 'shared-admin-token-0123456789abcdef';
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

describe.runIf(postgresAvailable)('salve serve on PostgreSQL, two processes', () => {
  const fresh = databasesPerTest();
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) {
      removeDir(d);
      removeDir(`${d}-config`);
    }
  });

  const serve = async (url: string, env: Record<string, string> = {}) => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const server = await startServer({ dataDir, token: TOKEN, env: { SALVE_DATABASE_URL: url, SALVE_MASTER_KEY: MASTER_KEY, ...env } });
    servers.push(server);
    return server;
  };

  it('shares flows, runs, secrets and the kill switch between the processes; each delivery runs once', async () => {
    const database = await fresh();
    const a = await serve(database.url);
    const b = await serve(database.url);
    expect(a.output()).toContain('database: postgres://');

    const health = (await (await fetch(`${b.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', storage: 'postgres', database: 'ok', queue: 'ok' });

    // A flow created through A answers deliveries through B once B's next tick saw it.
    const flow = flowDoc({
      id: 'disk-full',
      nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'alert.labels.severity == "critical"' } }],
      edges: [{ source: 'am', target: 'check' }],
    });
    expect((await a.api('POST', '/api/flows', flow)).status).toBe(201);
    await waitFor(async () => (await fetch(`${b.url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amBody('fp-0')) })).status === 202);

    for (let i = 1; i <= 10; i++) {
      const via = i % 2 === 0 ? a : b;
      const res = await fetch(`${via.url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amBody(`fp-${i}`)) });
      expect(res.status).toBe(202);
    }
    // Both list the same eleven runs, each ended once.
    const runs = async (s: TestServer) => ((await s.api('GET', '/api/executions?flowId=disk-full&limit=50')).body as { items: { id: string; status: string }[] }).items;
    await waitFor(async () => (await runs(a)).length === 11 && (await runs(a)).every((r) => r.status === 'no_action'));
    expect((await runs(b)).map((r) => r.id).sort()).toEqual((await runs(a)).map((r) => r.id).sort());

    // A secret stored through B is listed through A.
    expect((await b.api('PUT', '/api/secrets/PAGER_TOKEN', { value: 'pager-token-value-0123' })).status).toBe(201);
    const names = async (s: TestServer) => ((await s.api('GET', '/api/secrets')).body as { secrets: { name: string }[] }).secrets.map((x) => x.name);
    await waitFor(async () => (await names(a)).includes('PAGER_TOKEN'));

    // The kill switch set through A holds in B.
    expect((await a.api('POST', '/api/automation/pause', {})).status).toBe(200);
    await waitFor(async () => ((await b.api('GET', '/api/automation')).body as { paused: boolean }).paused);
  });

  it('refuses to start without the shared master key, naming it', async () => {
    const database = await fresh();
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const failed = await startServer({ dataDir, token: TOKEN, env: { SALVE_DATABASE_URL: database.url } }).catch((error: Error) => error);
    expect(String(failed)).toContain('needs the same master key: set SALVE_MASTER_KEY');
  });
});
