// Replay against history under load: a fresh server, 10,000 Alertmanager deliveries sent through
// /hooks (automation paused, so they are stored and nothing runs), then one POST /api/flows/replay
// of a draft that changes the matcher and an action's URL over all of them. Reports the wall time
// of the request and the server's own `durationMs`. Part of `npm run bench` (BENCH_REPLAY=0 skips
// it); `node test/bench/replay.js` runs it alone (after `npm run build`). Loopback only; stops by itself.
import { start } from './process.js';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'bench-replay-admin-token-0123456789';
const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000);

function startServer(dataDir) {
  return start([join(ROOT, 'dist/runtime/cli.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
    SALVE_ADMIN_TOKEN: TOKEN,
    SALVE_LOG_LEVEL: 'warn',
    SALVE_MAX_QUEUED: '10000000',
    SALVE_MASTER_KEY_FILE: join(tmpdir(), `${basename(dataDir)}-master.key`),
  });
}

async function api(base, method, path, body) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const flow = (matchers, url) => ({
  format: 'salve.flow/v1', id: 'replayed', name: 'replayed', enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'replay', auth: { type: 'none' } } },
    { id: 'disk', type: 'condition.match', config: { matchers } },
    { id: 'clean', type: 'action.http', config: { method: 'POST', url } },
  ],
  edges: [{ source: 'am', target: 'disk' }, { source: 'disk', sourcePort: 'match', target: 'clean' }],
});

const delivery = (i) => JSON.stringify({
  version: '4', groupKey: '{}:{alertname="DiskFull"}', truncatedAlerts: 0, status: 'firing', receiver: 'salve',
  groupLabels: { alertname: 'DiskFull' }, commonLabels: { alertname: 'DiskFull' }, commonAnnotations: {}, externalURL: 'http://alertmanager.example:9093',
  alerts: [{
    status: 'firing',
    labels: { alertname: 'DiskFull', instance: `db${i}.example.internal:9100`, severity: i % 2 ? 'warning' : 'critical', service: 'postgresql' },
    annotations: { summary: `Disk almost full on db${i}` },
    startsAt: '2026-11-24T09:12:30.000Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus.example:9090/graph', fingerprint: `fp${i}`,
  }],
});

/** Sends `n` deliveries over 20 keep-alive connections; resolves when every one is answered. */
async function deliver(base, n) {
  const u = new URL(`${base}/hooks/replay`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  let next = 0;
  let accepted = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < n) {
      const payload = delivery(next++);
      await new Promise((resolve, reject) => {
        const req = http.request({ agent, hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
          if (res.statusCode === 202) accepted++;
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(payload);
      });
    }
  }));
  agent.destroy();
  return accepted;
}

/** Runs the replay bench; returns the lines it reports. */
export async function benchReplay() {
  const dataDir = mkdtempSync(join(tmpdir(), 'salve-bench-replay-'));
  const server = await startServer(dataDir);
  try {
    if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])/.test(server.url)) throw new Error('the replay bench targets loopback only');
    await api(server.url, 'POST', '/api/flows', flow('alertname="DiskFull", severity="critical"', 'http://{{ alert.labels.instance }}/cleanup'));
    await api(server.url, 'POST', '/api/automation/pause');
    const since = new Date(Date.now() - 60_000).toISOString();
    const accepted = await deliver(server.url, EVENTS);
    const until = new Date(Date.now() + 1000).toISOString();
    const draft = flow('alertname="DiskFull"', 'http://{{ alert.labels.instance }}/cleanup?v=2');
    const t0 = performance.now();
    const result = await api(server.url, 'POST', '/api/flows/replay', { flow: draft, since, until });
    const wallMs = performance.now() - t0;
    return [
      `replay: ${result.events.replayed} stored deliveries (${accepted} sent) replayed in ${(wallMs / 1000).toFixed(2)} s (server ${(result.durationMs / 1000).toFixed(2)} s), ` +
        `${result.runs.changed}/${result.runs.total} runs differ${result.cutShort ? `, CUT SHORT: ${result.cutShort.reason}` : ''}`,
      ...result.summary.map((line) => `  ${line.text}`),
    ];
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(join(tmpdir(), `${basename(dataDir)}-master.key`), { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchReplay().then(
    (lines) => console.log(lines.join('\n')),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
