import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createScrubber } from '../engine/secrets/scrub.js';
import { scrubJsonResponses } from './scrub-responses.js';

const SECRET = 'hunter2-secret-value';

function app() {
  const a = new Hono();
  a.use('*', scrubJsonResponses(createScrubber([SECRET])));
  a.get('/json', (c) => {
    c.header('X-Kept', 'yes');
    return c.json({ echoed: `got ${SECRET}`, [SECRET]: Buffer.from(`user:${SECRET}`).toString('base64') }, 202);
  });
  a.get('/text', (c) => c.text(`plain ${SECRET}`));
  a.get('/clean', (c) => c.json({ a: 1 }));
  return a;
}

describe('scrubJsonResponses', () => {
  it('scrubs values and keys of JSON responses, keeping status and headers', async () => {
    const res = await app().request('/json');
    expect(res.status).toBe(202);
    expect(res.headers.get('x-kept')).toBe('yes');
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64').slice(2, 12));
    expect(JSON.parse(text).echoed).toBe('got ***');
  });

  it('leaves other responses alone', async () => {
    expect(await (await app().request('/text')).text()).toBe(`plain ${SECRET}`);
    expect(await (await app().request('/clean')).json()).toEqual({ a: 1 });
  });
});
