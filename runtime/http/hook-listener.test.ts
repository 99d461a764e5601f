import { getRequestListener } from '@hono/node-server';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { eventsRepo } from '../store/events-repo.js';
import { createApp } from './app.js';
import { hookListener } from './hook-listener.js';

const flow = {
  format: 'salve.flow/v1',
  id: 'disk',
  name: 'Disk full',
  enabled: true,
  nodes: [{ id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } }],
  edges: [],
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * One engine behind two servers: `fast` answers hooks with the webhook listener (as `salve
 * serve` does), `hono` answers everything with the Hono app. Every answer must be the same.
 */
async function setup() {
  const kit = testEngine({ secrets: { AM_TOKEN: 'am-token' } });
  await kit.engine.start();
  await kit.engine.flows.create(flow, { name: 'test', via: 'token' });
  const log = pino({ level: 'silent' });
  const app = createApp({ engine: kit.engine, log, adminToken: 'the-admin-token-0123456789', hookBodyLimitBytes: 2048, version: 'test' });
  const honoListener = getRequestListener(app.fetch);
  const fast = await listen(createServer(hookListener({ engine: kit.engine, bodyLimitBytes: 2048, log }, honoListener)));
  const hono = await listen(createServer(honoListener));
  return { ...kit, fast, hono };
}

interface Sent {
  path: string;
  body: string;
  /** Headers; a list sends the header once per value. */
  headers?: Record<string, string | string[]>;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, s: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...(s.headers ?? { 'content-type': 'application/json' }), ...(s.chunked ? {} : { 'content-length': String(Buffer.byteLength(s.body)) }) };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: s.path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (s.chunked) {
      // Several writes: the body arrives in chunks, as from a streaming sender.
      for (let i = 0; i < s.body.length; i += 500) req.write(s.body.slice(i, i + 500));
      req.end();
    } else req.end(s.body);
  });
}

/** What must be equal across the two servers: ids (events, runs, request ids) differ by design. */
function comparable(a: Answer) {
  const body = a.body.replace(/"(ev|ex)_[0-9a-z]+"/g, '"$1_…"');
  const pick = (name: string) => a.headers[name];
  return {
    status: a.status,
    body,
    contentType: pick('content-type'),
    retryAfter: pick('retry-after'),
    wwwAuthenticate: pick('www-authenticate'),
    security: ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'content-security-policy'].map(pick),
  };
}

let fingerprint = 0;
function alerts(extra: Record<string, unknown> = {}) {
  fingerprint++;
  return JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DiskFull', instance: `db${fingerprint}` },
        annotations: {},
        startsAt: '2026-11-24T09:12:30.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: `fp${fingerprint}`,
      },
    ],
    ...extra,
  });
}

const bearer = (token: string): Record<string, string | string[]> => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

describe('the webhook listener answers exactly as the Hono hook route', () => {
  const cases: [string, () => Sent][] = [
    ['accepted', () => ({ path: '/hooks/infra', body: alerts(), headers: bearer('am-token') })],
    ['accepted, with a query string', () => ({ path: '/hooks/infra?from=am', body: alerts(), headers: bearer('am-token') })],
    ['accepted, body sent in chunks', () => ({ path: '/hooks/infra', body: alerts({ pad: 'x'.repeat(1200) }), headers: bearer('am-token'), chunked: true })],
    ['wrong token', () => ({ path: '/hooks/infra', body: alerts(), headers: bearer('not-the-token') })],
    ['no token', () => ({ path: '/hooks/infra', body: alerts() })],
    ['the token sent twice, once wrong', () => ({ path: '/hooks/infra', body: alerts(), headers: { ...bearer('am-token'), authorization: ['Bearer am-token', 'Bearer other'] } })],
    ['no flow on the path', () => ({ path: '/hooks/nothing-here', body: alerts(), headers: bearer('am-token') })],
    ['a path with more segments', () => ({ path: '/hooks/infra/alerts', body: alerts(), headers: bearer('am-token') })],
    ['an escaped path', () => ({ path: '/hooks/%69nfra', body: alerts(), headers: bearer('am-token') })],
    ['invalid JSON', () => ({ path: '/hooks/infra', body: '{"alerts": [', headers: bearer('am-token') })],
    ['not JSON', () => ({ path: '/hooks/infra', body: alerts(), headers: { 'content-type': 'text/html', authorization: 'Bearer am-token' } })],
    ['larger than the limit, declared', () => ({ path: '/hooks/infra', body: alerts({ pad: 'x'.repeat(4000) }), headers: bearer('am-token') })],
    ['larger than the limit, chunked', () => ({ path: '/hooks/infra', body: alerts({ pad: 'x'.repeat(4000) }), headers: bearer('am-token'), chunked: true })],
  ];
  for (const [name, make] of cases) {
    it(name, async () => {
      const { fast, hono } = await setup();
      const viaHono = await send(hono, make());
      const viaListener = await send(fast, make());
      expect(comparable(viaListener)).toEqual(comparable(viaHono));
    });
  }

  it('the statuses are the ones a sender expects', async () => {
    const { fast } = await setup();
    const statuses = [];
    for (const [, make] of cases) statuses.push((await send(fast, make())).status);
    expect(statuses).toEqual([202, 202, 202, 401, 401, 401, 404, 404, 202, 400, 415, 413, 413]);
  });

  it('records every delivery in the event log as the Hono route does', async () => {
    const { fast, hono, store } = await setup();
    const seen = new Set<string>();
    const rows = async (port: number) => {
      await send(port, { path: '/hooks/infra', body: alerts(), headers: bearer('am-token') });
      await send(port, { path: '/hooks/infra', body: alerts(), headers: bearer('wrong') });
      await send(port, { path: '/hooks/infra', body: alerts({ pad: 'x'.repeat(4000) }), headers: bearer('am-token'), chunked: true });
      // Refusals are recorded after the answer, in a write of their own: wait for all three rows.
      const fresh = await waitFor(() => {
        const rows = eventsRepo.list(store.db, { limit: 10 }).filter((e) => !seen.has(e.id));
        return rows.length === 3 && rows;
      }, 5000, 'the three deliveries in the event log');
      for (const e of fresh) seen.add(e.id);
      return fresh
        // One manual clock: the three ids share a millisecond, so order by what happened.
        .sort((x, y) => x.httpStatus - y.httpStatus)
        .map((e) => ({ outcome: e.outcome, httpStatus: e.httpStatus, reason: e.reason, headers: JSON.parse(e.headers), bodyBytes: e.bodyBytes }));
    };
    const strip = (h: Record<string, string>) => {
      const { host: _host, 'content-length': _len, ...rest } = h;
      return rest;
    };
    const a = (await rows(hono)).map((r) => ({ ...r, headers: strip(r.headers) }));
    const b = (await rows(fast)).map((r) => ({ ...r, headers: strip(r.headers) }));
    expect(b).toEqual(a);
    expect(b.map((r) => r.outcome)).toEqual(['accepted', 'rejected', 'invalid']);
    expect(b[1]!.headers.authorization).toBe('***');
  });

  it('keeps a plain X-Request-Id and replaces one with other characters', async () => {
    const { fast } = await setup();
    const kept = await send(fast, { path: '/hooks/infra', body: alerts(), headers: { ...bearer('am-token'), 'x-request-id': 'am-retry_42=' } });
    expect(kept.headers['x-request-id']).toBe('am-retry_42=');
    const replaced = await send(fast, { path: '/hooks/infra', body: alerts(), headers: { ...bearer('am-token'), 'x-request-id': 'bad-id!' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 503 with Retry-After while shutting down, like the Hono route', async () => {
    const { fast, hono, engine } = await setup();
    await engine.shutdown(0);
    const viaHono = await send(hono, { path: '/hooks/infra', body: alerts(), headers: bearer('am-token') });
    const viaListener = await send(fast, { path: '/hooks/infra', body: alerts(), headers: bearer('am-token') });
    expect(viaListener.status).toBe(503);
    expect(comparable(viaListener)).toEqual(comparable(viaHono));
  });

  it('leaves every other request to Hono', async () => {
    const { fast } = await setup();
    const health = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port: fast, path: '/healthz' }, (res) => resolve(res.statusCode ?? 0)).end());
    expect(health).toBe(200);
  });
});
