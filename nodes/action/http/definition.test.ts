import { describe, expect, it } from 'vitest';
import { HttpActionConfigSchema, httpAction } from './definition.js';

const paths = (input: unknown) =>
  HttpActionConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('action.http definition', () => {
  it('fills defaults', () => {
    expect(HttpActionConfigSchema.parse({ url: 'https://api.example/restart' })).toEqual({
      method: 'POST',
      url: 'https://api.example/restart',
      headers: {},
      bodyType: 'json',
      timeoutSeconds: 10,
      followRedirects: false,
    });
  });

  it('accepts secret references as header values and any JSON body', () => {
    const config = HttpActionConfigSchema.parse({
      url: 'http://{{ alert.labels.instance }}/cleanup',
      headers: { Authorization: { secret: 'AGENT_TOKEN' }, 'X-Host': '{{ alert.labels.instance }}' },
      body: { path: '/var/tmp', dryRun: false, n: [1, null] },
      expectStatus: [200, 202],
    });
    expect(config.headers.Authorization).toEqual({ secret: 'AGENT_TOKEN' });
  });

  it('names each bad field', () => {
    expect(paths({})).toEqual(['url: url is required']);
    expect(paths({ url: 'ftp://x' })).toEqual(['url: must start with http:// or https:// written out (a template cannot choose the scheme)']);
    expect(paths({ url: '{{ alert.labels.url }}' })).toEqual(['url: must start with http:// or https:// written out (a template cannot choose the scheme)']);
    expect(paths({ url: 'http://x', followRedirects: 'yes' })).toEqual(['followRedirects: must be true or false']);
    expect(paths({ url: 'http://x', method: 'TRACE' })[0]).toMatch(/^method: must be one of GET, POST/);
    expect(paths({ url: 'http://x', headers: { 'Bad Header': 'x' } })).toEqual([
      'headers.Bad Header: "Bad Header" is not an HTTP header name (letters, digits and "-")',
    ]);
    expect(paths({ url: 'http://x', headers: { 'Idempotency-Key': 'mine' } })).toEqual([
      'headers.Idempotency-Key: Idempotency-Key is set by Salve and cannot be configured',
    ]);
    expect(paths({ url: 'http://x', headers: { 'X-T': { secret: 'lower' } } })).toHaveLength(1);
    expect(paths({ url: 'http://x', body: { a: 1 }, bodyType: 'text' })).toEqual(['body: with bodyType "text" the body must be a string']);
    expect(paths({ url: 'http://x', expectStatus: [] })[0]).toMatch(/^expectStatus: /);
    expect(paths({ url: 'http://x', expectStatus: [700] })[0]).toMatch(/^expectStatus.0: /);
    expect(paths({ url: 'http://x', timeoutSeconds: 0 })).toEqual(['timeoutSeconds: must be between 1 and 3600 seconds']);
    expect(paths({ url: 'http://x', timeoutSeconds: 3601 })).toEqual(['timeoutSeconds: must be between 1 and 3600 seconds']);
    expect(paths({ url: 'http://x', timeout: 5 })[0]).toMatch(/^: /); // unknown key, reported at the object
  });

  it('declares url, header values and body strings as templates, never secret references', () => {
    const config = HttpActionConfigSchema.parse({
      url: 'http://{{ alert.labels.instance }}/cleanup',
      headers: { Authorization: { secret: 'AGENT_TOKEN' }, 'X-Host': '{{ alert.labels.instance }}', Accept: 'application/json' },
      body: { path: '/var/tmp', host: '{{ alert.labels.instance }}', list: ['{{ alert.name }}'] },
    });
    expect(httpAction.expressions(config).map((r) => [r.kind, r.path.join('.')])).toEqual([
      ['url', 'url'],
      ['template', 'headers.X-Host'],
      ['template', 'body.host'],
      ['template', 'body.list.0'],
    ]);
    expect(httpAction.summary(config)).toBe('POST http://{{…}}/cleanup');
    expect([httpAction.idempotent, httpAction.sideEffects, httpAction.simulatePort]).toEqual([true, true, 'ok']);
  });
});
