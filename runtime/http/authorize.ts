import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ForbiddenError, UnauthorizedError } from '../../shared/errors.js';
import type { Logger } from '../log.js';
import type { AuthEnv, Authenticate } from './auth.js';
import { answersRequests } from './route-coverage.js';
import { ROUTE_TABLE, ruleFor, UNAUTHENTICATED, type RouteRule } from './route-table.js';

/**
 * The route a request will be answered by: the first matched route whose handler is not a
 * middleware (validators are middleware).
 * Undefined when only middleware matched (an unknown path: the answer is 404, or a static file).
 */
function answeringRoute(c: Context): { method: string; path: string } | undefined {
  const route = matchedRoutes(c).find((r) => answersRequests(r.handler));
  return route ? { method: route.method, path: route.path } : undefined;
}

/**
 * The one place where requests are authorized. For the route that will answer, the route table
 * says which permission it needs: `public` and `hook` routes go on without authentication;
 * everything else needs a principal (401 without credentials) holding that permission (403
 * without it). A registered route with no row in the table is refused (403) whoever asks, so a
 * route added without a rule cannot be used (and the walker test fails). A path no route answers
 * is 404, but under `/api` only after authentication, as before: unknown API paths are not
 * revealed to strangers.
 */
export function authorize(opts: { authenticate: Authenticate; log: Logger; table?: readonly RouteRule[] }): MiddlewareHandler<AuthEnv> {
  const table = opts.table ?? ROUTE_TABLE;
  const principalOf = async (c: Context<AuthEnv>) => {
    const principal = await opts.authenticate(c);
    if (!principal) {
      throw new UnauthorizedError('authentication required: send Authorization: Bearer <admin token>, or sign in with POST /api/session');
    }
    c.set('principal', principal);
    return principal;
  };
  return async (c, next) => {
    const route = answeringRoute(c);
    if (!route) {
      if (c.req.path === '/api' || c.req.path.startsWith('/api/')) await principalOf(c);
      return next();
    }
    const rule = ruleFor(route.method, route.path, table);
    if (!rule) {
      opts.log.error({ reqId: c.get('requestId'), method: route.method, route: route.path }, 'route has no authorization rule');
      throw new ForbiddenError(`route has no authorization rule: ${route.method} ${route.path}`);
    }
    if (UNAUTHENTICATED.has(rule.permission)) return next();
    const principal = await principalOf(c);
    if (rule.permission !== 'authenticated' && !principal.permissions.has(rule.permission)) {
      throw new ForbiddenError(`${route.method} ${route.path} needs the permission ${rule.permission}, which this ${principal.kind} does not have`);
    }
    return next();
  };
}
