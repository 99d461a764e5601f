import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DestinationPolicy } from '../runtime/net/destination-policy.js';
import { callJsonApi, retryAfterMs } from './json-api.js';

/**
 * The REST sinks' one call (PagerDuty, Opsgenie, Jira, Grafana, Teams, Alertmanager): a 429 is
 * waited out when the service says how long (Retry-After) and that fits the step's timeout.
 */
let server: Server;
let base = '';
/** What the next answers are, in order; then 200. */
let script: { status: number; retryAfter?: string }[] = [];
const seen: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(Date.now());
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, { 'content-type': 'application/json', ...(next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter }) });
      res.end(JSON.stringify(next.status === 200 ? { ok: true } : { message: 'rate limited' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  seen.length = 0;
});

const ctx = () => ({
  network: new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: () => undefined }).forStep({ secrets: [] }),
  signal: new AbortController().signal,
});
const call = (timeoutSeconds = 10) => callJsonApi(ctx(), { method: 'POST', url: new URL(`${base}/v2/alerts`), headers: {}, body: { a: 1 }, timeoutSeconds });

describe('callJsonApi and 429', () => {
  it('waits the Retry-After and sends again: the service did nothing the first time', async () => {
    script = [{ status: 429, retryAfter: '1' }];
    const answer = await call();
    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(990);
  });

  it('answers the 429 when the wait would pass the timeout, when no Retry-After is given, and after three tries', async () => {
    script = [{ status: 429, retryAfter: '30' }];
    expect((await call(5)).status).toBe(429);
    expect(seen).toHaveLength(1);
    script = [{ status: 429 }];
    expect((await call()).status).toBe(429);
    expect(seen).toHaveLength(2);
    script = [{ status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }];
    expect((await call()).status).toBe(429);
    expect(seen).toHaveLength(5);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-06T03:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(['7'], now)).toBe(7000);
    expect(retryAfterMs('Sun, 06 Dec 2026 03:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Sun, 06 Dec 2026 02:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', 'soon', '-1', '1.5']) expect(retryAfterMs(bad, now), String(bad)).toBeUndefined();
  });
});
