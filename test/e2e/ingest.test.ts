import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { amSource, flowDoc } from '../kit/flow.js';

const AM_TOKEN = 'ingest-test-token';

/** Every way a webhook delivery can be refused, through a real server, and that nothing is stored. */
describe('POST /hooks/:path', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN, SALVE_SECRET_BASIC_PW: 'pw-123456' } });
    const flow = (id: string, path: string, auth: unknown) =>
      flowDoc({
        id,
        source: amSource({ path, auth }),
        nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } }],
        edges: [{ source: 'am', target: 'check' }],
      });
    expect((await server.api('POST', '/api/flows', flow('bearer', 'infra', { type: 'bearer', token: { secret: 'AM_TOKEN' } }))).status).toBe(201);
    expect((await server.api('POST', '/api/flows', flow('basic', 'basic', { type: 'basic', username: 'am', password: { secret: 'BASIC_PW' } }))).status).toBe(201);
    expect((await server.api('POST', '/api/flows', flow('unset', 'unset', { type: 'bearer', token: { secret: 'NOT_SET' } }))).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const send = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}`, ...headers }, body });
  const executionCount = async () => (await server.api('GET', '/api/executions?limit=200')).body.items.length;
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: any } }).error;

  it('accepts a valid delivery with 202 and the execution ids', async () => {
    const res = await send('infra', JSON.stringify(amPayload([amAlert({ fingerprint: 'ok-1' }), amAlert({ fingerprint: 'ok-2', instance: 'db2:9100' })])));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[]; alerts: number };
    expect(body.alerts).toBe(2);
    expect(body.executions).toHaveLength(2);
  });

  it('401 for a missing or wrong token, without detail, and stores nothing', async () => {
    const before = await executionCount();
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer nope' }, { authorization: `Basic ${Buffer.from(`x:${AM_TOKEN}`).toString('base64')}` }]) {
      const res = await send('infra', JSON.stringify(amPayload([amAlert({ fingerprint: 'auth-x' })])), headers);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toBe('invalid or missing credentials');
    }
    expect(await executionCount()).toBe(before);
  });

  it('checks basic auth, and fails closed when the secret is not configured', async () => {
    const ok = await send('basic', JSON.stringify(amPayload([amAlert({ fingerprint: 'basic-1' })])), { authorization: `Basic ${Buffer.from('am:pw-123456').toString('base64')}` });
    expect(ok.status).toBe(202);
    const wrong = await send('basic', JSON.stringify(amPayload([amAlert({ fingerprint: 'basic-2' })])), { authorization: `Basic ${Buffer.from('am:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
    const unset = await send('unset', JSON.stringify(amPayload([amAlert({ fingerprint: 'unset-1' })])), { authorization: 'Bearer ' });
    expect(unset.status).toBe(401);
  });

  it('415 for anything but application/json', async () => {
    const res = await send('infra', JSON.stringify(amPayload([amAlert()])), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('unsupported_media_type');
  });

  it('413 for a body over 256 KiB', async () => {
    const big = amPayload([amAlert({ fingerprint: 'big' })]) as any;
    big.commonAnnotations.pad = 'x'.repeat(300 * 1024);
    const res = await send('infra', JSON.stringify(big));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
  });

  it('400 for a body that is not JSON', async () => {
    const res = await send('infra', '{"alerts": [');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/not valid JSON/);
  });

  it('422 naming the field for a payload that is not an Alertmanager webhook', async () => {
    const bad = amPayload([amAlert({ fingerprint: 'bad' })]) as any;
    bad.alerts[0].status = 'burning';
    delete bad.alerts[0].startsAt;
    const res = await send('infra', JSON.stringify(bad));
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    const paths = error.details.issues.map((i: any) => i.path.join('.'));
    expect(paths).toContain('alerts.0.status');
    expect(paths).toContain('alerts.0.startsAt');
  });

  it('404 for a path no enabled flow listens on', async () => {
    const res = await send('nobody-here', JSON.stringify(amPayload([amAlert()])));
    expect(res.status).toBe(404);
  });

  it('records a duplicate delivery but does not run it twice', async () => {
    const payload = JSON.stringify(amPayload([amAlert({ fingerprint: 'dup-1' })]));
    const first = (await (await send('infra', payload)).json()) as { executions: string[] };
    const second = (await (await send('infra', payload)).json()) as { executions: string[]; duplicates: number; eventId: string };
    expect(first.executions).toHaveLength(1);
    expect(second.executions).toEqual([]);
    expect(second.duplicates).toBe(1);
    const event = (await server.api('GET', `/api/events/${second.eventId}`)).body;
    expect(event.duplicateCount).toBe(1);
    expect(event.headers.authorization).toBe('***');
    // The same alert resolving is a new state, but this flow only starts on firing.
    const resolved = (await (await send('infra', JSON.stringify(amPayload([amAlert({ fingerprint: 'dup-1', status: 'resolved' })], 'resolved')))).json()) as { executions: string[] };
    expect(resolved.executions).toEqual([]);
  });
});
