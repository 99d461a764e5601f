import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testContext } from '../../../test/kit/nodes.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { HttpCheckConfigSchema, type HttpCheckConfig } from './definition.js';
import { executeHttpCheck } from './execute.js';

/**
 * A loopback service with a health endpoint whose answer the test sets: healthy (200 `{"status":"ok"}`),
 * degraded, down (503), text, a large body, or silent (never answers).
 */
let health: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{"status":"ok"}' };
const received: { method: string; path: string; headers: http.IncomingHttpHeaders }[] = [];
let base = '';
const server = http.createServer((req, res) => {
  received.push({ method: req.method!, path: req.url!, headers: req.headers });
  if (req.url === '/silent') return;
  res.writeHead(health.status, { 'content-type': health.type, 'x-version': '1.4.2' });
  res.end(req.method === 'HEAD' ? undefined : health.body);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://db1.test:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const resolver: Resolver = async (host) => {
  if (host === 'db1.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

const config = (input: Record<string, unknown> = {}) => HttpCheckConfigSchema.parse({ url: `${base}/health`, ...input }) as Resolved<HttpCheckConfig>;

/** A step's context whose network allows the loopback service, unless told otherwise. */
function ctx(opts: { allowed?: string[]; secretHosts?: string[] } = {}): ExecContext {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    secretHosts: (name) => (name === 'HEALTH_TOKEN' ? (opts.secretHosts ?? ['db1.test']) : undefined),
    resolver,
  });
  const secrets = opts.secretHosts ? [{ name: 'HEALTH_TOKEN', path: ['headers', 'Authorization'] }] : [];
  return testContext({ secrets, network: policy.forStep({ secrets: secrets.map((s) => s.name) }) });
}

const answer = (status: number, body: unknown, type = 'application/json') => {
  health = { status, type, body: typeof body === 'string' ? body : JSON.stringify(body) };
};

describe('check.http executor', () => {
  it('passes on a 2xx by default, recording the status, the content type and the parsed body', async () => {
    answer(200, { status: 'ok', uptime: 3 });
    const outcome = await executeHttpCheck(config(), ctx());
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'pass',
      output: { status: 200, passed: true, headers: { 'content-type': 'application/json' }, body: { status: 'ok', uptime: 3 } },
    });
    expect(outcome.type === 'next' && (outcome.output as { reason?: string }).reason).toBeUndefined();
    expect(received.at(-1)).toMatchObject({ method: 'GET', path: '/health' });
  });

  it('evaluates expect over the body and headers: pass when healthy, fail with the reason when not', async () => {
    const expect_ = 'response.status == 200 && response.body.status == "ok" && response.headers["x-version"].startsWith("1.")';
    answer(200, { status: 'ok' });
    expect(await executeHttpCheck(config({ expect: expect_ }), ctx())).toMatchObject({ type: 'next', port: 'pass' });
    answer(200, { status: 'degraded' });
    const degraded = await executeHttpCheck(config({ expect: expect_ }), ctx());
    expect(degraded).toMatchObject({ type: 'next', port: 'fail', output: { status: 200, passed: false, body: { status: 'degraded' } } });
    expect((degraded as { output: { reason: string } }).output.reason).toBe(`the expectation was false: ${expect_} (GET ${base}/health answered 200)`);
    answer(503, { status: 'down' });
    expect(await executeHttpCheck(config(), ctx())).toMatchObject({ type: 'next', port: 'fail', output: { status: 503, passed: false } });
  });

  it('goes to "fail" (not a failed step) when the expectation cannot be evaluated', async () => {
    answer(200, 'OK', 'text/plain');
    const outcome = await executeHttpCheck(config({ expect: 'response.body.status == "ok"' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'fail', output: { status: 200, passed: false, body: 'OK' } });
    expect((outcome as { output: { reason: string } }).output.reason).toMatch(/^the expectation could not be evaluated: /);
  });

  it('probes with HEAD: the status and headers, no body', async () => {
    answer(200, { status: 'ok' });
    const outcome = await executeHttpCheck(config({ method: 'HEAD', expect: 'response.status == 200 && response.body == ""' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'pass', output: { status: 200, body: '' } });
    expect(received.at(-1)?.method).toBe('HEAD');
  });

  it('records a large body cut at 64 KiB, while expect reads all of it', async () => {
    answer(200, { status: 'ok', pad: 'x'.repeat(100_000) });
    const outcome = await executeHttpCheck(config({ expect: 'response.body.status == "ok"' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'pass', output: { truncated: true } });
    expect(((outcome as { output: { body: string } }).output.body as string).length).toBe(64 * 1024);
  });

  it('goes to "fail" without connecting where the destination policy or a secret’s host list forbids', async () => {
    const before = received.length;
    const refused = await executeHttpCheck(config(), ctx({ allowed: [] }));
    expect(refused).toMatchObject({ type: 'next', port: 'fail', output: { status: null, passed: false, body: null } });
    expect((refused as { output: { reason: string } }).output.reason).toMatch(/^refused to connect to db1\.test at 127\.0\.0\.1/);
    const secretBound = await executeHttpCheck(config({ headers: { Authorization: 'Bearer t0ken' } }), ctx({ secretHosts: ['other.test'] }));
    expect(secretBound).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });
    expect((secretBound as { output: { reason: string } }).output.reason).toContain('HEALTH_TOKEN');
    expect(received.length).toBe(before);
  });

  it('goes to "fail" when nothing answers: connection refused, unknown host, timeout', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await executeHttpCheck(config({ url: `http://db1.test:${port}/health` }), ctx());
    expect(refused).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });
    expect((refused as { output: { reason: string } }).output.reason).toMatch(/ECONNREFUSED/);

    const unknown = await executeHttpCheck(config({ url: 'http://nosuch.test/health' }), ctx());
    expect(unknown).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });

    const silent = await executeHttpCheck(config({ url: `${base}/silent`, timeoutSeconds: 1 }), ctx());
    expect(silent).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });
    expect((silent as { output: { reason: string } }).output.reason).toMatch(/timed out after 1 s/);
  });
});
