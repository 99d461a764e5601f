// The PostgreSQL rows of `npm run bench`: Salve with `serve --database`, one process and two
// processes on one database, each on a fresh database of the local PostgreSQL server
// (BENCH_DATABASE_URL: the server's maintenance database, default the machine's local one).
// Ingest (automation paused) and complete runs/s (the whole-system flow), measured like the SQLite
// rows. With two processes, one wrk per process runs at once (half the connections each) and the
// figures are summed: a proxy in between would be the limit, not Salve.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { start } from './process.js';
import { alertFlow, HOOK_HEADERS, remediationFlow, runCounts, startSalve } from './salve.js';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MASTER_KEY = Buffer.alloc(32, 11).toString('base64');

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database for one row; `drop()` after. */
async function freshDatabase() {
  const name = `salve_bench_${randomBytes(5).toString('hex')}`;
  await admin(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

/** Whether a PostgreSQL server answers at BENCH_DATABASE_URL (else the rows are reported as not measured). */
export async function postgresReachable() {
  try {
    await admin('select 1');
    return undefined;
  } catch (error) {
    return String(error.code ?? error.message);
  }
}

/** `count` Salve processes on one fresh database; `stop()` stops them and drops it. */
async function cluster(count) {
  const database = await freshDatabase();
  const servers = [];
  try {
    // One at a time: the first applies the migrations, the others find nothing left to do.
    for (let i = 0; i < count; i++) servers.push(await startSalve({ env: { SALVE_DATABASE_URL: database.url, SALVE_MASTER_KEY: MASTER_KEY } }));
  } catch (error) {
    for (const s of servers) await s.stop();
    await database.drop();
    throw error;
  }
  return {
    servers,
    async stop() {
      for (const s of servers) await s.stop();
      await database.drop();
    },
  };
}

/** Runs wrk against each server at once, `connections` split between them; the figures summed (2xx/s, errors) or the worst (latency). */
async function loadAll(gen, connections, servers, path, nonce, seconds) {
  const results = await Promise.all(
    servers.map((s, i) => gen.run({ url: `${s.url}${path}`, headers: HOOK_HEADERS, nonce: `${nonce}p${i}`, connections: Math.ceil(connections / servers.length), ...(seconds ? { seconds } : {}) })),
  );
  const sum = (key) => results.reduce((a, r) => a + r[key], 0);
  return { okRps: sum('okRps'), non2xx: sum('non2xx'), socketErrors: sum('socketErrors'), p50: Math.max(...results.map((r) => r.p50)), p99: Math.max(...results.map((r) => r.p99)), seconds: results[0].seconds };
}

/** Runs of `flowId` ended (summed over the processes: each counts the runs it ended) and still active (read from the shared database). */
async function clusterCounts(servers, flowId) {
  const counts = await Promise.all(servers.map((s) => runCounts(s, flowId)));
  return { succeeded: counts.reduce((a, c) => a + c.succeeded, 0), active: counts[0].active };
}

async function drained(servers, flowId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await clusterCounts(servers, flowId);
    if (c.active === 0 || Date.now() > deadline) return { ...c, drained: c.active === 0 };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The rows: ingest and complete runs/s, with 1 and 2 processes. `gen` is the bench's load
 * generator; `here` the bench's directory (for the target). Returns table rows and report lines.
 */
export async function benchPostgres({ gen, connections, nonce, warmupSeconds, drainMs, here }) {
  const rows = [];
  const lines = [];
  for (const count of [1, 2]) {
    const label = `${count} process${count > 1 ? 'es' : ''}`;
    console.error(`bench: Salve on PostgreSQL, ${label}, ingest`);
    {
      const c = await cluster(count);
      try {
        await c.servers[0].api('POST', '/api/flows', alertFlow('ingest', 'infra'));
        await c.servers[0].api('POST', '/api/automation/pause');
        // Every process routes the path once its tick saw the flow.
        await new Promise((r) => setTimeout(r, 2_000));
        await loadAll(gen, connections, c.servers, '/hooks/infra', `${nonce}pgiw${count}`, warmupSeconds);
        const result = await loadAll(gen, connections, c.servers, '/hooks/infra', `${nonce}pgim${count}`);
        rows.push({ key: `pg-ingest-${count}`, name: `Salve on PostgreSQL, ${label}: ingest (automation paused)${count > 1 ? ', one wrk per process, summed' : ''}`, result });
      } finally {
        await c.stop();
      }
    }
    console.error(`bench: Salve on PostgreSQL, ${label}, whole system`);
    {
      const target = await start([join(here, 'target.js')]);
      const c = await cluster(count);
      try {
        await c.servers[0].api('POST', '/api/flows', remediationFlow('whole', 'whole', target.url));
        await new Promise((r) => setTimeout(r, 2_000));
        await loadAll(gen, connections, c.servers, '/hooks/whole', `${nonce}pgww${count}`, warmupSeconds);
        const warm = await drained(c.servers, 'whole', drainMs);
        const t0 = Date.now();
        const result = await loadAll(gen, connections, c.servers, '/hooks/whole', `${nonce}pgwm${count}`);
        const end = await drained(c.servers, 'whole', drainMs);
        const seconds = (Date.now() - t0) / 1000;
        const succeeded = end.succeeded - warm.succeeded;
        rows.push({ key: `pg-whole-${count}`, name: `Salve on PostgreSQL, ${label}: whole system, accepted while runs execute`, result });
        lines.push(
          `PostgreSQL, ${label}: complete 3-step runs: ${succeeded} succeeded in ${seconds.toFixed(1)} s from the first measured request to the last run's end = **${(succeeded / seconds).toFixed(0)} runs/s**${end.drained ? '' : ' (NOT drained)'}`,
        );
      } finally {
        await c.stop();
        await target.stop();
      }
    }
  }
  return { rows, lines };
}
