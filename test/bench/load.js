// A small closed-loop HTTP load generator: `connections` keep-alive connections, each sending
// requests back to back for `seconds`. Latencies in ms; loopback only.
import http from 'node:http';

export async function load({ url, connections = 50, seconds = 5, headers = {}, body }) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('load tests target loopback only');
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  const statuses = new Map();
  const end = Date.now() + seconds * 1000;
  let i = 0;
  const one = () =>
    new Promise((resolve) => {
      const payload = typeof body === 'function' ? body(i++) : body;
      const started = process.hrtime.bigint();
      const req = http.request(
        { agent, hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', () => {
        statuses.set('error', (statuses.get('error') ?? 0) + 1);
        resolve();
      });
      req.end(payload);
    });
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  const elapsed = (Date.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const accepted = statuses.get(202) ?? 0;
  return { requests: latencies.length, rps: latencies.length / elapsed, acceptedRps: accepted / elapsed, p50: pct(50), p99: pct(99), statuses: Object.fromEntries(statuses) };
}
