import type { SecretUse } from '../../network.js';
import type { DroppedHeader } from './output.js';
import { place } from '../../http-request.js';

/** One request of a step: the first, or one reached by following a redirect. */
export interface Hop {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  /** The secrets this hop still carries (in `headers` or `body`), with where they came from. */
  secrets: SecretUse[];
}


const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// Credentials typed into the flow (not secret references) are still credentials: like browsers,
// never carry them to another origin. A header holding a secret goes where its host list allows.
const CROSS_ORIGIN_DROPPED = ['authorization', 'proxy-authorization', 'cookie'];

/** Whether `status` is a redirect Salve can follow. */
export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status);
}

/** The path of `use` as a header name, when the secret sits in a header. */
export function secretHeader(use: SecretUse): string | undefined {
  return use.path.length === 2 && use.path[0] === 'headers' ? String(use.path[1]) : undefined;
}

/** Removes header `name` (any case) from `headers`; true when it was there. */
export function dropHeader(headers: Record<string, string>, name: string): boolean {
  let found = false;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name.toLowerCase()) {
      delete headers[key];
      found = true;
    }
  }
  return found;
}

/**
 * The request a redirect leads to, or a message saying why it is not followed: only http and
 * https, never a URL with user info. 303 (and 301/302 after a POST) become a GET without body,
 * as browsers do; 307/308 repeat the request. Credentials do not cross origins.
 */
export function nextHop(hop: Hop, status: number, location: string, dropped: DroppedHeader[]): Hop | string {
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return `redirect ${status} from ${place(hop.url)} has an invalid location`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `refused to follow the redirect from ${place(hop.url)} to a ${url.protocol.slice(0, -1)}: URL (only http and https)`;
  }
  if (url.username !== '' || url.password !== '') {
    return `refused to follow the redirect from ${place(hop.url)}: its location carries user info`;
  }
  const headers = { ...hop.headers };
  let { method, body } = hop;
  let secrets = hop.secrets;
  if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET';
    body = undefined;
    dropHeader(headers, 'content-type');
    secrets = secrets.filter((s) => s.path[0] !== 'body');
  }
  if (url.origin !== hop.url.origin) {
    const secretHeaders = new Set(secrets.map(secretHeader).map((h) => h?.toLowerCase()));
    for (const name of CROSS_ORIGIN_DROPPED) {
      if (!secretHeaders.has(name) && dropHeader(headers, name)) {
        dropped.push({ header: name, to: place(url), reason: 'credentials are not sent to another origin' });
      }
    }
  }
  return { method, url, headers, body, secrets };
}
