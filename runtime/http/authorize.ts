import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { DEFAULT_TEAM_ID, TeamIdSchema } from '../../shared/people.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../shared/errors.js';
import type { Logger } from '../log.js';
import type { AuthEnv, Authenticate } from './auth.js';
import { permissionsIn, teamsWith, type Principal } from './roles.js';
import { answersRequests } from './route-coverage.js';
import { ROUTE_TABLE, ruleFor, UNAUTHENTICATED, type Permission, type RouteRule, type TeamSource } from './route-table.js';
import type { TeamLookup } from '../store/teams-repo.js';

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
 * The `:name` parameters of `pattern` in `path`. A middleware cannot read the answering route's
 * parameters from Hono (they belong to that route), so they are read here from its pattern.
 */
function paramsOf(pattern: string, path: string): Record<string, string> {
  const want = pattern.split('/');
  const got = path.split('/');
  const params: Record<string, string> = {};
  want.forEach((segment, i) => {
    if (segment.startsWith(':') && got[i] !== undefined) {
      try {
        params[segment.slice(1)] = decodeURIComponent(got[i]!);
      } catch {
        params[segment.slice(1)] = got[i]!;
      }
    }
  });
  return params;
}

/** Finds the owners of the resource a route names (see TEAM_SOURCES); read from the store by the app. */
export type ResourceTeams = (source: Exclude<TeamSource, 'none' | 'list' | 'team-query'>, params: Record<string, string>) => Promise<TeamLookup>;

/** Whether the team exists (for `?team=`), read from the store by the app. */
export type TeamExists = (teamId: string) => Promise<boolean>;

const forbiddenIn = (principal: Principal, permission: Permission, what: string, teams: string[]) =>
  new ForbiddenError(
    teams.length === 0
      ? `${what} needs the permission ${permission} as an admin: what it names belongs to no team any more`
      : `${what} needs the permission ${permission} in team ${teams.map((t) => `"${t}"`).join(' or ')}, which this ${principal.kind} does not have there`,
  );

/** Throws 403 unless the principal holds `permission` in one of the owning teams. */
export function requirePermissionIn(principal: Principal, permission: Permission, lookup: TeamLookup, what: string): void {
  if (!lookup.found || principal.admin) return;
  if (!lookup.teams.some((team) => permissionsIn(principal, team).has(permission))) throw forbiddenIn(principal, permission, what, lookup.teams);
}

/**
 * The team a new resource goes to: `?team=` when given (it must exist and the caller must hold
 * the permission there); otherwise the caller's only team with the permission, or `default`
 * for an admin. A caller with the permission in several teams must say which.
 */
export function chosenTeam(c: Context, principal: Principal, permission: Permission, teamExists: ((teamId: string) => boolean) | undefined): string {
  const asked = c.req.query('team');
  const what = `${c.req.method} ${c.req.path}`;
  if (asked !== undefined) {
    const parsed = TeamIdSchema.safeParse(asked);
    if (!parsed.success || (teamExists && !teamExists(parsed.data))) {
      throw new ValidationError(`team: no team "${asked.slice(0, 80)}"`, [{ path: ['team'], message: `no team "${asked.slice(0, 80)}"` }]);
    }
    if (!principal.admin && !permissionsIn(principal, parsed.data).has(permission)) throw forbiddenIn(principal, permission, what, [parsed.data]);
    return parsed.data;
  }
  const teams = teamsWith(principal, permission);
  if (teams === 'all') return DEFAULT_TEAM_ID;
  if (teams.length === 1) return teams[0]!;
  const message = `team is required (?team=<id>): you hold ${permission} in ${teams.map((t) => `"${t}"`).join(', ')}`;
  throw new ValidationError(message, [{ path: ['team'], message }]);
}

/**
 * The one place where requests are authorized. For the route that will answer, the route table
 * says which permission it needs and how the owning team is found: `public` and `hook` routes go
 * on without authentication; everything else needs a principal (401 without credentials) holding
 * that permission in some team (403 without it), and, for a route that names a resource, in the
 * team that owns it (403 otherwise). A route that creates a resource gets its team chosen here
 * (`c.get('team')`). A registered route with no row in the table is refused (403) whoever asks,
 * so a route added without a rule cannot be used (and the walker test fails). A path no route
 * answers is 404, but under `/api` only after authentication: unknown API paths are not revealed
 * to strangers.
 */
export function authorize(opts: {
  authenticate: Authenticate;
  log: Logger;
  table?: readonly RouteRule[];
  resourceTeams?: ResourceTeams;
  teamExists?: TeamExists;
}): MiddlewareHandler<AuthEnv> {
  const table = opts.table ?? ROUTE_TABLE;
  const principalOf = async (c: Context<AuthEnv>) => {
    const principal = await opts.authenticate(c);
    if (!principal) {
      throw new UnauthorizedError('authentication required: send Authorization: Bearer <token>, or sign in with POST /api/session');
    }
    c.set('principal', principal);
    return principal;
  };
  /** chosenTeam, with whether the team `?team=` names exists read first (chosenTeam asks synchronously). */
  const chooseTeam = async (c: Context<AuthEnv>, principal: Principal, permission: Permission) => {
    const asked = TeamIdSchema.safeParse(c.req.query('team'));
    const teamExists = opts.teamExists;
    if (!teamExists || !asked.success) return chosenTeam(c, principal, permission, undefined);
    const exists = await teamExists(asked.data);
    return chosenTeam(c, principal, permission, (teamId) => teamId === asked.data && exists);
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
    if (rule.permission === 'authenticated') return next();
    const what = `${route.method} ${route.path}`;
    if (!principal.permissions.has(rule.permission)) {
      const none = !principal.admin && principal.teamRoles.size === 0;
      throw new ForbiddenError(
        `${what} needs the permission ${rule.permission}, which this ${principal.kind} does not have` +
          (none ? ': it holds no role in any team yet; ask an admin to give it one' : ''),
      );
    }
    if (rule.team === 'team-query') {
      c.set('team', await chooseTeam(c, principal, rule.permission));
    } else if (rule.team !== 'none' && rule.team !== 'list' && opts.resourceTeams) {
      const lookup = await opts.resourceTeams(rule.team, paramsOf(rule.path, c.req.path));
      if (!lookup.found && rule.team === 'secret-param') c.set('team', await chooseTeam(c, principal, rule.permission));
      requirePermissionIn(principal, rule.permission, lookup, what);
    }
    return next();
  };
}
