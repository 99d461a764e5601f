// `npm run bench`: ingest throughput and latency of Salve beside a bare Hono endpoint answering
// the same request, in one run on loopback, plus complete executions per second for a 3-step
// flow, the editor's canvas, and replaying 10,000 stored deliveries (replay.js). Prints a Markdown
// table for docs/performance.md. Everything stops by itself.
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';
import { benchEditor } from './editor.js';
import { benchReplay } from './replay.js';
import { start } from './process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TOKEN = 'bench-admin-token-0123456789';
const AM_TOKEN = 'bench-am-token';

function alertBody(i) {
  return JSON.stringify({
    version: '4', groupKey: '{}:{alertname="DiskFull"}', truncatedAlerts: 0, status: 'firing', receiver: 'salve',
    groupLabels: { alertname: 'DiskFull' }, commonLabels: { alertname: 'DiskFull', severity: 'critical' },
    commonAnnotations: { summary: 'Disk almost full' }, externalURL: 'http://alertmanager.example:9093',
    alerts: [{
      status: 'firing',
      labels: { alertname: 'DiskFull', instance: `db${i}.example.internal:9100`, job: 'node', severity: 'critical', mountpoint: '/var', device: '/dev/sda1', service: 'postgresql' },
      annotations: { summary: `Filesystem /var on db${i} is 97% full`, description: 'Only 1.2 GiB left on /dev/sda1.', runbook_url: 'https://runbooks.example.com/disk-full' },
      startsAt: '2026-11-24T09:12:30.000Z', endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=node_filesystem_avail_bytes', fingerprint: `fp${i}`,
    }],
  });
}

async function api(base, method, path, body) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function flow(id, path, extra = { nodes: [], edges: [] }) {
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

/** Peak resident set size of a process in MB (Linux), or undefined elsewhere. */
function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main() {
  console.error(`bench: ${SECONDS} s per run, ${CONNECTIONS} connections, loopback`);
  let counter = 0;
  const body = () => alertBody(counter++);

  // 1. Bare Hono
  const bare = await start([join(ROOT, 'test/bench/bare-hono.js')]);
  await load({ url: `${bare.url}/hooks/infra`, connections: CONNECTIONS, seconds: 2, body }); // warm-up
  const bareResult = await load({ url: `${bare.url}/hooks/infra`, connections: CONNECTIONS, seconds: SECONDS, body });
  await bare.stop();

  // 2. Salve ingest: verified (bearer), normalized, matched, committed → 202
  const dataDir = mkdtempSync(join(tmpdir(), 'salve-bench-'));
  const salve = await start([...FLAGS, join(ROOT, 'dist/runtime/cli.js'), 'serve', '--port', '0', '--data', dataDir], {
    SALVE_ADMIN_TOKEN: TOKEN, SALVE_SECRET_AM_TOKEN: AM_TOKEN, SALVE_LOG_LEVEL: 'warn',
    // The paused run queues every accepted alert; do not let the default cap (10,000) refuse them.
    SALVE_MAX_QUEUED: '10000000',
    // Step 3's HTTP action calls a target on loopback, which needs an explicit allow-list entry.
    SALVE_ALLOWED_TARGETS: '127.0.0.1',
    // The secret store's master key goes to a throwaway file, not the user's ~/.config/salve.
    SALVE_MASTER_KEY_FILE: join(tmpdir(), `${basename(dataDir)}-master.key`),
  });
  const headers = { authorization: `Bearer ${AM_TOKEN}` };
  // 2b. The whole system: every accepted alert also runs its execution (a match condition)
  // in the same process while the load goes on.
  await api(salve.url, 'POST', '/api/flows', flow('live', 'live'));
  const liveResult = await load({ url: `${salve.url}/hooks/live`, connections: CONNECTIONS, seconds: SECONDS, body, headers });

  // 3. Complete executions per second: match → http action to a local target → done.
  const target = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); }); });
  await new Promise((r) => target.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${target.address().port}`;
  await api(salve.url, 'POST', '/api/flows/live/disable');
  await api(salve.url, 'POST', '/api/flows', flow('exec', 'exec', {
    nodes: [{ id: 'act', type: 'action.http', config: { url: `${targetUrl}/remediate/{{ alert.fingerprint }}` } }],
    edges: [{ source: 'match', sourcePort: 'match', target: 'act' }],
  }));
  // Let the ingest run's backlog drain first so it does not compete.
  for (;;) {
    const q = await api(salve.url, 'GET', '/api/executions?status=queued&limit=1');
    const r = await api(salve.url, 'GET', '/api/executions?status=running&limit=1');
    if (q.items.length === 0 && r.items.length === 0) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  const N = Number(process.env.BENCH_EXECUTIONS ?? 2000);
  const t0 = Date.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < N) {
      const i = next++;
      const payload = alertBody(1_000_000 + i);
      await new Promise((resolve, reject) => {
        const u = new URL(`${salve.url}/hooks/exec`);
        const req = http.request({ agent, hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => { res.resume(); res.on('end', resolve); });
        req.on('error', reject);
        req.end(payload);
      });
    }
  }));
  agent.destroy();
  let done = 0;
  for (;;) {
    const s = await api(salve.url, 'GET', `/api/executions?flowId=exec&status=succeeded&limit=200`);
    // Count by paging only when the first page is full.
    done = s.items.length;
    if (done === 200) {
      let cursor = s.nextCursor;
      while (cursor) {
        const p = await api(salve.url, 'GET', `/api/executions?flowId=exec&status=succeeded&limit=200&before=${cursor}`);
        done += p.items.length;
        cursor = p.nextCursor;
      }
    }
    if (done >= N || Date.now() - t0 > 120000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const execSeconds = (Date.now() - t0) / 1000;

  // 4. The ingest path alone: automation paused, so every accepted alert is matched and its
  // execution committed (queued) while nothing runs. Last, since the queue is left full.
  await api(salve.url, 'POST', '/api/flows/exec/disable');
  await api(salve.url, 'POST', '/api/flows', flow('ingest', 'infra'));
  await api(salve.url, 'POST', '/api/automation/pause');
  await load({ url: `${salve.url}/hooks/infra`, connections: CONNECTIONS, seconds: 2, body, headers });
  const salveResult = await load({ url: `${salve.url}/hooks/infra`, connections: CONNECTIONS, seconds: SECONDS, body, headers });
  const queuedAfterPause = (await api(salve.url, 'GET', '/api/executions?status=queued&limit=1')).items.length;
  // The server is the launcher's child (`salve serve` starts it); its pid is in the data directory.
  const rssMb = peakRssMb(Number(readFileSync(join(dataDir, 'salve.pid'), 'utf8')));
  // 5. The editor's canvas with 10 and 300 nodes, in a real browser against the same server.
  const editorLines = process.env.BENCH_EDITOR === '0' ? ['editor bench skipped (BENCH_EDITOR=0)'] : await benchEditor(salve.url, TOKEN);
  await salve.stop();
  target.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), `${basename(dataDir)}-master.key`), { force: true });

  const ratio = salveResult.acceptedRps / bareResult.acceptedRps;
  console.log(`\n| endpoint | req/s | 202/s | p50 ms | p99 ms | statuses |`);
  console.log(`|---|---|---|---|---|---|`);
  console.log(`| bare Hono (reads body, answers 202) | ${fmt(bareResult.rps, 0)} | ${fmt(bareResult.acceptedRps, 0)} | ${fmt(bareResult.p50, 2)} | ${fmt(bareResult.p99, 2)} | ${JSON.stringify(bareResult.statuses)} |`);
  console.log(`| Salve ingest (auth, normalize, match, commit, 202; automation paused) | ${fmt(salveResult.rps, 0)} | ${fmt(salveResult.acceptedRps, 0)} | ${fmt(salveResult.p50, 2)} | ${fmt(salveResult.p99, 2)} | ${JSON.stringify(salveResult.statuses)} |`);
  console.log(`| Salve ingest while each alert's execution also runs | ${fmt(liveResult.rps, 0)} | ${fmt(liveResult.acceptedRps, 0)} | ${fmt(liveResult.p50, 2)} | ${fmt(liveResult.p99, 2)} | ${JSON.stringify(liveResult.statuses)} |`);
  console.log(`\nratio Salve ingest / bare Hono (accepted requests per second): ${fmt(ratio, 2)}`);
  console.log(`ratio Salve ingest with executions running / bare Hono: ${fmt(liveResult.acceptedRps / bareResult.acceptedRps, 2)}`);
  if (queuedAfterPause === 0) console.log('warning: nothing was queued during the paused run');
  if (rssMb) console.log(`Salve peak resident memory (VmHWM) over the whole bench: ${rssMb} MB`);
  console.log(`complete executions (match → http → done, every step persisted): ${done}/${N} in ${fmt(execSeconds, 1)} s = ${fmt(done / execSeconds, 0)} executions/s`);
  console.log(editorLines.join('\n'));
  // 6. Replay against history: 10,000 stored deliveries, on a server of its own.
  console.log((process.env.BENCH_REPLAY === '0' ? ['replay bench skipped (BENCH_REPLAY=0)'] : await benchReplay()).join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
