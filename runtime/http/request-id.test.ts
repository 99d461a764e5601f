import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { ManualClock } from '../../test/kit/engine.js';
import { secretStoreFrom } from '../engine/secrets/secrets.js';
import { createLogger } from '../log.js';
import { SqliteStore } from '../store/db.js';
import { createApp } from './app.js';

const TOKEN = 'the-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

/**
 * The app over an engine that both log, as the server does, into one captured stream; a flow
 * listens on /hooks/infra with a bearer token.
 */
async function setup(level = 'info') {
  let written = '';
  const log = createLogger({
    level,
    destination: new Writable({
      write(chunk, _enc, done) {
        written += String(chunk);
        done();
      },
    }),
  });
  const store = new SqliteStore(':memory:');
  const engine = new Engine({
    store,
    clock: new ManualClock(),
    log,
    secrets: secretStoreFrom({ AM_TOKEN: 'the-alertmanager-token' }),
    maxConcurrent: 1,
    executionDeadlineMs: 60_000,
    tickMs: 3_600_000,
    scheduleTimers: false,
  });
  await engine.start();
  await engine.flows.create(
    {
      format: 'salve.flow/v1',
      id: 'f1',
      name: 'f1',
      enabled: true,
      nodes: [{ id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } }],
      edges: [],
    },
    { name: 'test', via: 'token' },
  );
  const app = createApp({ engine, log, adminToken: TOKEN, hookBodyLimitBytes: 256 * 1024, version: 'test' });
  const lines = (): LogLine[] =>
    written
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  return { app, lines };
}

describe('request ids', () => {
  it('answers every request with an X-Request-Id: API, hooks, health, errors and unknown routes', async () => {
    const { app } = await setup();
    const answers = {
      api: await app.request('/api/automation', { headers: auth }),
      unauthorized: await app.request('/api/automation'),
      hook: await app.request('/hooks/nowhere', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      health: await app.request('/healthz'),
      unknown: await app.request('/api/no-such-thing', { headers: auth }),
      page: await app.request('/'),
    };
    const ids = new Set<string>();
    for (const [what, res] of Object.entries(answers)) {
      const id = res.headers.get('x-request-id');
      expect(id, what).toMatch(UUID);
      ids.add(id!);
    }
    expect(ids.size, 'one id per request').toBe(Object.keys(answers).length);
    expect(answers.unauthorized.status).toBe(401);
    expect(answers.hook.status).toBe(404);
  });

  it('writes the id of the request on its log lines: a refused API request and a refused webhook', async () => {
    const { app, lines } = await setup();
    const api = await app.request('/api/automation', { headers: { authorization: 'Bearer wrong-token-0123456789' } });
    expect(api.status).toBe(401);
    const apiId = api.headers.get('x-request-id');
    expect(apiId).toMatch(UUID);
    expect(lines().filter((l) => l.reqId === apiId).map((l) => l.msg)).toEqual(['API request refused: wrong bearer token']);

    const hook = await app.request('/hooks/infra', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-alertmanager-token' },
      body: '{}',
    });
    expect(hook.status).toBe(401);
    const hookId = hook.headers.get('x-request-id');
    expect(hookId).toMatch(UUID);
    expect(hookId).not.toBe(apiId);
    expect(lines().filter((l) => l.reqId === hookId).map((l) => l.msg)).toEqual(['webhook rejected: authentication failed']);
  });

  it('logs the id given by the caller when it is short and plain, and answers with it', async () => {
    const { app, lines } = await setup();
    const given = 'proxy-7f3a_trace=42';
    const res = await app.request('/api/automation/pause', { method: 'POST', headers: { ...auth, 'x-request-id': given } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(given);
    expect(lines().filter((l) => l.reqId === given).map((l) => l.msg)).toEqual(['automation paused']);
  });

  it('replaces an incoming id that is too long or holds anything but letters, digits, _, - and =', async () => {
    const { app, lines } = await setup();
    // A newline cannot reach a handler (HTTP parsers and fetch's Headers refuse it); these can.
    const unsafe = ['x'.repeat(300), 'two words', 'quote"}{"injected":"1', 'tab\there', '../../etc/passwd', 'ünïcode'];
    for (const given of unsafe) {
      const res = await app.request('/api/automation', { headers: { authorization: 'Bearer wrong-token-0123456789', 'x-request-id': given } });
      const id = res.headers.get('x-request-id');
      expect(id, given).toMatch(UUID);
      expect(lines().at(-1)?.reqId, given).toBe(id);
    }
    expect(lines().some((l) => unsafe.includes(l.reqId ?? ''))).toBe(false);
  });

  it('at debug level, logs one access line per request with its id, method, path and status', async () => {
    const { app, lines } = await setup('debug');
    const res = await app.request('/api/flows?x=secret-in-query', { headers: auth });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    const access = lines().filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ reqId: id, method: 'GET', path: '/api/flows', status: 200 });
    expect(typeof access[0]!.ms).toBe('number');
    expect(JSON.stringify(access[0])).not.toContain('secret-in-query');
  });

  it('writes no access line at the default level', async () => {
    const { app, lines } = await setup('info');
    expect((await app.request('/api/flows', { headers: auth })).status).toBe(200);
    expect(lines().filter((l) => l.msg === 'request')).toEqual([]);
  });
});
