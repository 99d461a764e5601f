import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, call, idParam, onSignedOut } from './client.js';

/** What one request put on the wire. */
interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  credentials: RequestCredentials | undefined;
}

/** A server answer; `url` is what browsers report as the response's URL. */
function answer(status: number, body: unknown, url: string): Response {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  const res = new Response(text, { status, headers: text === null ? {} : { 'content-type': 'application/json' } });
  Object.defineProperty(res, 'url', { value: `http://salve.test${url}` });
  return res;
}

describe('the typed API client', () => {
  let sent: Sent[];
  let reply: (url: string) => Response | Promise<Response>;

  beforeEach(() => {
    sent = [];
    reply = (url) => answer(200, {}, url);
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = String(input);
      sent.push({
        url,
        method: init.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        body: init.body === undefined || init.body === null ? undefined : String(init.body),
        credentials: init.credentials,
      });
      return reply(url);
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('reads with the cookie, asks for JSON and sends no body', async () => {
    reply = (url) => answer(200, { items: [{ id: 'a', name: 'A', enabled: true, revision: 1, updatedAt: 'now' }] }, url);
    const list = await call(api.flows.$get());
    expect(list.items.map((f) => f.id)).toEqual(['a']);
    expect(sent).toEqual([{ url: '/api/flows', method: 'GET', headers: { accept: 'application/json' }, body: undefined, credentials: 'same-origin' }]);
  });

  it('sends every mutation as JSON, an empty one as {} (the origin check wants JSON)', async () => {
    await call(api.flows[':id'].enable.$post(idParam('disk-full')));
    await call(api.approvals[':id'].$post({ ...idParam('ap_1'), json: { decision: 'approve', comment: 'ok' } }));
    reply = () => new Response(null, { status: 204 });
    expect(await call(api.flows[':id'].$delete(idParam('old')))).toBeUndefined();
    expect(sent.map(({ url, method, headers, body }) => ({ url, method, type: headers['content-type'], body }))).toEqual([
      { url: '/api/flows/disk-full/enable', method: 'POST', type: 'application/json', body: '{}' },
      { url: '/api/approvals/ap_1', method: 'POST', type: 'application/json', body: '{"decision":"approve","comment":"ok"}' },
      { url: '/api/flows/old', method: 'DELETE', type: 'application/json', body: '{}' },
    ]);
    expect(sent.every((s) => s.credentials === 'same-origin' && s.headers.accept === 'application/json')).toBe(true);
  });

  it('encodes ids in the path, so an id cannot reach another route', async () => {
    await call(api.executions[':id'].$get(idParam('a/b?c#d')));
    expect(sent[0]!.url).toBe('/api/executions/a%2Fb%3Fc%23d');
  });

  it('leaves empty query values out, so an unset filter is no filter', async () => {
    reply = (url) => answer(200, { items: [], nextCursor: null }, url);
    await call(api.executions.$get({ query: { flowId: '', status: 'waiting', limit: 50, before: undefined } }));
    expect(sent[0]!.url).toBe('/api/executions?status=waiting&limit=50');
  });

  it('turns an error answer into an ApiError with its code, message and the issues of a 422', async () => {
    reply = (url) =>
      answer(422, { error: { code: 'validation_failed', message: 'invalid flow', details: { issues: [{ path: ['nodes', 0, 'config', 'auth'], message: 'auth is required' }] } } }, url);
    const error = await call(api.flows.$post({ json: {}, query: {} })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed', message: 'invalid flow' });
    expect((error as ApiError).issues).toEqual([{ path: ['nodes', 0, 'config', 'auth'], message: 'auth is required' }]);
  });

  it('keeps the details of a 409, where the editor finds the current revision', async () => {
    reply = (url) => answer(409, { error: { code: 'conflict', message: 'flow changed', details: { currentRevision: 7 } } }, url);
    const error = (await call(api.flows[':id'].$put({ ...idParam('f'), json: { revision: 6, flow: {} } })).catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.details]).toEqual([409, { currentRevision: 7 }]);
  });

  it('tells the signed-out listeners about a 401, except from the session route itself', async () => {
    const signedOut = vi.fn();
    const stop = onSignedOut(signedOut);
    try {
      reply = (url) => answer(401, { error: { code: 'unauthorized', message: 'sign in' } }, url);
      await expect(call(api.session.$post({ json: { token: 'wrong' } }))).rejects.toMatchObject({ status: 401 });
      await expect(call(api.session.$get())).rejects.toMatchObject({ status: 401 });
      expect(signedOut).not.toHaveBeenCalled();
      await expect(call(api.flows.$get())).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
      expect(signedOut).toHaveBeenCalledTimes(1);
    } finally {
      stop();
    }
  });

  it('reports a server that does not answer, or answers something that is not JSON', async () => {
    reply = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(call(api.flows.$get())).rejects.toMatchObject({ name: 'ApiError', status: 0, code: 'network' });
    reply = (url) => answer(502, '<html>Bad gateway</html>', url);
    await expect(call(api.flows.$get())).rejects.toMatchObject({ status: 502, code: 'bad_response', message: 'unexpected answer from the server (502)' });
  });
});
