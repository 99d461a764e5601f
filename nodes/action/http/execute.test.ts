import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../../test-kit.js';
import { HttpActionConfigSchema, type HttpActionConfig } from './definition.js';
import { executeHttpAction } from './execute.js';
import { MAX_RESPONSE_BYTES } from './request.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
let base = '';
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
    const path = req.url!.split('?')[0];
    if (path === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ freed: '12G' }));
    } else if (path === '/text') {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('created');
    } else if (path === '/unavailable') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"busy"}');
    } else if (path === '/redirect') {
      res.writeHead(302, { location: `${base}/redirected` });
      res.end();
    } else if (path === '/hang') {
      // Never answers; the client's timer must end it.
    } else if (path === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const t = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(t));
    } else if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let i = 0; i < 32; i++) res.write(chunk); // 2 MiB
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const cfg = (input: Record<string, unknown>): HttpActionConfig => HttpActionConfigSchema.parse(input);
const lastRequest = () => seen[seen.length - 1]!;

describe('action.http executor', () => {
  it('sends the request with its Idempotency-Key and returns status, content-type and parsed JSON', async () => {
    const config = cfg({
      url: `${base}/ok?host=db1`,
      headers: { 'X-Api-Key': 'resolved-secret-value' },
      body: { path: '/var/tmp', hosts: ['db1'] },
    });
    const outcome = await executeHttpAction(config, testContext({ idempotencyKey: 'ex_1:clean' }));
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'ok',
      output: { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { freed: '12G' }, truncated: false },
    });
    expect((outcome as { output: { durationMs: number } }).output.durationMs).toBeGreaterThanOrEqual(0);
    const req = lastRequest();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/ok?host=db1');
    expect(req.headers['idempotency-key']).toBe('ex_1:clean');
    expect(req.headers['x-api-key']).toBe('resolved-secret-value');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ path: '/var/tmp', hosts: ['db1'] });
  });

  it('sends text bodies as text and keeps non-JSON responses as text', async () => {
    const outcome = await executeHttpAction(cfg({ method: 'PUT', url: `${base}/text`, body: 'restart db1', bodyType: 'text' }), testContext());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { status: 201, body: 'created' } });
    expect(lastRequest()).toMatchObject({ method: 'PUT', body: 'restart db1' });
    expect(lastRequest().headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('goes to "error" when the status is not expected, keeping the response', async () => {
    const outcome = await executeHttpAction(cfg({ url: `${base}/unavailable` }), testContext());
    expect(outcome).toEqual({
      type: 'fail',
      port: 'error',
      error: 'expected 2xx, got 503',
      output: expect.objectContaining({ status: 503, body: { error: 'busy' } }),
    });
    const listed = await executeHttpAction(cfg({ method: 'GET', url: `${base}/text`, expectStatus: [200, 204] }), testContext());
    expect(listed).toMatchObject({ type: 'fail', port: 'error', error: 'expected 200 or 204, got 201' });
    const notFoundIsFine = await executeHttpAction(cfg({ method: 'DELETE', url: `${base}/gone`, expectStatus: [404] }), testContext());
    expect(notFoundIsFine).toMatchObject({ type: 'next', port: 'ok', output: { status: 404 } });
  });

  it('does not follow redirects: a 3xx is reported as is', async () => {
    const before = seen.length;
    const outcome = await executeHttpAction(cfg({ method: 'GET', url: `${base}/redirect` }), testContext());
    expect(outcome).toMatchObject({
      type: 'fail',
      port: 'error',
      error: 'expected 2xx, got 302',
      output: { status: 302, headers: { location: `${base}/redirected` } },
    });
    expect(seen.slice(before).map((r) => r.url)).toEqual(['/redirect']);
  });

  it('times out when no answer comes, and when the body trickles past the deadline', async () => {
    const started = Date.now();
    const hang = await executeHttpAction(cfg({ url: `${base}/hang`, timeoutSeconds: 1 }), testContext());
    expect(hang).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('timed out after 1 s') });
    expect(Date.now() - started).toBeLessThan(2500);

    const trickleStart = Date.now();
    const trickle = await executeHttpAction(cfg({ method: 'GET', url: `${base}/trickle`, timeoutSeconds: 1 }), testContext());
    expect(trickle).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('timed out after 1 s') });
    expect(Date.now() - trickleStart).toBeLessThan(2500);
  });

  it('stops promptly when the execution is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('cancel'), 100);
    const started = Date.now();
    const outcome = await executeHttpAction(cfg({ url: `${base}/hang`, timeoutSeconds: 60 }), testContext({ signal: controller.signal }));
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('cancelled (cancel)') });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('keeps only the first 1 MiB of a 2 MiB response, as text, marked truncated', async () => {
    const outcome = await executeHttpAction(cfg({ method: 'GET', url: `${base}/big` }), testContext());
    expect(outcome.type).toBe('next');
    const output = (outcome as { output: { body: unknown; truncated: boolean } }).output;
    expect(output.truncated).toBe(true);
    expect(typeof output.body).toBe('string');
    expect((output.body as string).length).toBe(MAX_RESPONSE_BYTES);
  });

  it('sends HEAD requests and reads no body', async () => {
    const outcome = await executeHttpAction(cfg({ method: 'HEAD', url: `${base}/ok` }), testContext());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { status: 200, body: '' } });
  });

  it('refuses URLs that are not http(s) and reports network errors on "error"', async () => {
    const file = await executeHttpAction({ ...cfg({ url: `${base}/ok` }), url: 'file:///etc/passwd' }, testContext());
    expect(file).toMatchObject({ type: 'fail', port: 'error', error: 'url must use http or https, not file' });
    const garbage = await executeHttpAction({ ...cfg({ url: `${base}/ok` }), url: 'http://' }, testContext());
    expect(garbage).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('not a valid URL') });

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await executeHttpAction(cfg({ url: `http://user:pw@127.0.0.1:${port}/x?token=abc` }), testContext());
    expect(refused).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('ECONNREFUSED') });
    // The message names the target without credentials or query string.
    expect((refused as { error: string }).error).toContain(`POST http://127.0.0.1:${port}/x failed`);
    expect((refused as { error: string }).error).not.toMatch(/pw|token/);
  });

  it('does not let a header value with a newline through', async () => {
    const outcome = await executeHttpAction({ ...cfg({ url: `${base}/ok` }), headers: { 'X-Host': 'a\r\nX-Evil: 1' } }, testContext());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect((outcome as { error: string }).error).not.toContain('X-Evil');
  });
});
