// The fallback load generator when wrk cannot be had: autocannon, installed from npm into the
// bench's cache (cache.js) and run in the bench's own process. Same request as wrk.js: a new
// 1-alert webhook per request, its id `<nonce>-<counter>`.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { alertBody } from './alert.js';
import { cacheDir, ensureCached } from './cache.js';

/** autocannon's version, installing it into the cache when missing. */
export function ensureAutocannon() {
  return ensureCached('autocannon', 'autocannon@8');
}

/** Runs autocannon against `url` (loopback only); resolves with the figures wrk.js's parseWrk gives. */
export async function runAutocannon({ url, headers = {}, nonce, connections, seconds }) {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load tests target 127.0.0.1 only: ${url}`);
  const autocannon = createRequire(join(cacheDir(), 'package.json'))('autocannon');
  let counter = 0;
  const result = await autocannon({
    url, connections, duration: seconds, method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: alertBody(`${nonce}-${counter++}`) }) }],
  });
  const ok = result['2xx'] + result['3xx'];
  return {
    requests: result.requests.total, seconds: result.duration, non2xx: result.non2xx, socketErrors: result.errors + result.timeouts,
    rps: result.requests.total / result.duration, okRps: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99,
    text: `autocannon: ${result.requests.total} requests in ${result.duration} s, ${ok} 2xx/3xx, ${result.non2xx} other, ${result.errors} errors`,
  };
}
