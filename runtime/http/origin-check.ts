import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { csrf } from 'hono/csrf';
import { ForbiddenError, UnsupportedMediaTypeError } from '../../shared/errors.js';
import { isJsonContentType } from './raw-body.js';

/** Methods that change nothing; every other method is guarded when a cookie authenticates it. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The origins that count as this server: the one the request was made to (its URL: the Host
 * header and whether the connection itself is TLS; forwarded headers are not trusted), and the
 * configured public origin (SALVE_PUBLIC_ORIGIN) when Salve sits behind a TLS proxy.
 */
export function ownOrigins(c: Context, publicOrigin: string | undefined): string[] {
  const own = new URL(c.req.url).origin;
  return publicOrigin && publicOrigin !== own ? [own, publicOrigin] : [own];
}

/**
 * Refuses requests a browser made on behalf of another site. `Origin` must be one of ours; when
 * a browser sends no Origin, `Sec-Fetch-Site` must say `same-origin`. With neither header the
 * request did not come from a browser page: allowed only when `requireBrowser` is false.
 */
export function assertSameOrigin(c: Context, origins: readonly string[], opts: { requireBrowser: boolean }): void {
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    if (!origins.includes(origin)) throw new ForbiddenError(`cross-origin request refused: Origin ${origin} is not this server`);
    return;
  }
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) {
    if (site !== 'same-origin') throw new ForbiddenError(`cross-site request refused (Sec-Fetch-Site: ${site})`);
    return;
  }
  if (opts.requireBrowser) {
    throw new ForbiddenError(
      'a request signed in with the session cookie must come from the editor page (it sent no Origin header); scripts should use Authorization: Bearer',
    );
  }
}

/**
 * The checks on a cookie-authenticated request that changes something. Together they keep
 * other sites from acting with an operator's session:
 *  1. Hono's csrf(): refuses cross-origin form-like bodies (urlencoded, multipart, text/plain),
 *     the only ones a page can send cross-site without a CORS preflight;
 *  2. the body must be declared JSON, even when empty (a plain form cannot do that);
 *  3. Origin (or Sec-Fetch-Site) must be this server, whatever the content type, because
 *     csrf() looks only at form-like content types.
 */
export function cookieMutationGuard(publicOrigin: string | undefined): (c: Context) => Promise<void> {
  const formCsrf = csrf({ origin: (origin, c) => ownOrigins(c, publicOrigin).includes(origin) });
  return async (c) => {
    try {
      await formCsrf(c, async () => undefined);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) {
        const type = c.req.header('content-type') || 'no Content-Type';
        throw new ForbiddenError(`request refused: a form-like body (${type}) not sent from this server's origin`);
      }
      throw error;
    }
    if (!isJsonContentType(c.req.header('content-type'))) {
      throw new UnsupportedMediaTypeError(
        'requests signed in with the session cookie that change something must send Content-Type: application/json, also when the body is empty',
      );
    }
    assertSameOrigin(c, ownOrigins(c, publicOrigin), { requireBrowser: true });
  };
}
