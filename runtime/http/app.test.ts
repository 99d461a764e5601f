import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { secretStoreFromEnv } from '../engine/secrets/secrets.js';
import { createApp } from './app.js';
import { EDITOR_CSP } from './security-headers.js';

const TOKEN = 'the-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

function setup(opts: { env?: NodeJS.ProcessEnv; editorDir?: string } = {}) {
  const { engine } = testEngine();
  return createApp({
    engine,
    log: pino({ level: 'silent' }),
    adminToken: TOKEN,
    hookBodyLimitBytes: 256 * 1024,
    version: 'test',
    secrets: secretStoreFromEnv(opts.env ?? {}),
    editorDir: opts.editorDir,
  });
}

const editorDir = mkdtempSync(join(tmpdir(), 'salve-editor-'));
mkdirSync(join(editorDir, 'assets'));
writeFileSync(join(editorDir, 'index.html'), '<!doctype html><title>Salve</title><script type="module" src="/assets/app.js"></script>');
writeFileSync(join(editorDir, 'assets', 'app.js'), 'console.log("editor")');
afterAll(() => rmSync(editorDir, { recursive: true, force: true }));

describe('security headers', () => {
  const expectBaseline = (res: Response, what: string) => {
    expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
    expect(res.headers.get('x-frame-options'), what).toBe('DENY');
    expect(res.headers.get('content-security-policy'), what).toBe(EDITOR_CSP);
  };

  it('are on the editor page and its files, with the editor CSP and no no-store', async () => {
    const app = setup({ editorDir });
    for (const path of ['/', '/assets/app.js']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expectBaseline(res, path);
      expect(res.headers.get('cache-control'), path).not.toBe('no-store');
    }
    expect(EDITOR_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
  });

  it('are on the fallback page, health, hooks and every /api answer; /api is never cached', async () => {
    const app = setup();
    const fallback = await app.request('/');
    expect(fallback.headers.get('content-type')).toMatch(/text\/html/);
    expectBaseline(fallback, '/');
    expectBaseline(await app.request('/healthz'), '/healthz');
    expectBaseline(await app.request('/hooks/nowhere', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 'hook');
    for (const [path, headers, status] of [
      ['/api/flows', auth, 200],
      ['/api/flows', {}, 401],
      ['/api/nowhere', auth, 404],
    ] as const) {
      const res = await app.request(path, { headers });
      expect(res.status).toBe(status);
      expectBaseline(res, path);
      expect(res.headers.get('cache-control'), `${path} ${status}`).toBe('no-store');
    }
  });
});

describe('GET /api/secrets', () => {
  it('lists the names of resolvable secrets, sorted, never their values', async () => {
    const env = {
      SALVE_SECRET_PAGERDUTY_KEY: 'pd-value-123',
      SALVE_SECRET_AM_TOKEN: 'am-value-456',
      SALVE_SECRET_EMPTY: '', // unset, as the resolver sees it
      SALVE_SECRET_lower: 'not referencable', // no flow can name it
      SALVE_ADMIN_TOKEN: 'never-listed-0123456789',
      SALVE_SECRET_AM_TOKEN_HOSTS: 'hooks.example.com', // where AM_TOKEN may go, not a secret of its own
      PATH: '/usr/bin',
    };
    const res = await setup({ env }).request('/api/secrets', { headers: auth });
    expect(res.status).toBe(200);
    const text = await res.text();
    const env_ = { source: 'environment', team: null, description: '', overriddenByEnvironment: false, createdAt: null, updatedAt: null, updatedBy: null, usedBy: [] };
    expect(JSON.parse(text)).toEqual({
      secrets: [
        { name: 'AM_TOKEN', hosts: ['hooks.example.com'], ...env_ },
        { name: 'PAGERDUTY_KEY', hosts: [], ...env_ },
      ],
    });
    for (const value of Object.values(env).filter((v) => v && !v.includes('.'))) expect(text).not.toContain(value);
    expect((await setup({ env }).request('/api/secrets')).status).toBe(401);
  });
});

describe('GET /api/node-types', () => {
  it('gives each type its editor hints, samples and a JSON Schema of its config', async () => {
    const res = await setup().request('/api/node-types', { headers: auth });
    const { items } = (await res.json()) as { items: any[] };
    const byType = Object.fromEntries(items.map((i) => [i.type, i]));
    for (const item of items) {
      expect(item.configSchema, item.type).toMatchObject({ type: 'object' });
      expect(item.ui, item.type).toBeTypeOf('object');
      expect(Array.isArray(item.samples), item.type).toBe(true);
    }
    const http = byType['action.http'];
    expect(http.configSchema.required).toEqual(['url']); // input side: defaulted fields are optional
    expect(http.configSchema.properties.method).toMatchObject({ default: 'POST', enum: expect.arrayContaining(['GET', 'POST']) });
    expect(byType['approval.request'].ui.message).toMatchObject({ widget: 'expression', language: 'template', label: 'Question' });
    expect(byType['source.alertmanager'].samples.map((s: any) => s.name)).toEqual(['DiskFull firing', 'DiskFull resolved']);
    expect(byType['source.webhook'].samples.length).toBeGreaterThan(0);
    expect(byType['condition.match'].samples).toEqual([]);
  });
});
