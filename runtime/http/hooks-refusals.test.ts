import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { eventsRepo } from '../store/events-repo.js';
import { createApp } from './app.js';

const flow = {
  format: 'salve.flow/v1',
  id: 'disk',
  name: 'Disk full',
  enabled: true,
  nodes: [{ id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } }],
  edges: [],
};

async function setup() {
  const kit = testEngine();
  await kit.engine.start();
  await kit.engine.flows.create(flow, { name: 'test', via: 'token' });
  const app = createApp({ engine: kit.engine, log: pino({ level: 'silent' }), adminToken: 'the-admin-token-0123456789', hookBodyLimitBytes: 1024, version: 'test' });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    app.request(`/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const only = () => waitFor(() => eventsRepo.list(kit.store.db, { limit: 5 }).at(0));
  return { ...kit, post, only };
}

/** Refusals answered before ingest reads the delivery still reach the event log (the rest: ingest/events.test.ts). */
describe('webhook refusals answered by the hook route', () => {
  it('413: recorded as invalid with the limit in the reason, and no byte of its body', async () => {
    const { post, only } = await setup();
    const big = JSON.stringify({ pad: 'secret-looking-payload-'.repeat(100) });
    // Senders declare the size (fetch and Alertmanager do); app.request does not on its own.
    const res = await post('infra', big, { 'content-length': String(big.length) });
    expect(res.status).toBe(413);
    const ev = await only();
    expect(ev).toMatchObject({
      outcome: 'invalid',
      httpStatus: 413,
      path: 'infra',
      body: '',
      bodyTruncated: true,
      bodyBytes: big.length,
      reason: "request body is larger than 1024 bytes; the body was not stored (raise SALVE_HOOK_BODY_LIMIT if the sender's deliveries are this large)",
    });
    expect(JSON.parse(ev.routes)).toEqual([{ flowId: 'disk', nodeId: 'am', source: 'alertmanager', result: 'skipped', reason: 'not checked' }]);
    expect(JSON.stringify(ev)).not.toContain('secret-looking-payload');
  });

  it('503 while shutting down: recorded as unavailable, with when the sender was told to retry', async () => {
    const { engine, post, only } = await setup();
    await engine.shutdown(0);
    const res = await post('infra', '{}');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await only()).toMatchObject({ outcome: 'unavailable', httpStatus: 503, reason: 'Salve is shutting down; the sender was asked to retry after 5 s' });
  });

  it('404 for a path with more segments than a hook path: recorded, so a wrong URL in the sender shows', async () => {
    const { post, store, clock } = await setup();
    for (const path of ['infra/alerts', 'infra/']) {
      const res = await post(path, '{}');
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'not_found', message: `no enabled flow listens on /hooks/${path}` });
      clock.advance(1000);
    }
    const [second, first] = await waitFor(() => {
      const rows = eventsRepo.list(store.db, { limit: 5 });
      return rows.length === 2 && rows;
    });
    expect(first).toMatchObject({ outcome: 'not_found', path: 'infra/alerts', reason: 'no flow listens on /hooks/infra/alerts; enabled flows listen on /hooks/infra' });
    expect(second).toMatchObject({ outcome: 'not_found', httpStatus: 404, path: 'infra/', reason: 'no flow listens on /hooks/infra/; enabled flows listen on /hooks/infra' });
  });
});
