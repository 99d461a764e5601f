import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorHandling } from './errors.js';
import { validJson, validQuery } from './validated.js';

function app() {
  const a = new Hono();
  installErrorHandling(a, pino({ level: 'silent' }));
  return a
    .get('/q', validQuery(z.strictObject({ limit: z.coerce.number().int().max(10).default(5), status: z.enum(['a', 'b']).optional() })), (c) =>
      c.json(c.req.valid('query')),
    )
    .post('/j', validJson(z.strictObject({ name: z.string().min(1, 'name is required') }), 64, 'thing'), (c) => c.json({ got: c.req.valid('json') }));
}

const body = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });

describe('validQuery', () => {
  it('hands the handler the parsed query', async () => {
    expect(await body(await app().request('/q?limit=7&status=b'))).toEqual({ status: 200, body: { limit: 7, status: 'b' } });
    expect(await body(await app().request('/q'))).toEqual({ status: 200, body: { limit: 5 } });
  });

  it('refuses a bad value with a 422 at query.<name>', async () => {
    const res = await body(await app().request('/q?limit=99'));
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues.map((i: { path: unknown }) => i.path)).toEqual([['query', 'limit']]);
  });
});

describe('validJson', () => {
  const post = (text: string, type = 'application/json') => app().request('/j', { method: 'POST', headers: { 'content-type': type }, body: text });

  it('hands the handler the parsed body', async () => {
    expect(await body(await post('{"name":"x"}'))).toEqual({ status: 200, body: { got: { name: 'x' } } });
  });

  it('refuses what is not JSON (415), too big (413), not parseable (400) or invalid (422, naming the field)', async () => {
    expect((await post('{"name":"x"}', 'text/plain')).status).toBe(415);
    expect((await post(JSON.stringify({ name: 'x'.repeat(100) }))).status).toBe(413);
    expect((await post('{"name":')).status).toBe(400);
    const invalid = await body(await post('{"name":""}'));
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.message).toBe('invalid thing');
    expect(invalid.body.error.details.issues).toEqual([{ path: ['name'], message: 'name is required' }]);
  });
});
