import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../../test/kit/alertmanager.js';
import { ManualClock } from '../../test/kit/engine.js';
import { amSource, flowDoc } from '../../test/kit/flow.js';
import { SECRET_VALUE_MAX_BYTES, SecretListItemSchema, SecretListSchema } from '../../shared/secrets-api.js';
import { Engine } from '../engine/engine.js';
import { secretStoreFromEnv } from '../engine/secrets/secrets.js';
import { openStoredSecrets } from '../engine/secrets/stored-secrets.js';
import { sqliteStore } from '../store/store.js';
import { SqliteStore } from '../store/db.js';
import { createApp } from './app.js';

const TOKEN = 'the-admin-token-0123456789';
const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');

/** An app whose engine resolves secrets from the secret store and `env`, as the server wires it. */
async function setup(env: Record<string, string> = {}) {
  const store = new SqliteStore(':memory:');
  const clock = new ManualClock();
  const log = pino({ level: 'silent' });
  const environment = secretStoreFromEnv(env);
  const { stored } = await openStoredSecrets({ store: sqliteStore(store), sqlite: store, dataDir: '/nonexistent', envKey: MASTER_KEY, env: {}, environment, now: () => clock.now(), log });
  const engine = new Engine({ store, clock, log, secrets: stored.all, maxConcurrent: 4, executionDeadlineMs: 3_600_000, tickMs: 3_600_000, scheduleTimers: false });
  await engine.start();
  const app = createApp({ engine, log, adminToken: TOKEN, hookBodyLimitBytes: 256 * 1024, version: 'test', storedSecrets: stored });
  /** Every response body, to check that no value was ever answered. */
  const answered: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    answered.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const audit = () => store.sqlite.prepare('SELECT actor, action, target, details FROM audit WHERE action LIKE ? ORDER BY id').all('secret.%') as { details: string }[];
  const hook = (token: string) =>
    app.request('/hooks/infra', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
  return { app, api, answered, audit, hook, clock };
}

const VALUE = 'am-token-value-5d8e1f';
const NEW_VALUE = 'am-token-value-rotated-77aa';

describe('/api/secrets', () => {
  it('creates (201), updates (200, omitted fields unchanged), lists and deletes; no answer or audit record holds a value', async () => {
    const { api, answered, audit, clock } = await setup();
    const created = await api('PUT', '/api/secrets/AM_TOKEN', { value: VALUE, description: 'Alertmanager bearer', hosts: ['am.example.internal'] });
    expect(created.status).toBe(201);
    expect(SecretListItemSchema.strict().parse(created.body)).toEqual({
      name: 'AM_TOKEN',
      description: 'Alertmanager bearer',
      hosts: ['am.example.internal'],
      source: 'store',
      team: 'default',
      overriddenByEnvironment: false,
      createdAt: '2026-11-24T00:00:00.000Z',
      updatedAt: '2026-11-24T00:00:00.000Z',
      updatedBy: 'admin',
      usedBy: [],
    });
    clock.advance(60_000);
    const updated = await api('PUT', '/api/secrets/AM_TOKEN', { value: NEW_VALUE });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ description: 'Alertmanager bearer', hosts: ['am.example.internal'], updatedAt: '2026-11-24T00:01:00.000Z', createdAt: '2026-11-24T00:00:00.000Z' });
    expect((await api('PUT', '/api/secrets/AM_TOKEN', { hosts: [] })).body.hosts).toEqual([]);
    const list = await api('GET', '/api/secrets');
    expect(SecretListSchema.parse(list.body).secrets.map((s: { name: string }) => s.name)).toEqual(['AM_TOKEN']);
    expect((await api('DELETE', '/api/secrets/AM_TOKEN')).status).toBe(204);
    expect((await api('GET', '/api/secrets')).body).toEqual({ secrets: [] });
    expect(audit().map((a: any) => [a.action, a.target, a.actor])).toEqual([
      ['secret.create', 'AM_TOKEN', 'admin'],
      ['secret.update', 'AM_TOKEN', 'admin'],
      ['secret.update', 'AM_TOKEN', 'admin'],
      ['secret.delete', 'AM_TOKEN', 'admin'],
    ]);
    for (const text of [...answered, ...audit().map((a) => a.details)]) {
      for (const v of [VALUE, NEW_VALUE]) expect(text).not.toContain(v);
    }
  });

  it('takes effect for the next delivery without a restart: a source checks the stored token', async () => {
    const { api, hook } = await setup();
    expect((await api('POST', '/api/flows', flowDoc({ source: amSource({ auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }) }))).status).toBe(201);
    expect((await hook(VALUE)).status).toBe(401); // not set yet
    await api('PUT', '/api/secrets/AM_TOKEN', { value: VALUE });
    expect((await hook(VALUE)).status).toBe(202);
    await api('PUT', '/api/secrets/AM_TOKEN', { value: NEW_VALUE });
    expect((await hook(VALUE)).status).toBe(401);
    expect((await hook(NEW_VALUE)).status).toBe(202);
  });

  it('names the field of every invalid request', async () => {
    const { api } = await setup();
    const problem = async (path: string, body: unknown) => {
      const res = await api('PUT', path, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      return res.body.error.details.issues as { path: (string | number)[]; message: string }[];
    };
    expect(await problem('/api/secrets/NEW_ONE', { description: 'no value' })).toEqual([{ path: ['value'], message: 'value is required to create a secret' }]);
    expect((await problem('/api/secrets/lower_case', { value: VALUE }))[0]!.path).toEqual(['name']);
    expect((await problem('/api/secrets/OK_NAME', { value: 'abc' }))[0]).toMatchObject({ path: ['value'], message: expect.stringMatching(/at least 4 characters/) });
    expect((await problem('/api/secrets/OK_NAME', { value: 'x'.repeat(SECRET_VALUE_MAX_BYTES + 1) }))[0]).toMatchObject({ path: ['value'], message: expect.stringMatching(/at most 65536 bytes/) });
    expect((await problem('/api/secrets/OK_NAME', { value: VALUE, hosts: ['ok.example.com', 'not a host'] }))[0]!.path).toEqual(['hosts', 1]);
    expect((await problem('/api/secrets/OK_NAME', { value: VALUE, extra: true }))[0]!.path).toEqual([]);
    expect((await problem('/api/secrets/OK_NAME', { value: 42 }))[0]).toEqual({ path: ['value'], message: 'value must be a string' });
    expect((await api('GET', '/api/secrets')).body.secrets).toEqual([]);
  });

  it('lists environment secrets read-only and refuses to change them (409 naming the variable)', async () => {
    const { api } = await setup({ SALVE_SECRET_ENV_TOKEN: 'env-token-value-1', SALVE_SECRET_ENV_TOKEN_HOSTS: 'env.example.com' });
    expect((await api('GET', '/api/secrets')).body.secrets).toEqual([
      { name: 'ENV_TOKEN', description: '', hosts: ['env.example.com'], source: 'environment', team: null, overriddenByEnvironment: false, createdAt: null, updatedAt: null, updatedBy: null, usedBy: [] },
    ]);
    for (const [method, body] of [['PUT', { value: 'another-value' }], ['DELETE', undefined]] as const) {
      const res = await api(method, '/api/secrets/ENV_TOKEN', body);
      expect(res.status, method).toBe(409);
      expect(res.body.error.message).toContain('SALVE_SECRET_ENV_TOKEN');
    }
  });

  it('refuses to delete a secret a saved flow uses (409 naming the flow), and answers 404 for an unknown one', async () => {
    const { api } = await setup();
    await api('PUT', '/api/secrets/AM_TOKEN', { value: VALUE });
    const flow = flowDoc({ id: 'disk-full', name: 'Disk full', source: amSource({ auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }) });
    expect((await api('POST', '/api/flows', flow)).status).toBe(201);
    expect((await api('GET', '/api/secrets')).body.secrets[0].usedBy).toEqual([{ flowId: 'disk-full', flowName: 'Disk full' }]);
    const refused = await api('DELETE', '/api/secrets/AM_TOKEN');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('secret AM_TOKEN is used by flow disk-full ("Disk full"): remove the references first');
    expect((await api('DELETE', '/api/secrets/NO_SUCH')).status).toBe(404);
    expect((await api('DELETE', '/api/flows/disk-full')).status).toBe(204);
    expect((await api('DELETE', '/api/secrets/AM_TOKEN')).status).toBe(204);
  });

  it('requires the admin token', async () => {
    const { app } = await setup();
    expect((await app.request('/api/secrets')).status).toBe(401);
    expect((await app.request('/api/secrets/X_TOKEN', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"value":"abcdef"}' })).status).toBe(401);
  });
});
