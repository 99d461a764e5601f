import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { adminDatabaseUrl, postgresAvailable, postgresProcesses } from '../kit/postgres.js';
import { roundRobin } from '../kit/proxy.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget } from '../kit/target.js';
import { letTimePass, waitFor } from '../kit/wait.js';

/**
 * PostgreSQL unreachable for 10 s while two `salve serve --database` processes take deliveries
 * through a proxy. The test closes the database to connections (`ALLOW_CONNECTIONS false`) and
 * ends every session on it (`pg_terminate_backend`), as a stopped server would, without stopping
 * the machine's PostgreSQL that other suites share. Then: deliveries were answered 202 or
 * 503 + Retry-After (never a 5xx of another kind), every acknowledged alert has its run and it
 * ends, and both processes take deliveries again by themselves.
 */

const TOKEN = 'outage-admin-token-0123456789abcdef';
const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');
const OUTAGE_MS = 10_000;

describe.runIf(postgresAvailable)('PostgreSQL away for 10 s under load', () => {
  const processes = postgresProcesses();
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) {
      removeDir(d);
      removeDir(`${d}-config`);
    }
  });

  /** Runs `sql` as the server's admin, from its maintenance database (never the one being closed). */
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminDatabaseUrl() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  it('answers 503 + Retry-After meanwhile, loses no acknowledged alert, and recovers by itself', async () => {
    const database = await processes.database();
    const target = await startTarget(async () => ({ status: 200, body: '{}' }));
    const env = { SALVE_DATABASE_URL: database.url, SALVE_MASTER_KEY: MASTER_KEY, SALVE_ALLOWED_TARGETS: '127.0.0.1' };
    for (let i = 0; i < 2; i++) {
      dirs.push(tempDataDir());
      servers.push(await startServer({ dataDir: dirs[i]!, token: TOKEN, env }));
    }
    const proxy = await roundRobin(() => servers.map((s) => s.url));
    const flow = {
      format: 'salve.flow/v1',
      id: 'effect',
      name: 'one effect per alert',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'outage', auth: { type: 'none' } } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/effect/{{ alert.fingerprint }}` } },
      ],
      edges: [{ source: 'am', target: 'call' }],
    };
    expect((await servers[0]!.api('POST', '/api/flows', flow)).status).toBe(201);
    for (const s of servers) await waitFor(async () => (await fetch(`${s.url}/hooks/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404);

    const statuses = new Map<number, number>();
    const withoutRetryAfter: number[] = [];
    const acknowledged = new Map<string, string>();
    let sent = 0;
    let stop = false;
    /** One sender: a new alert at a time, each sent again until accepted (as Alertmanager does). */
    const sender = async (lane: number) => {
      while (!stop) {
        const fp = `fp-${lane}-${sent++}`;
        for (;;) {
          const res = await fetch(`${proxy.url}/hooks/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint: fp })])) });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 503 && !res.headers.get('retry-after')) withoutRetryAfter.push(res.status);
          const body = (await res.json().catch(() => null)) as { executions?: string[] } | null;
          if (res.status === 202) {
            if (body?.executions?.[0]) acknowledged.set(fp, body.executions[0]);
            break;
          }
          if (stop) break;
          await letTimePass(100, 'a sender waits a little before sending a refused alert again');
        }
      }
    };
    const senders = Array.from({ length: 4 }, (_, lane) => sender(lane));

    await letTimePass(2_000, 'load runs before the outage');
    const before = acknowledged.size;
    await admin(`alter database "${database.name}" allow_connections false`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database.name}'`);
    await letTimePass(OUTAGE_MS, 'PostgreSQL is away for 10 s');
    const during = statuses.get(503) ?? 0;
    await admin(`alter database "${database.name}" allow_connections true`);
    // Both processes take deliveries again by themselves: new alerts are acknowledged through each.
    const acknowledgedAtReturn = acknowledged.size;
    await waitFor(() => acknowledged.size > acknowledgedAtReturn + 20, 30_000, 'deliveries acknowledged again after the outage');
    for (const s of servers) {
      await waitFor(async () => (await fetch(`${s.url}/healthz`).then((r) => r.json())).database === 'ok', 30_000, `${s.url} healthy again`);
    }
    stop = true;
    await Promise.all(senders);

    // Only 202 and 503 + Retry-After (no 500, no 502: both processes lived through it).
    expect([...statuses.keys()].sort()).toEqual([202, 503]);
    expect(withoutRetryAfter).toEqual([]);
    expect(before).toBeGreaterThan(0);
    expect(during).toBeGreaterThan(0);

    // Every acknowledged alert has its run, and each ends succeeded, with one effect.
    const runStatus = async (id: string) => (await servers[1]!.api('GET', `/api/executions/${id}`)).body?.status as string | undefined;
    for (const [fp, id] of acknowledged) {
      await waitFor(async () => (await runStatus(id)) === 'succeeded', 120_000, `the run of ${fp} to succeed`);
    }
    const keysByPath = new Map<string, Set<string>>();
    for (const r of target.requests) {
      const set = keysByPath.get(r.url) ?? new Set<string>();
      set.add(String(r.headers['idempotency-key']));
      keysByPath.set(r.url, set);
    }
    for (const fp of acknowledged.keys()) expect(keysByPath.get(`/effect/${fp}`)?.size, `keys sent for ${fp}`).toBe(1);
    console.log(`outage: ${acknowledged.size} alerts acknowledged (${before} before the outage), statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    await proxy.close();
    await target.close();
  }, 240_000);
});
