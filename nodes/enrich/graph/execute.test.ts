import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentSchema } from '../../../shared/attachment.js';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { attachmentBytes } from '../../attachments.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { GraphConfigSchema, type GraphConfig } from './definition.js';
import { alertExpression, executeGraph } from './execute.js';
import type { GraphOutput } from './output.js';

/**
 * A loopback server answering `/api/v1/query_range` as Prometheus does, with an answer the test
 * sets: a matrix, an error, another result type, garbage, an oversized body, or silence.
 */
let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };
const received: { method: string; path: string; params: [string, string][]; headers: http.IncomingHttpHeaders }[] = [];
let base = '';
const server = http.createServer((req, res) => {
  const url = new URL(req.url!, 'http://x');
  received.push({ method: req.method!, path: url.pathname, params: [...url.searchParams], headers: req.headers });
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

/** Every host name the steps asked to resolve: the alert's link host must never be among them. */
const resolved: string[] = [];
const resolver: Resolver = async (host) => {
  resolved.push(host);
  if (host === 'prom.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

const config = (input: Record<string, unknown> = {}) =>
  GraphConfigSchema.parse({ url: base, query: 'node_load1{instance="db1:9100"}', ...input }) as Resolved<GraphConfig>;

/** A step's context whose network allows the loopback server (unless told otherwise), for an alert with `links`. */
function ctx(opts: { allowed?: string[]; secretHosts?: string[]; links?: Record<string, string>; name?: string } = {}): ExecContext {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    secretHosts: (name) => (name === 'PROM_TOKEN' ? (opts.secretHosts ?? ['prom.test']) : undefined),
    resolver,
  });
  const secrets = opts.secretHosts ? [{ name: 'PROM_TOKEN', path: ['headers', 'Authorization'] }] : [];
  return testContext({
    secrets,
    network: policy.forStep({ secrets: secrets.map((s) => s.name) }),
    vars: { alert: testAlert({ links: opts.links ?? {}, ...(opts.name === undefined ? {} : { name: opts.name }) }) },
  });
}

const respond = (status: number, body: unknown, type = 'application/json') => {
  answer = { status, type, body: typeof body === 'string' ? body : JSON.stringify(body) };
};
const outputOf = (outcome: Awaited<ReturnType<typeof executeGraph>>) => (outcome as { output: GraphOutput }).output;

// testContext's clock: 2026-11-24T01:00:00Z.
const END = 1795482000;
const samples = (level: number, count = 241) => Array.from({ length: count }, (_, i) => [END - 3600 + i * 15, String(level + Math.sin(i / 10))]);
const MATRIX = {
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      { metric: { __name__: 'node_load1', instance: 'db1:9100', job: 'node' }, values: samples(3) },
      { metric: { __name__: 'node_load1', instance: 'db2:9100', job: 'node' }, values: samples(1) },
    ],
  },
};

describe('enrich.graph executor against a stand-in Prometheus', () => {
  it('sends one range query below the base URL, with its headers, and makes a PNG chart of the answer', async () => {
    respond(200, MATRIX);
    const outcome = await executeGraph(config({ headers: { Authorization: 'Bearer t0ken' } }), ctx({ secretHosts: ['prom.test'] }));
    expect(received.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v1/query_range',
      params: [
        ['query', 'node_load1{instance="db1:9100"}'],
        ['start', String(END - 3600)],
        ['end', String(END)],
        ['step', '15'],
        ['timeout', '14s'],
      ],
      headers: { authorization: 'Bearer t0ken', accept: 'application/json', 'user-agent': 'salve' },
    });
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'ok',
      output: { query: 'node_load1{instance="db1:9100"}', from: '2026-11-24T00:00:00.000Z', to: '2026-11-24T01:00:00.000Z', stepSeconds: 15, series: 2, shown: 2, points: 482, status: 200 },
    });
    const { attachment, message } = outputOf(outcome);
    expect(message).toBeUndefined();
    expect(AttachmentSchema.parse(attachment)).toMatchObject({ name: 'DiskFull.png', mediaType: 'image/png', encoding: 'base64' });
    const png = attachmentBytes(attachment!);
    expect(attachment!.size).toBe(png.byteLength);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([800, 320]);
  });

  it('draws an SVG with the title it is given, over the range it is given, and keeps a path prefix', async () => {
    respond(200, MATRIX);
    const outcome = await executeGraph(config({ url: `${base}/prometheus/`, format: 'svg', title: 'Load on db1', rangeMinutes: 1440 }), ctx());
    expect(received.at(-1)?.path).toBe('/prometheus/api/v1/query_range');
    expect(received.at(-1)?.params.slice(1, 4)).toEqual([
      ['start', String(END - 86400)],
      ['end', String(END)],
      ['step', '360'],
    ]);
    const { attachment } = outputOf(outcome);
    expect(attachment).toMatchObject({ name: 'Load-on-db1.svg', mediaType: 'image/svg+xml' });
    const svg = attachmentBytes(attachment!).toString('utf8');
    expect(svg).toContain('>Load on db1</text>');
    expect(svg).toContain('>{instance="db1:9100"}</text>');
  });

  it('makes a chart saying "no data" for an empty result, titled by the query when the alert has no name', async () => {
    respond(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    // A title template that rendered empty gives way to the default too.
    const outcome = await executeGraph({ ...config({ format: 'svg' }), title: '' }, ctx({ name: '' }));
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { series: 0, shown: 0, points: 0 } });
    const svg = attachmentBytes(outputOf(outcome).attachment!).toString('utf8');
    expect(svg).toContain('>No data</text>');
    expect(svg).toContain('>node_load1{instance="db1:9100"}</text>');
  });

  it('draws 10 of many series, and records Prometheus’s warnings', async () => {
    const result = Array.from({ length: 25 }, (_, i) => ({ metric: { instance: `h${i}` }, values: samples(i, 10) }));
    respond(200, { status: 'success', data: { resultType: 'matrix', result }, warnings: ['PromQL info: metric might not be a counter'] });
    const outcome = await executeGraph(config(), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { series: 25, shown: 10, points: 100, message: 'Prometheus warned: PromQL info: metric might not be a counter' } });
  });

  it('goes to "error" with Prometheus’s refusal: its errorType and message', async () => {
    respond(400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected "}"' });
    const outcome = await executeGraph(config({ query: 'up{a}}' }), ctx());
    expect(outcome).toEqual({
      type: 'fail',
      port: 'error',
      error: 'Prometheus refused the query (400 bad_data): invalid parameter "query": 1:5: parse error: unexpected "}"',
      output: expect.objectContaining({ status: 400, series: 0, query: 'up{a}}', message: 'Prometheus refused the query (400 bad_data): invalid parameter "query": 1:5: parse error: unexpected "}"' }),
    });
    expect(outputOf(outcome).attachment).toBeUndefined();

    respond(503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
    expect(outputOf(await executeGraph(config(), ctx())).message).toBe('Prometheus refused the query (503 timeout): query timed out in expression evaluation');
  });

  it('goes to "error" when the answer is no range query result: garbage, a proxy’s page, a vector, a broken matrix', async () => {
    respond(200, '{"status":"success","data":{"resultType":"matr');
    expect(outputOf(await executeGraph(config(), ctx())).message).toBe(`GET ${base}/api/v1/query_range answered 200, not with a Prometheus query result: "{\\"status\\":\\"success\\",\\"data\\":{\\"resultType\\":\\"matr"`);
    respond(502, '<html>Bad Gateway</html>', 'text/html');
    expect(await executeGraph(config(), ctx())).toMatchObject({ type: 'fail', port: 'error', output: { status: 502, message: expect.stringContaining('answered 502, not with a Prometheus query result') } });
    respond(200, { status: 'success', data: { resultType: 'vector', result: [] } });
    expect(outputOf(await executeGraph(config(), ctx())).message).toBe(`GET ${base}/api/v1/query_range answered with a "vector" result, not a matrix (what a range query gives)`);
    respond(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [['now', 1]] }] } });
    expect(await executeGraph(config(), ctx())).toMatchObject({ type: 'fail', port: 'error', output: { message: 'the matrix in the answer is not a list of series with labels and [time, value] samples' } });
  });

  it('refuses an answer over 1 MiB', async () => {
    const result = Array.from({ length: 200 }, (_, i) => ({ metric: { instance: `host-${i}.example.internal:9100`, job: 'node' }, values: samples(i) }));
    respond(200, { status: 'success', data: { resultType: 'matrix', result } });
    expect(answer.body.length).toBeGreaterThan(1024 * 1024);
    const outcome = await executeGraph(config(), ctx());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 200, series: 0 } });
    expect(outputOf(outcome).message).toBe(`GET ${base}/api/v1/query_range answered with more than 1 MiB; narrow the query (a label matcher, topk, or an aggregation such as max by (instance))`);
  });
});

describe('enrich.graph of the alert’s own expression', () => {
  const LINK = 'http://evil.test:9090/graph?g0.expr=node_load1%7Binstance%3D%22db1%3A9100%22%7D+%3E+2&g0.tab=1';

  it('reads g0.expr from the alert’s source link, and nothing else', () => {
    expect(alertExpression(LINK)).toBe('node_load1{instance="db1:9100"} > 2');
    expect(alertExpression('http://prom:9090/graph?g0.tab=1')).toBeUndefined();
    expect(alertExpression('http://prom:9090/graph?g0.expr=%20%20')).toBeUndefined();
    expect(alertExpression('not a url')).toBeUndefined();
    expect(alertExpression(undefined)).toBeUndefined();
  });

  it('sends the expression to the configured Prometheus, never to the link’s host', async () => {
    respond(200, MATRIX);
    resolved.length = 0;
    const outcome = await executeGraph(config({ query: undefined, alertExpression: true }), ctx({ links: { source: LINK } }));
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { query: 'node_load1{instance="db1:9100"} > 2', series: 2 } });
    expect(received.at(-1)).toMatchObject({ path: '/api/v1/query_range', params: expect.arrayContaining([['query', 'node_load1{instance="db1:9100"} > 2']]) });
    expect(resolved).toEqual(['prom.test']);
  });

  it('goes to "error" without sending anything when there is no expression: set query', async () => {
    const before = received.length;
    const noLink = await executeGraph(config({ query: undefined, alertExpression: true }), ctx());
    expect(noLink).toMatchObject({ type: 'fail', port: 'error', output: { query: '', series: 0 } });
    expect(outputOf(noLink).message).toBe('no query: the alert has no source link with an expression (Alertmanager’s generatorURL); set query to the PromQL to chart');
    const noExpr = await executeGraph(config({ query: undefined, alertExpression: true }), ctx({ links: { source: 'https://grafana.example/alerting/grafana/abc/view' } }));
    expect(outputOf(noExpr).message).toBe('no query: the alert’s source link has no expression (g0.expr); set query to the PromQL to chart');
    const tooLong = await executeGraph(config({ query: undefined, alertExpression: true }), ctx({ links: { source: `http://prom:9090/graph?g0.expr=${'a'.repeat(9000)}` } }));
    expect(outputOf(tooLong).message).toBe('the alert’s expression is 9000 characters long, more than 8192; set query to the PromQL to chart');
    expect(received.length).toBe(before);
  });
});

describe('enrich.graph: where it may connect, and no answer', () => {
  it('goes to "error" without connecting where the destination policy or a secret’s host list forbids', async () => {
    const before = received.length;
    const refused = await executeGraph(config(), ctx({ allowed: [] }));
    expect(refused).toMatchObject({ type: 'fail', port: 'error', output: { series: 0 } });
    expect(outputOf(refused).status).toBeUndefined();
    expect(outputOf(refused).message).toMatch(/^refused to connect to prom\.test at 127\.0\.0\.1/);
    const secretBound = await executeGraph(config({ headers: { Authorization: 'Bearer t0ken' } }), ctx({ secretHosts: ['other.test'] }));
    expect(outputOf(secretBound).message).toContain('PROM_TOKEN');
    expect(received.length).toBe(before);
  });

  it('goes to "error" when nothing answers: connection refused, unknown host, timeout', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(outputOf(await executeGraph(config({ url: `http://prom.test:${port}` }), ctx())).message).toMatch(/ECONNREFUSED/);
    expect(await executeGraph(config({ url: 'http://nosuch.test:9090' }), ctx())).toMatchObject({ type: 'fail', port: 'error' });
    const silent = await executeGraph(config({ url: `${base}/silent`, timeoutSeconds: 1 }), ctx());
    expect(received.at(-1)?.params.at(-1)).toEqual(['timeout', '500ms']);
    expect(outputOf(silent).message).toMatch(/timed out after 1 s/);
  });
});
