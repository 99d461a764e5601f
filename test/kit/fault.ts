import Database from 'better-sqlite3';
import { join } from 'node:path';
import { amAlert, amPayload } from './alertmanager.js';
import { waitFor, WaitTimeout } from './wait.js';

/** Helpers of the fault suite (test/fault): deliveries as a retrying sender makes them, and direct reads of the database. */

/** Every server in the fault suite may reach the loopback test target. */
export const FAULT_ENV = { SALVE_ALLOWED_TARGETS: '127.0.0.1' };

/** A second connection to a server's database, as an outside tool would open it (reads only, unless a test locks it). */
export function openDatabase(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, 'salve.db'));
  db.pragma('busy_timeout = 5000');
  return db;
}

export interface DbSummary {
  byStatus: Record<string, number>;
  total: number;
  /** Executions a runner should be working on: `running`, or with a step left in `intent`. */
  running: number;
  intentSteps: number;
  queued: number;
  /** (flow, dedup key) pairs with more than one execution. */
  duplicateKeys: number;
}

/** Counts what the fault tests assert on, straight from the database. */
export function summarize(db: Database.Database): DbSummary {
  const rows = db.prepare('SELECT status, count(*) AS n FROM executions GROUP BY status').all() as { status: string; n: number }[];
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  const intentSteps = (db.prepare("SELECT count(*) AS n FROM steps WHERE status = 'intent'").get() as { n: number }).n;
  const duplicateKeys = (
    db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM executions GROUP BY flow_id, dedup_key HAVING count(*) > 1)').get() as { n: number }
  ).n;
  return {
    byStatus,
    total: rows.reduce((a, r) => a + r.n, 0),
    running: byStatus.running ?? 0,
    queued: byStatus.queued ?? 0,
    intentSteps,
    duplicateKeys,
  };
}

/**
 * Waits until every expected execution exists and none is queued, running or waiting, and no step
 * is in intent; returns the last summary (also on a timeout, so the test's assertions show what was left).
 */
export async function waitUntilSettled(db: Database.Database, expectedTotal: number, timeoutMs: number): Promise<DbSummary> {
  const settled = () => {
    const s = summarize(db);
    return s.total >= expectedTotal && s.running + s.queued + (s.byStatus.waiting ?? 0) + s.intentSteps === 0;
  };
  await waitFor(settled, timeoutMs, `${expectedTotal} executions to settle`).catch((error: unknown) => {
    if (!(error instanceof WaitTimeout)) throw error;
  });
  return summarize(db);
}

export interface Delivery {
  status: number;
  retryAfter: string | null;
  executions: string[];
  duplicates: number;
}

/** POSTs one Alertmanager alert to `/hooks/<path>`; a refused connection is status 0. */
export async function deliver(url: string, path: string, fingerprint: string): Promise<Delivery> {
  try {
    const res = await fetch(`${url}/hooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ fingerprint })])),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    const body = res.status === 202 ? (JSON.parse(text) as { executions: string[]; duplicates: number }) : { executions: [], duplicates: 0 };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), executions: body.executions, duplicates: body.duplicates };
  } catch {
    return { status: 0, retryAfter: null, executions: [], duplicates: 0 };
  }
}

/** Times a GET, in ms (how long a request waited behind whatever blocks the server). */
export async function timedGet(url: string): Promise<{ ms: number; status: number; json?: unknown }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const ms = performance.now() - started;
    try {
      return { ms, status: res.status, json: JSON.parse(text) };
    } catch {
      return { ms, status: res.status };
    }
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A flow: Alertmanager on `path` → an idempotent HTTP call to the target → a shell `mkdir` (fails if ever run twice). */
export function httpThenShellFlow(id: string, path: string, targetUrl: string, marksDir: string) {
  return {
    format: 'salve.flow/v1',
    id,
    name: id,
    enabled: true,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path, auth: { type: 'none' } } },
      { id: 'call', type: 'action.http', config: { url: `${targetUrl}/effect/{{ alert.fingerprint }}` } },
      { id: 'mark', type: 'action.shell', config: { command: ['mkdir', `${marksDir}/{{ alert.fingerprint }}`] } },
    ],
    edges: [
      { source: 'am', target: 'call' },
      { source: 'call', sourcePort: 'ok', target: 'mark' },
    ],
  };
}
