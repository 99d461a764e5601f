import type { Context } from 'hono';
import { ForbiddenError } from '../../shared/errors.js';

/** Host names (as the WHATWG URL parser writes them) that always mean this machine. */
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '[::1]']);
/** 127.0.0.0/8; the URL parser has already turned `127.1` or `0x7f000001` into dotted form. */
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether the request was addressed to a name a DNS-rebinding page cannot use: a loopback name
 * or address, or the host of the configured public origin (SALVE_PUBLIC_ORIGIN). A rebinding
 * page lives at the attacker's name, which later resolves to this server; the browser then
 * sends that name as Host and treats the page as same-origin, so Origin checks alone pass.
 *
 * Any port is accepted: SSH tunnels and container port mappings reach Salve at a port it does
 * not listen on, and a page can only send a loopback Host if it was itself served from
 * loopback. Forwarded headers are not consulted (X-Forwarded-Host can be sent by anyone).
 */
function isTrustedHost(c: Context, publicOrigin: string | undefined): boolean {
  const hostname = new URL(c.req.url).hostname;
  if (LOOPBACK_NAMES.has(hostname) || LOOPBACK_V4.test(hostname)) return true;
  return publicOrigin !== undefined && new URL(publicOrigin).hostname === hostname;
}

/**
 * Refuses (403) a request that signs in or uses the session cookie when it was addressed to a
 * host that is not trusted (see isTrustedHost). Requests with the admin token as a bearer token
 * are not checked: a page cannot know the token, so rebinding gains it nothing.
 */
export function assertTrustedHost(c: Context, publicOrigin: string | undefined): void {
  if (isTrustedHost(c, publicOrigin)) return;
  const host = new URL(c.req.url).host;
  const configured = publicOrigin ? `SALVE_PUBLIC_ORIGIN (${publicOrigin})` : 'SALVE_PUBLIC_ORIGIN (not set)';
  throw new ForbiddenError(
    `request refused: it was addressed to host ${host}, which is not a name of this server. ` +
      `Signing in and the session cookie work only at a loopback address (127.0.0.1, localhost, [::1]) or at ${configured}; ` +
      'if this is the address you use for Salve, set SALVE_PUBLIC_ORIGIN to that origin (e.g. https://salve.example.internal). ' +
      'This defends against DNS rebinding; clients with Authorization: Bearer are not affected.',
  );
}
