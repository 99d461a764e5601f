import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

/** The cookie that carries a browser session. */
export const SESSION_COOKIE = 'salve_session';

/**
 * Whether the browser reached Salve over https: the request URL itself is https (TLS on this
 * socket), or it came from the configured https public origin (a TLS proxy in front).
 * X-Forwarded-Proto is not trusted: anyone can send it.
 */
export function isHttpsRequest(c: Context, publicOrigin: string | undefined): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return publicOrigin?.startsWith('https:') === true && c.req.header('origin') === publicOrigin;
}

/**
 * HttpOnly: page scripts cannot read it. SameSite=Strict: other sites' requests do not carry it.
 * No Max-Age: the browser forgets it when it closes; the server ends it after 12 h idle or 7 days.
 */
const options = (secure: boolean) => ({ path: '/', httpOnly: true, sameSite: 'Strict', secure }) as const;

export function setSessionCookie(c: Context, value: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, value, options(secure));
}

/** Tells the browser to drop the cookie (`Max-Age=0`). */
export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, options(secure));
}
