import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testContext } from '../../../test/kit/nodes.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { PrometheusCheckConfigSchema, type PrometheusCheckConfig } from './definition.js';
import { executePrometheusCheck } from './execute.js';
import type { PrometheusCheckOutput } from './output.js';

/**
 * A loopback server answering `/api/v1/query` as Prometheus does, with an answer the test sets
 * (recorded from a real Prometheus): a vector, a scalar, an error, an oversized body, or silence.
 */
let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };
const received: { path: string; query: string | null; headers: http.IncomingHttpHeaders }[] = [];
let base = '';
const server = http.createServer((req, res) => {
  const url = new URL(req.url!, 'http://x');
  received.push({ path: url.pathname, query: url.searchParams.get('query'), headers: req.headers });
  if (url.pathname.startsWith('/silent')) return;
  res.writeHead(answer.status, { 'content-type': answer.type });
  res.end(answer.body);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://prom.test:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const resolver: Resolver = async (host) => {
  if (host === 'prom.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

const config = (input: Record<string, unknown> = {}) =>
  PrometheusCheckConfigSchema.parse({ url: base, query: 'disk_used_ratio{mountpoint="/"}', expect: 'result.size() == 0', ...input }) as Resolved<PrometheusCheckConfig>;

/** A step's context whose network allows the loopback server, unless told otherwise. */
function ctx(opts: { allowed?: string[]; secretHosts?: string[] } = {}): ExecContext {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    secretHosts: (name) => (name === 'PROM_TOKEN' ? (opts.secretHosts ?? ['prom.test']) : undefined),
    resolver,
  });
  const secrets = opts.secretHosts ? [{ name: 'PROM_TOKEN', path: ['headers', 'Authorization'] }] : [];
  return testContext({ secrets, network: policy.forStep({ secrets: secrets.map((s) => s.name) }) });
}

const respond = (status: number, body: unknown, type = 'application/json') => {
  answer = { status, type, body: typeof body === 'string' ? body : JSON.stringify(body) };
};
const outputOf = (outcome: Awaited<ReturnType<typeof executePrometheusCheck>>) => (outcome as { output: PrometheusCheckOutput }).output;

const VECTOR = {
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { __name__: 'disk_used_ratio', instance: 'db1:9100', mountpoint: '/' }, value: [1764889200.123, '0.95'] },
      { metric: { __name__: 'disk_used_ratio', instance: 'db2:9100', mountpoint: '/' }, value: [1764889200.123, '0.42'] },
    ],
  },
};

describe('check.prometheus executor against recorded answers', () => {
  it('sends the instant query below the base URL, with its headers, and reads a vector as { metric, value } with value a string', async () => {
    respond(200, VECTOR);
    const outcome = await executePrometheusCheck(config({ expect: 'double(result[0].value) > 0.9 && result[1].metric.instance == "db2:9100"', headers: { Authorization: 'Bearer t0ken' } }), ctx({ secretHosts: ['prom.test'] }));
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'pass',
      output: {
        passed: true,
        status: 200,
        resultType: 'vector',
        seriesTotal: 2,
        result: [
          { metric: { instance: 'db1:9100', mountpoint: '/' }, value: '0.95' },
          { metric: { instance: 'db2:9100' }, value: '0.42' },
        ],
      },
    });
    expect(outputOf(outcome).reason).toBeUndefined();
    expect(received.at(-1)).toMatchObject({ path: '/api/v1/query', query: 'disk_used_ratio{mountpoint="/"}', headers: { authorization: 'Bearer t0ken' } });
  });

  it('goes to "fail" with the reason when the expectation is false, or cannot be evaluated', async () => {
    respond(200, VECTOR);
    const full = await executePrometheusCheck(config({ expect: 'result.all(s, double(s.value) < 0.9)' }), ctx());
    expect(full).toMatchObject({ type: 'next', port: 'fail', output: { passed: false, status: 200, seriesTotal: 2 } });
    expect(outputOf(full).reason).toBe('the expectation was false: result.all(s, double(s.value) < 0.9) (the query gave 2 series)');

    respond(200, { status: 'success', data: { resultType: 'vector', result: [] } });
    const empty = await executePrometheusCheck(config({ expect: 'double(result[0].value) < 0.9' }), ctx());
    expect(empty).toMatchObject({ type: 'next', port: 'fail', output: { passed: false, resultType: 'vector', result: [], seriesTotal: 0 } });
    expect(outputOf(empty).reason).toMatch(/^the expectation could not be evaluated: /);
    expect(await executePrometheusCheck(config({ expect: 'result.size() == 0' }), ctx())).toMatchObject({ type: 'next', port: 'pass' });
  });

  it('reads a scalar as one series with no labels, and says which type it was', async () => {
    respond(200, { status: 'success', data: { resultType: 'scalar', result: [1764889200.5, '0.25'] } });
    const outcome = await executePrometheusCheck(config({ query: 'scalar(sum(up))', expect: 'resultType == "scalar" && double(result[0].value) < 0.5 && result[0].metric.size() == 0' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'pass', output: { resultType: 'scalar', result: [{ metric: {}, value: '0.25' }], seriesTotal: 1 } });
    const falseOutcome = await executePrometheusCheck(config({ query: 'scalar(sum(up))', expect: 'double(result[0].value) > 1.0' }), ctx());
    expect(outputOf(falseOutcome).reason).toMatch(/\(the query gave scalar 0\.25\)$/);
  });

  it('reads NaN and infinities as Prometheus writes them', async () => {
    respond(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { a: 'x' }, value: [1, 'NaN'] }, { metric: { a: 'y' }, value: [1, '+Inf'] }] } });
    expect(await executePrometheusCheck(config({ expect: 'result[0].value == "NaN" && double(result[1].value) > 1e308' }), ctx())).toMatchObject({ type: 'next', port: 'pass' });
  });

  it('records the first 100 series and how many there were; expect reads them all', async () => {
    const result = Array.from({ length: 250 }, (_, i) => ({ metric: { i: String(i) }, value: [1, String(i)] }));
    respond(200, { status: 'success', data: { resultType: 'vector', result } });
    const outcome = await executePrometheusCheck(config({ expect: 'result.size() == 250 && result[249].metric.i == "249"' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'pass', output: { seriesTotal: 250 } });
    expect(outputOf(outcome).result).toHaveLength(100);
    expect(outputOf(outcome).result.at(-1)).toEqual({ metric: { i: '99' }, value: '99' });
  });

  it('goes to "fail" with Prometheus’s own error when it refuses the query (400 bad_data)', async () => {
    respond(400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected "}"' });
    const outcome = await executePrometheusCheck(config({ query: 'up{a}}' }), ctx());
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'fail',
      output: { passed: false, status: 400, resultType: null, result: [], error: { type: 'bad_data', message: 'invalid parameter "query": 1:5: parse error: unexpected "}"' } },
    });
    expect(outputOf(outcome).reason).toBe('Prometheus refused the query (400 bad_data): invalid parameter "query": 1:5: parse error: unexpected "}"');

    respond(503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
    expect(outputOf(await executePrometheusCheck(config(), ctx())).reason).toBe('Prometheus refused the query (503 timeout): query timed out in expression evaluation');
  });

  it('goes to "fail" when the answer is no query result: HTML from a proxy, a range vector', async () => {
    respond(502, '<html>Bad Gateway</html>', 'text/html');
    const proxy = await executePrometheusCheck(config(), ctx());
    expect(proxy).toMatchObject({ type: 'next', port: 'fail', output: { status: 502, resultType: null } });
    expect(outputOf(proxy).reason).toBe(`GET ${base}/api/v1/query answered 502, not with a Prometheus query result: "<html>Bad Gateway</html>"`);

    respond(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1']] }] } });
    const matrix = await executePrometheusCheck(config({ query: 'up[5m]' }), ctx());
    expect(matrix).toMatchObject({ type: 'next', port: 'fail', output: { status: 200, resultType: 'matrix' } });
    expect(outputOf(matrix).reason).toMatch(/range vector .* e\.g\. max_over_time\(up\[5m\]\)/);
  });

  it('refuses an answer over 1 MiB', async () => {
    const result = Array.from({ length: 20_000 }, (_, i) => ({ metric: { instance: `host-${i}.example.internal:9100`, job: 'node' }, value: [1, '1'] }));
    respond(200, { status: 'success', data: { resultType: 'vector', result } });
    expect(answer.body.length).toBeGreaterThan(1024 * 1024);
    const outcome = await executePrometheusCheck(config(), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'fail', output: { passed: false, status: 200, resultType: null, result: [] } });
    expect(outputOf(outcome).reason).toBe(`GET ${base}/api/v1/query answered with more than 1 MiB; narrow the query (a label matcher, topk, or an aggregation such as max)`);
  });

  it('keeps a Prometheus behind a path prefix', async () => {
    respond(200, VECTOR);
    await executePrometheusCheck(config({ url: `${base}/prometheus/` }), ctx());
    expect(received.at(-1)?.path).toBe('/prometheus/api/v1/query');
  });
});

describe('check.prometheus executor: where it may connect, and no answer', () => {
  it('goes to "fail" without connecting where the destination policy or a secret’s host list forbids', async () => {
    const before = received.length;
    const refused = await executePrometheusCheck(config(), ctx({ allowed: [] }));
    expect(refused).toMatchObject({ type: 'next', port: 'fail', output: { status: null, passed: false, resultType: null } });
    expect(outputOf(refused).reason).toMatch(/^refused to connect to prom\.test at 127\.0\.0\.1/);
    const secretBound = await executePrometheusCheck(config({ headers: { Authorization: 'Bearer t0ken' } }), ctx({ secretHosts: ['other.test'] }));
    expect(secretBound).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });
    expect(outputOf(secretBound).reason).toContain('PROM_TOKEN');
    expect(received.length).toBe(before);
  });

  it('goes to "fail" when nothing answers: connection refused, unknown host, timeout', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await executePrometheusCheck(config({ url: `http://prom.test:${port}` }), ctx());
    expect(refused).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });
    expect(outputOf(refused).reason).toMatch(/ECONNREFUSED/);

    const unknown = await executePrometheusCheck(config({ url: 'http://nosuch.test:9090' }), ctx());
    expect(unknown).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });

    const silent = await executePrometheusCheck(config({ url: `${base}/silent`, timeoutSeconds: 1 }), ctx());
    expect(silent).toMatchObject({ type: 'next', port: 'fail', output: { status: null } });
    expect(outputOf(silent).reason).toMatch(/timed out after 1 s/);
  });
});
