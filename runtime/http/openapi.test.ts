import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { createApp } from './app.js';
import { openApiDocument, REQUEST_SCHEMAS } from './openapi.js';
import { ROUTE_TABLE, routeKey } from './route-table.js';

type Doc = { openapi: string; paths: Record<string, Record<string, { 'x-salve-permission': string; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }; parameters?: { name: string; in: string }[]; security?: unknown[] }>> };

const doc = openApiDocument('test') as unknown as Doc;
const op = (method: string, path: string) => doc.paths[path]?.[method];

describe('GET /api/openapi.json', () => {
  it('describes every route of the route table (catch-alls that only answer 404 aside), with its permission', () => {
    const expected = ROUTE_TABLE.filter((r) => r.method !== 'ALL' && !r.path.includes('*')).map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')} ${r.permission}`);
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, o]) => `${method} ${path} ${o['x-salve-permission']}`));
    expect(described.sort()).toEqual(expected.sort());
    expect(doc.openapi).toBe('3.1.0');
  });

  it('takes request bodies and query parameters from the schemas the handlers validate with', () => {
    for (const key of Object.keys(REQUEST_SCHEMAS)) expect(ROUTE_TABLE.some((r) => routeKey(r.method, r.path) === key), key).toBe(true);
    expect(Object.keys(op('put', '/api/secrets/{name}')!.requestBody!.content['application/json']!.schema.properties!)).toEqual(['value', 'description', 'hosts']);
    expect(op('get', '/api/executions/{id}')!.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(op('get', '/api/executions')!.parameters!.map((p) => `${p.in}:${p.name}`)).toContain('query:status');
    expect(op('post', '/hooks/{path}')!.security).toEqual([]);
    expect(op('get', '/api/flows')!.security).toBeUndefined();
  });

  it('is served without credentials (it holds no data), as JSON', async () => {
    const { engine, store } = testEngine();
    const app = createApp({ engine, log: pino({ level: 'silent' }), adminToken: 'the-admin-token-0123456789', hookBodyLimitBytes: 65536, version: '9.9.9', now: () => Date.now() });
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const served = (await res.json()) as { info: { version: string }; paths: object };
    expect(served.info.version).toBe('9.9.9');
    expect(Object.keys(served.paths)).toContain('/api/flows/{id}');
    store.close();
  });
});
