import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { flowDoc } from '../../test/kit/flow.js';
import { createApp } from './app.js';

const TOKEN = 'the-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup() {
  const { engine } = testEngine();
  await engine.start();
  await engine.flows.create(flowDoc(), { name: 'test', via: 'token' });
  const app = createApp({ engine, log: pino({ level: 'silent' }), adminToken: TOKEN, hookBodyLimitBytes: 256 * 1024, version: 'test' });
  return { app, engine };
}

describe('GET /api/events', () => {
  it('refuses bad filters with 422 naming the field', async () => {
    const { app } = await setup();
    for (const [query, field] of [
      ['outcome=lost', 'query.outcome'],
      ['since=yesterday', 'query.since'],
      ['until=2026-11-24', 'query.until'],
      ['since=2026-11-25T00:00:00Z&until=2026-11-24T00:00:00Z', 'query.until'],
      ['limit=201', 'query.limit'],
      ['limit=0', 'query.limit'],
      ['source=Alert%20Manager', 'query.source'],
      ['flow=f1', 'query'],
    ] as const) {
      const res = await app.request(`/api/events?${query}`, { headers: auth });
      expect(res.status, query).toBe(422);
      const body = (await res.json()) as { error: { code: string; details: { issues: { path: string[]; message: string }[] } } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.issues.map((i) => i.path.join('.')), query).toContain(field);
    }
  });

  it('takes every filter, source as `alertmanager` or `source.alertmanager`, and answers 404 for an unknown event', async () => {
    const { app, engine } = await setup();
    const hook = await app.request('/hooks/infra', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nope": true}' });
    expect(hook.status).toBe(422);
    await engine.idle();
    const q = 'outcome=invalid&path=infra&flowId=f1&since=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00%2B01:00&limit=5';
    for (const source of ['alertmanager', 'source.alertmanager']) {
      const res = await app.request(`/api/events?${q}&source=${source}`, { headers: auth });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { outcome: string; httpStatus: number }[]; nextCursor: string | null };
      expect(body.items.map((e) => [e.outcome, e.httpStatus])).toEqual([['invalid', 422]]);
      expect(body.nextCursor).toBeNull();
    }
    expect((await app.request('/api/events?source=webhook', { headers: auth })).status).toBe(200);
    expect((await app.request('/api/events/ev_nope', { headers: auth })).status).toBe(404);
  });
});
