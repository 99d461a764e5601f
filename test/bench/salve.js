// A Salve server for one row: its own data directory, started with `salve serve` (the launcher;
// the server is its child, pid in <dataDir>/salve.pid), and what the bench asks of it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from './process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const AM_TOKEN = 'bench-am-token';
/** What a webhook sender sends: the bearer token the flows' sources ask for. */
export const HOOK_HEADERS = { authorization: `Bearer ${AM_TOKEN}` };

/**
 * Starts Salve on 127.0.0.1 with a fresh data directory (or `dataDir`, kept on stop when given).
 * `env` adds to the bench's settings.
 */
export async function startSalve({ env = {}, dataDir } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'salve-bench-'));
  const keyFile = join(tmpdir(), `${basename(dir)}-master.key`);
  const server = await start([...FLAGS, join(ROOT, 'dist/runtime/cli.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dir], {
    SALVE_ADMIN_TOKEN: ADMIN_TOKEN, SALVE_SECRET_AM_TOKEN: AM_TOKEN, SALVE_LOG_LEVEL: 'warn',
    // The paused row queues every accepted alert; do not let the default cap (10,000) refuse them.
    SALVE_MAX_QUEUED: '10000000',
    // The whole-system row's HTTP action calls a target on loopback, which needs an explicit allow-list entry.
    SALVE_ALLOWED_TARGETS: '127.0.0.1',
    // The secret store's master key goes to a throwaway file, not the user's ~/.config/salve.
    SALVE_MASTER_KEY_FILE: keyFile,
    ...env,
  });
  const pid = Number(readFileSync(join(dir, 'salve.pid'), 'utf8').trim());
  const api = async (method, path, body) => {
    const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return path === '/metrics' ? text : JSON.parse(text);
  };
  return {
    url: server.url, dataDir: dir, pid, api,
    async stop() {
      await server.stop();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
      rmSync(keyFile, { force: true });
    },
  };
}

/** A flow: Alertmanager source on `path` (bearer), a match condition, then `extra` nodes and edges. */
export function alertFlow(id, path, extra = { nodes: [], edges: [] }) {
  return {
    format: 'salve.flow/v1', id, name: id, enabled: true,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path, auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } },
      { id: 'match', type: 'condition.match', config: { matchers: 'alertname="DiskFull", severity=~"critical|page"' } },
      ...extra.nodes,
    ],
    edges: [{ source: 'am', target: 'match' }, ...extra.edges],
  };
}

/** The whole-system flow: source → condition.match → action.http to `targetUrl`: three steps per run. */
export function remediationFlow(id, path, targetUrl) {
  return alertFlow(id, path, {
    nodes: [{ id: 'act', type: 'action.http', config: { url: `${targetUrl}/remediate/{{ alert.fingerprint }}` } }],
    edges: [{ source: 'match', sourcePort: 'match', target: 'act' }],
  });
}

/**
 * Runs of `flowId` from /metrics (one cheap request, no paging): `ended` by final status
 * (salve_executions_total, counted since the server started) and `active` (queued, running,
 * waiting: salve_executions_active, counted in the database when scraped).
 */
export async function runCounts(salve, flowId) {
  const text = await salve.api('GET', '/metrics');
  const ended = {};
  let active = 0;
  for (const m of text.matchAll(/^salve_executions_(total|active)\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.flow !== flowId) continue;
    if (m[1] === 'total') ended[labels.status] = (ended[labels.status] ?? 0) + Number(m[3]);
    else active += Number(m[3]);
  }
  return { succeeded: ended.succeeded ?? 0, ended, active };
}

/** Deliveries answered since the server started, by event-log outcome (accepted, duplicate, ...), from /metrics. */
export async function deliveryOutcomes(salve) {
  const outcomes = {};
  for (const m of (await salve.api('GET', '/metrics')).matchAll(/^salve_deliveries_total\{[^}]*outcome="([^"]*)"[^}]*\} (\S+)$/gm)) {
    outcomes[m[1]] = (outcomes[m[1]] ?? 0) + Number(m[2]);
  }
  return outcomes;
}

/** Waits until `flowId` has no active run (up to `timeoutMs`); resolves with the last counts and whether it drained. */
export async function waitDrained(salve, flowId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await runCounts(salve, flowId);
    if (counts.active === 0) return { ...counts, drained: true };
    if (Date.now() > deadline) return { ...counts, drained: false };
    await new Promise((r) => setTimeout(r, 100));
  }
}
