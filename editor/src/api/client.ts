import { hc, type ClientResponse } from 'hono/client';
import type { ResponseFormat } from 'hono/types';
import type { SuccessStatusCode } from 'hono/utils/http-status';
// Types only: the routes' inputs and answers. No server code reaches the bundle.
import type { AppType } from '../../../runtime/http/app.js';

/**
 * The one way the editor talks to the runtime: Hono's typed client over the server's own route
 * types, so a request's parameters, query, body and answer are checked against the route that
 * serves it. Same-origin requests with the session cookie (HttpOnly, set by POST /api/session);
 * every mutation is JSON, which together with the server's origin check is what keeps other
 * sites from acting with the operator's session.
 *
 *     const run = await call(api.executions[':id'].$get(idParam(executionId)));
 */

/** An error answer of the API: `{ error: { code, message, details } }`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation issues (`details.issues` or `details`) when the server sent them. */
  get issues(): { path: (string | number)[]; message: string }[] {
    const d = this.details as { issues?: unknown } | unknown[] | undefined;
    const list = Array.isArray(d) ? d : Array.isArray((d as { issues?: unknown })?.issues) ? (d as { issues: unknown[] }).issues : [];
    return list.filter(
      (i): i is { path: (string | number)[]; message: string } =>
        typeof i === 'object' && i !== null && Array.isArray((i as { path?: unknown }).path) && typeof (i as { message?: unknown }).message === 'string',
    );
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Calls `fn` whenever the server answers 401 (session expired or signed out elsewhere). */
export function onSignedOut(fn: Listener): () => void {
  signedOutListeners.add(fn);
  return () => signedOutListeners.delete(fn);
}

/** A 401 here means a wrong token or not signed in yet, not that a session ended. */
const SESSION_PATH = '/api/session';

/**
 * `fetch` as every API request makes it: same-origin with the cookie, JSON accepted, and every
 * mutation sent with `Content-Type: application/json`, an empty one as `{}` (the server's origin
 * check refuses cookie mutations that are not JSON). A network failure becomes an ApiError.
 */
async function apiFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  let body = init.body;
  if (method !== 'GET') {
    headers.set('Content-Type', 'application/json');
    body ??= '{}';
  }
  try {
    return await fetch(input, { ...init, method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Salve did not answer. Is the server running?');
  }
}

/** Query strings leave out empty values (`''`, null, undefined), so an unset filter is no filter. */
function searchParams(query: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') params.append(key, String(v));
    }
  }
  return params;
}

/** The API's routes (`/api/...`): `api.flows[':id'].$get(idParam(id))` and so on. */
export const api = hc<AppType>('/', { fetch: apiFetch, buildSearchParams: searchParams }).api;

/** A route's `:id` parameter. The typed client puts parameters into the path as they are, so it is encoded here. */
export function idParam(id: string): { param: { id: string } } {
  return { param: { id: encodeURIComponent(id) } };
}

/** The answer of a successful request: its JSON body, nothing for 204. */
type Answer<R> = R extends ClientResponse<infer T, infer S, infer _F> ? (S extends SuccessStatusCode ? (S extends 204 ? undefined : T) : never) : never;

/**
 * Awaits a request made with `api`: its parsed answer, or an ApiError carrying the server's
 * `{ error: { code, message, details } }`. A 401 (other than from the session route itself)
 * tells the `onSignedOut` listeners.
 */
export async function call<R extends ClientResponse<unknown, number, ResponseFormat>>(request: Promise<R>): Promise<Answer<R>> {
  const res = await request;
  if (res.status === 204) return undefined as Answer<R>;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, 'bad_response', `unexpected answer from the server (${res.status})`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.status === 401 && pathOf(res.url) !== SESSION_PATH) {
      for (const fn of signedOutListeners) fn();
    }
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `request failed (${res.status})`, err?.details);
  }
  return json as Answer<R>;
}

/** The path of a response's URL (absolute in browsers). */
function pathOf(url: string): string {
  try {
    return new URL(url, 'http://salve.invalid').pathname;
  } catch {
    return url;
  }
}
