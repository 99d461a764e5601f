import type { MiddlewareHandler } from 'hono';

/**
 * The editor's Content-Security-Policy: only its own scripts, styles and API. Inline styles are
 * allowed because the canvas library positions nodes with style attributes; inline scripts are not.
 */
export const EDITOR_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Headers on every response, errors included (the webhook listener, hook-listener.ts, sets the same). The CSP goes on everything, not only on HTML:
 * a JSON answer loses nothing by it, and one rule cannot miss an editor file. `/api` answers are
 * `no-store` because they carry live state and must not linger in shared or browser caches.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': EDITOR_CSP,
};

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // Set after the handler so responses built directly (static files, errors) get them too.
    const headers = c.res.headers;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) headers.set('Cache-Control', 'no-store');
  };
}
