import type { RouterRoute } from 'hono/types';
import { routeKey, type RouteRule } from './route-table.js';

/** Where Hono keeps the original handler of a sub-app route it wrapped (sub-apps with their own onError). */
const COMPOSED_HANDLER = '__COMPOSED_HANDLER';

/**
 * Whether a registered handler answers requests (a route) rather than passing them on (a
 * middleware): Hono's own rule, a handler declaring `(c, next)` is a middleware. Looks through
 * the wrapper Hono puts around a sub-app's routes, so such routes are not mistaken for middleware.
 */
export function answersRequests(handler: RouterRoute['handler']): boolean {
  let target = handler as RouterRoute['handler'] & { [COMPOSED_HANDLER]?: RouterRoute['handler'] };
  while (target[COMPOSED_HANDLER]) target = target[COMPOSED_HANDLER] as typeof target;
  return target.length < 2;
}

/** The routes registered on `app` that answer requests (middleware left out), each once. */
export function registeredRoutes(app: { routes: readonly RouterRoute[] }): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of app.routes) if (answersRequests(r.handler)) seen.set(routeKey(r.method, r.path), { method: r.method, path: r.path });
  return [...seen.values()];
}

/**
 * What does not line up between `app` and the route table: registered routes without a rule
 * (refused at run time, and a bug) and rules for routes that are not registered (stale rows,
 * which would publish a route that does not exist). Empty when both agree.
 */
export function routeTableProblems(app: { routes: readonly RouterRoute[] }, table: readonly RouteRule[]): string[] {
  const registeredKeys = new Set(registeredRoutes(app).map((r) => routeKey(r.method, r.path)));
  const keys = table.map((r) => routeKey(r.method, r.path));
  const ruleKeys = new Set(keys);
  const problems: string[] = [];
  for (const key of registeredKeys) if (!ruleKeys.has(key)) problems.push(`${key}: registered, but has no row in the route table`);
  for (const key of ruleKeys) if (!registeredKeys.has(key)) problems.push(`${key}: in the route table, but not registered`);
  for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) problems.push(`${key}: more than one row in the route table`);
  return problems;
}
