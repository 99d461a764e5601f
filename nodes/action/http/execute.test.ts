import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import type { ExecContext } from '../../executor.js';
import type { SecretUse } from '../../network.js';
import { resolvedConfig, testContext } from '../../../test/kit/nodes.js';
import { HttpActionConfigSchema } from './definition.js';
import { executeHttpAction } from './execute.js';
import { MAX_RESPONSE_BYTES } from '../../http-request.js';

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
    if (path === '/ok' || path === '/redirected') {
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
    } else if (path === '/redirect-to') {
      const q = new URL(req.url!, 'http://x').searchParams;
      res.writeHead(Number(q.get('status') ?? 302), { location: q.get('to')! });
      res.end();
    } else if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
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

const cfg = (input: Record<string, unknown>) => resolvedConfig(HttpActionConfigSchema, input);

/** Two names for the one loopback test server, so redirects can cross hosts without a network. */
const resolver: Resolver = async (host) => {
  if (host === 'agent.test' || host === 'other.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

/** A context whose network allows the loopback test server (as SALVE_ALLOWED_TARGETS=127.0.0.1 would). */
function ctxFor(opts: { allowed?: string[]; secrets?: SecretUse[]; hosts?: Record<string, string[]> } & Partial<Omit<ExecContext, 'vars' | 'secrets'>> = {}): ExecContext {
  const { allowed = ['127.0.0.1'], secrets = [], hosts = {}, ...rest } = opts;
  const policy = new DestinationPolicy({ allowedTargets: allowed, secretHosts: (name) => hosts[name], resolver });
  return testContext({ ...rest, secrets, network: policy.forStep({ secrets: secrets.map((s) => s.name) }) });
}
const lastRequest = () => seen[seen.length - 1]!;

describe('action.http executor', () => {
  it('sends the request with its Idempotency-Key and returns status, content-type and parsed JSON', async () => {
    const config = cfg({
      url: `${base}/ok?host=db1`,
      headers: { 'X-Api-Key': 'resolved-secret-value' },
      body: { path: '/var/tmp', hosts: ['db1'] },
    });
    const outcome = await executeHttpAction(config, ctxFor({ idempotencyKey: 'ex_1:clean' }));
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
    const outcome = await executeHttpAction(cfg({ method: 'PUT', url: `${base}/text`, body: 'restart db1', bodyType: 'text' }), ctxFor());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { status: 201, body: 'created' } });
    expect(lastRequest()).toMatchObject({ method: 'PUT', body: 'restart db1' });
    expect(lastRequest().headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('goes to "error" when the status is not expected, keeping the response', async () => {
    const outcome = await executeHttpAction(cfg({ url: `${base}/unavailable` }), ctxFor());
    expect(outcome).toEqual({
      type: 'fail',
      port: 'error',
      error: 'expected 2xx, got 503',
      output: expect.objectContaining({ status: 503, body: { error: 'busy' } }),
    });
    const listed = await executeHttpAction(cfg({ method: 'GET', url: `${base}/text`, expectStatus: [200, 204] }), ctxFor());
    expect(listed).toMatchObject({ type: 'fail', port: 'error', error: 'expected 200 or 204, got 201' });
    const notFoundIsFine = await executeHttpAction(cfg({ method: 'DELETE', url: `${base}/gone`, expectStatus: [404] }), ctxFor());
    expect(notFoundIsFine).toMatchObject({ type: 'next', port: 'ok', output: { status: 404 } });
  });

  it('does not follow redirects: a 3xx is reported as is', async () => {
    const before = seen.length;
    const outcome = await executeHttpAction(cfg({ method: 'GET', url: `${base}/redirect` }), ctxFor());
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
    const hang = await executeHttpAction(cfg({ url: `${base}/hang`, timeoutSeconds: 1 }), ctxFor());
    expect(hang).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('timed out after 1 s') });
    expect(Date.now() - started).toBeLessThan(2500);

    const trickleStart = Date.now();
    const trickle = await executeHttpAction(cfg({ method: 'GET', url: `${base}/trickle`, timeoutSeconds: 1 }), ctxFor());
    expect(trickle).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('timed out after 1 s') });
    expect(Date.now() - trickleStart).toBeLessThan(2500);
  });

  it('stops promptly when the execution is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('cancel'), 100);
    const started = Date.now();
    const outcome = await executeHttpAction(cfg({ url: `${base}/hang`, timeoutSeconds: 60 }), ctxFor({ signal: controller.signal }));
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('cancelled (cancel)') });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('keeps only the first 1 MiB of a 2 MiB response, as text, marked truncated', async () => {
    const outcome = await executeHttpAction(cfg({ method: 'GET', url: `${base}/big` }), ctxFor());
    expect(outcome.type).toBe('next');
    const output = (outcome as { output: { body: unknown; truncated: boolean } }).output;
    expect(output.truncated).toBe(true);
    expect(typeof output.body).toBe('string');
    expect((output.body as string).length).toBe(MAX_RESPONSE_BYTES);
  });

  it('sends HEAD requests and reads no body', async () => {
    const outcome = await executeHttpAction(cfg({ method: 'HEAD', url: `${base}/ok` }), ctxFor());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { status: 200, body: '' } });
  });

  it('refuses URLs that are not http(s) and reports network errors on "error"', async () => {
    const file = await executeHttpAction({ ...cfg({ url: `${base}/ok` }), url: 'file:///etc/passwd' }, ctxFor());
    expect(file).toMatchObject({ type: 'fail', port: 'error', error: 'url must use http or https, not file' });
    const garbage = await executeHttpAction({ ...cfg({ url: `${base}/ok` }), url: 'http://' }, ctxFor());
    expect(garbage).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('not a valid URL') });

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await executeHttpAction(cfg({ url: `http://user:pw@127.0.0.1:${port}/x?token=abc` }), ctxFor());
    expect(refused).toMatchObject({ type: 'fail', port: 'error', error: expect.stringContaining('ECONNREFUSED') });
    // The message names the target without credentials or query string.
    expect((refused as { error: string }).error).toContain(`POST http://127.0.0.1:${port}/x failed`);
    expect((refused as { error: string }).error).not.toMatch(/pw|token/);
  });

  it('does not let a header value with a newline through', async () => {
    const outcome = await executeHttpAction({ ...cfg({ url: `${base}/ok` }), headers: { 'X-Host': 'a\r\nX-Evil: 1' } }, ctxFor());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect((outcome as { error: string }).error).not.toContain('X-Evil');
  });

  it('refuses a loopback target unless the allow-list names it, before connecting', async () => {
    const before = seen.length;
    const outcome = await executeHttpAction(cfg({ url: `${base}/ok` }), ctxFor({ allowed: [] }));
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect((outcome as { error: string }).error).toMatch(/^refused to connect to 127\.0\.0\.1 \(loopback\) for http:\/\/127\.0\.0\.1:\d+\/ok: non-public addresses need an entry in SALVE_ALLOWED_TARGETS/);
    expect(seen.length).toBe(before);
  });

  it('fails before connecting when a secret would go to a host its list does not allow', async () => {
    const port = new URL(base).port;
    const secrets = [{ name: 'AGENT_TOKEN', path: ['headers', 'Authorization'] }];
    const config = (host: string) => ({ ...cfg({ url: `http://${host}:${port}/ok` }), headers: { Authorization: 'Bearer s3cr3t-value' } });
    const before = seen.length;
    const refused = await executeHttpAction(config('other.test'), ctxFor({ secrets, hosts: { AGENT_TOKEN: ['agent.test'] } }));
    expect(refused).toMatchObject({
      type: 'fail',
      error: `secret AGENT_TOKEN may not be sent to other.test at 127.0.0.1 (for http://other.test:${port}/ok): it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS`,
    });
    const unbound = await executeHttpAction(config('agent.test'), ctxFor({ secrets }));
    expect((unbound as { error: string }).error).toMatch(/SALVE_SECRET_AGENT_TOKEN_HOSTS is not set/);
    expect(seen.length).toBe(before);

    const sent = await executeHttpAction(config('agent.test'), ctxFor({ secrets, hosts: { AGENT_TOKEN: ['agent.test'] } }));
    expect(sent).toMatchObject({ type: 'next', port: 'ok' });
    expect(lastRequest().headers.authorization).toBe('Bearer s3cr3t-value');
  });

  describe('with followRedirects', () => {
    const redirectTo = (to: string, status = 302) => `${base}/redirect-to?to=${encodeURIComponent(to)}&status=${status}`;

    it('follows a redirect and records it', async () => {
      const outcome = await executeHttpAction(cfg({ method: 'GET', url: `${base}/redirect`, followRedirects: true }), ctxFor());
      expect(outcome).toMatchObject({
        type: 'next',
        port: 'ok',
        output: { status: 200, body: { freed: '12G' }, redirects: [{ status: 302, to: `${base}/redirected` }], droppedHeaders: [] },
      });
    });

    it('checks every hop: a redirect to a loopback address from an allowed host is refused', async () => {
      const port = new URL(base).port;
      const before = seen.length;
      const url = `http://agent.test:${port}/redirect-to?to=${encodeURIComponent(`http://127.0.0.1:${port}/ok`)}`;
      const outcome = await executeHttpAction(cfg({ method: 'GET', url, followRedirects: true }), ctxFor({ allowed: ['agent.test'] }));
      expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { redirects: [{ status: 302, to: `http://127.0.0.1:${port}/ok` }] } });
      expect((outcome as { error: string }).error).toMatch(/^refused to connect to 127\.0\.0\.1 \(loopback\)/);
      expect(seen.slice(before).map((r) => r.url.split('?')[0])).toEqual(['/redirect-to']);
    });

    it('drops secret headers on a hop their secret may not go to, and says so', async () => {
      const port = new URL(base).port;
      const secrets = [{ name: 'AGENT_TOKEN', path: ['headers', 'X-Token'] }];
      const url = `http://agent.test:${port}/redirect-to?to=${encodeURIComponent(`http://other.test:${port}/ok`)}`;
      const config = { ...cfg({ method: 'GET', url, followRedirects: true }), headers: { 'X-Token': 's3cr3t-value', Authorization: 'Basic literal' } };
      const before = seen.length;
      const outcome = await executeHttpAction(config, ctxFor({ secrets, hosts: { AGENT_TOKEN: ['agent.test'] } }));
      expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
      const [first, second] = seen.slice(before);
      expect(first!.headers['x-token']).toBe('s3cr3t-value');
      expect(second!.headers['x-token']).toBeUndefined();
      expect(second!.headers.authorization).toBeUndefined();
      expect((outcome as { output: { droppedHeaders: unknown } }).output.droppedHeaders).toEqual([
        { header: 'authorization', to: `http://other.test:${port}/ok`, reason: 'credentials are not sent to another origin' },
        {
          header: 'X-Token',
          to: `http://other.test:${port}/ok`,
          reason: `secret AGENT_TOKEN may not be sent to other.test at 127.0.0.1 (for http://other.test:${port}/ok): it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS`,
        },
      ]);

      // Where the secret may go, it goes.
      const allowedToo = await executeHttpAction(config, ctxFor({ secrets, hosts: { AGENT_TOKEN: ['agent.test', 'other.test'] } }));
      expect(allowedToo).toMatchObject({ type: 'next', port: 'ok' });
      expect(lastRequest().headers['x-token']).toBe('s3cr3t-value');
    });

    it('fails rather than send a secret in the body where it may not go', async () => {
      const port = new URL(base).port;
      const secrets = [{ name: 'AGENT_TOKEN', path: ['body', 'token'] }];
      const url = `http://agent.test:${port}/redirect-to?status=307&to=${encodeURIComponent(`http://other.test:${port}/ok`)}`;
      const before = seen.length;
      const outcome = await executeHttpAction(cfg({ url, body: { token: 's3cr3t-value' }, followRedirects: true }), ctxFor({ secrets, hosts: { AGENT_TOKEN: ['agent.test'] } }));
      expect((outcome as { error: string }).error).toMatch(/secret AGENT_TOKEN may not be sent to other\.test .*; not following the redirect$/);
      expect(seen.length - before).toBe(1);
    });

    it('turns a POST into a GET without body on 302 and 303, and repeats it on 307', async () => {
      const before = seen.length;
      await executeHttpAction(cfg({ url: redirectTo(`${base}/ok`, 302), body: { a: 1 }, followRedirects: true }), ctxFor());
      await executeHttpAction(cfg({ url: redirectTo(`${base}/ok`, 307), body: { a: 1 }, followRedirects: true }), ctxFor());
      const hops = seen.slice(before).map((r) => [r.method, r.url.split('?')[0], r.body, r.headers['content-type'] ?? null]);
      expect(hops).toEqual([
        ['POST', '/redirect-to', '{"a":1}', 'application/json'],
        ['GET', '/ok', '', null],
        ['POST', '/redirect-to', '{"a":1}', 'application/json'],
        ['POST', '/ok', '{"a":1}', 'application/json'],
      ]);
    });

    it('stops after 5 redirects, and never follows other schemes or user info', async () => {
      const loop = await executeHttpAction(cfg({ method: 'GET', url: `${base}/loop`, followRedirects: true }), ctxFor());
      expect(loop).toMatchObject({ type: 'fail', error: `GET ${base}/loop: stopped after 5 redirects` });
      expect((loop as { output: { redirects: unknown[] } }).output.redirects).toHaveLength(5);
      const file = await executeHttpAction(cfg({ method: 'GET', url: redirectTo('file:///etc/passwd'), followRedirects: true }), ctxFor());
      expect(file).toMatchObject({ type: 'fail', error: `refused to follow the redirect from ${base}/redirect-to to a file: URL (only http and https)` });
      const creds = await executeHttpAction(cfg({ method: 'GET', url: redirectTo(`http://user:pw@127.0.0.1:${new URL(base).port}/ok`), followRedirects: true }), ctxFor());
      expect(creds).toMatchObject({ type: 'fail', error: `refused to follow the redirect from ${base}/redirect-to: its location carries user info` });
    });
  });
});
