/**
 * Every HTTP route Salve registers, declared once with what it takes to use it. The
 * authorization middleware (authorize.ts) reads this table for the route a request matched; the
 * route-authorization walker (route-table.test.ts) fails while a registered route has no row here
 * or a row names no registered route; docs/api.md's permission matrix is generated from it
 * (`npm run docs:api`).
 *
 * Adding a route: register it in app.ts (or a routes-*.ts) and add one row below.
 */

/** What a principal must hold to use a route. `public` and `hook` routes are not authenticated here. */
export const PERMISSIONS = [
  'public',
  'hook',
  'authenticated',
  'flows:read',
  'flows:write',
  'runs:read',
  'runs:operate',
  'approvals:decide',
  'secrets:read-names',
  'secrets:write',
  'events:read',
  'audit:read',
  'metrics',
  'admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each permission allows (published in docs/api.md). */
export const PERMISSION_MEANING: Record<Permission, string> = {
  public: 'anyone, without credentials',
  hook: 'anyone; the flow listening on the path authenticates the sender (its source settings)',
  authenticated: 'any signed-in principal, whatever its permissions',
  'flows:read': 'read flows, node types; validate and simulate (nothing runs for real)',
  'flows:write': 'create, import, change and delete flows',
  'runs:read': 'read executions and approvals',
  'runs:operate': 'run flows by hand, cancel and release executions, enable and disable flows, reset circuit breakers',
  'approvals:decide': 'approve or reject approval steps',
  'secrets:read-names': 'list secrets by name (values are never answered)',
  'secrets:write': 'set and delete secrets',
  'events:read': 'read received events (deliveries)',
  'audit:read': 'read the audit log',
  metrics: 'read the Prometheus metrics (the admin token, an admin, or the metrics token SALVE_METRICS_TOKEN, which opens nothing else)',
  admin: 'global settings: the automation kill switch; users, teams and roles',
};

/** Permissions that need no authentication at all. */
export const UNAUTHENTICATED: ReadonlySet<Permission> = new Set(['public', 'hook']);

/**
 * How the team that owns the resource a request touches is found (authorize.ts does it, in the
 * one place, before the handler runs). The caller must hold the route's permission in that team:
 * a role there that gives it, or be an admin.
 */
export const TEAM_SOURCES = {
  none: 'not team-scoped: the permission held in any team (or as an admin) is enough',
  'flow-param': 'the team of the flow named by `:id`',
  'execution-param': 'the team of the flow of the execution named by `:id`',
  'approval-param': 'the team of the flow of the approval named by `:id`',
  'link-param': 'the team of the flow of the run the approval link `:token` names (its signature checked first)',
  'event-param': 'the teams of the flows listening on the event’s path (any one of them)',
  'secret-param': 'the team of the secret named by `:name`; for a new secret, as `team-query`',
  'team-query': 'the team in the `team` query parameter; without it, the caller’s only team with the permission (`default` for an admin)',
  list: 'a list: answers only the caller’s teams’ items (everything for an admin)',
} as const;
export type TeamSource = keyof typeof TEAM_SOURCES;

/** HTTP methods as Hono registers them; `ALL` is a route for every method. */
type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ALL';

export interface RouteRule {
  method: RouteMethod;
  /** Hono's path pattern, exactly as registered (`/api/flows/:id`). */
  path: string;
  permission: Permission;
  team: TeamSource;
  /** One line for docs/api.md. */
  summary: string;
}

const rule = (method: RouteMethod, path: string, permission: Permission, team: TeamSource, summary: string): RouteRule => ({
  method,
  path,
  permission,
  team,
  summary,
});

export const ROUTE_TABLE: readonly RouteRule[] = [
  rule('GET', '/', 'public', 'none', 'the editor (or a status page when it is not built)'),
  rule('GET', '/healthz', 'public', 'none', 'health'),
  rule('GET', '/metrics', 'metrics', 'none', 'Prometheus metrics (text exposition format)'),
  rule('POST', '/hooks/:path', 'hook', 'none', 'deliver an alert to the flows listening on the path'),
  rule('POST', '/hooks/*', 'hook', 'none', 'a path with more segments: answered 404, recorded'),
  rule('GET', '/api/session/hint', 'public', 'none', 'where the admin token is saved (sign-in page)'),
  rule('POST', '/api/session', 'public', 'none', 'sign in with a username and password, or with the admin token'),
  rule('GET', '/api/session/oidc/start', 'public', 'none', 'single sign-on: redirect to the OpenID provider (state, nonce, PKCE)'),
  rule('GET', '/api/session/oidc/callback', 'public', 'none', 'single sign-on: the provider redirects back here; signs in and redirects to the editor'),
  rule('DELETE', '/api/session', 'public', 'none', 'sign out'),
  rule('GET', '/api/session', 'authenticated', 'none', 'how this request was authenticated'),
  rule('GET', '/api/me', 'authenticated', 'none', 'who is signed in: account, admin flag, teams and roles'),
  rule('GET', '/api/me/sessions', 'authenticated', 'none', "the caller's own sessions"),
  rule('DELETE', '/api/me/sessions/:id', 'authenticated', 'none', "end one of the caller's own sessions"),
  rule('PUT', '/api/me/password', 'authenticated', 'none', 'change one’s own password (gives the current one)'),
  rule('GET', '/api/users', 'admin', 'none', 'list users'),
  rule('POST', '/api/users', 'admin', 'none', 'create a user or service account'),
  rule('GET', '/api/users/:id', 'admin', 'none', 'a user'),
  rule('PATCH', '/api/users/:id', 'admin', 'none', 'change a user; disabling ends their sessions and tokens'),
  rule('PUT', '/api/users/:id/roles', 'admin', 'none', "replace a user's roles given by hand"),
  rule('GET', '/api/teams', 'authenticated', 'list', 'list teams (the caller’s own; all for an admin)'),
  rule('POST', '/api/teams', 'admin', 'none', 'create a team'),
  rule('PATCH', '/api/teams/:id', 'admin', 'none', 'rename a team'),
  rule('DELETE', '/api/teams/:id', 'admin', 'none', 'delete a team that owns no flows or secrets'),
  rule('GET', '/api/tokens', 'authenticated', 'list', "the caller's API tokens (all for an admin)"),
  rule('POST', '/api/tokens', 'authenticated', 'none', 'make an API token (its value is answered once)'),
  rule('DELETE', '/api/tokens/:id', 'authenticated', 'none', "revoke one of the caller's API tokens (any, for an admin)"),
  rule('GET', '/api/node-types', 'flows:read', 'none', 'the node types the editor offers'),
  rule('GET', '/api/openapi.json', 'public', 'none', 'this API as OpenAPI 3.1 (paths, permissions, request schemas)'),
  rule('GET', '/api/secrets', 'secrets:read-names', 'list', 'secret names and where they are used'),
  rule('PUT', '/api/secrets/:name', 'secrets:write', 'secret-param', 'set a secret'),
  rule('DELETE', '/api/secrets/:name', 'secrets:write', 'secret-param', 'delete a secret'),
  rule('GET', '/api/automation', 'authenticated', 'none', 'whether automation is paused, by whom and since when, and the last pauses and resumes'),
  rule('POST', '/api/automation/pause', 'admin', 'none', 'pause all automation (kill switch)'),
  rule('POST', '/api/automation/resume', 'admin', 'none', 'resume automation'),
  rule('POST', '/api/flows/:id/run', 'runs:operate', 'flow-param', 'run a flow by hand'),
  rule('GET', '/api/flows', 'flows:read', 'list', 'list flows'),
  rule('POST', '/api/flows', 'flows:write', 'team-query', 'create a flow (in the team given by `?team=`)'),
  rule('POST', '/api/flows/import', 'flows:write', 'team-query', 'import flows (new ones land in the team given by `?team=`)'),
  rule('POST', '/api/flows/validate', 'flows:read', 'none', 'validate a flow document'),
  rule('POST', '/api/flows/simulate', 'flows:read', 'none', 'simulate a flow (nothing runs for real)'),
  rule('POST', '/api/flows/replay', 'flows:write', 'none', 'replay a draft against the stored deliveries of a range and compare with what the saved flow did (simulation only; flows:write and events:read in the flow’s team, `?team=` for a new flow)'),
  rule('GET', '/api/flows/:id', 'flows:read', 'flow-param', 'a flow'),
  rule('GET', '/api/flows/:id/revisions', 'flows:read', 'flow-param', 'a flow’s revisions, newest first, with who saved each'),
  rule('GET', '/api/flows/:id/revisions/:revision', 'flows:read', 'flow-param', 'one revision of a flow (its document)'),
  rule('POST', '/api/flows/:id/rollback', 'flows:write', 'flow-param', 'save an earlier revision’s document as a new revision'),
  rule('GET', '/api/flows/:id/export', 'flows:read', 'flow-param', 'a flow as a file'),
  rule('PUT', '/api/flows/:id', 'flows:write', 'flow-param', 'change a flow'),
  rule('POST', '/api/flows/:id/enable', 'runs:operate', 'flow-param', 'enable a flow'),
  rule('POST', '/api/flows/:id/disable', 'runs:operate', 'flow-param', 'disable a flow'),
  rule('GET', '/api/flows/:id/breaker', 'flows:read', 'flow-param', 'a flow’s circuit breaker: closed or tripped, with the failures that tripped it'),
  rule('POST', '/api/flows/:id/breaker/reset', 'runs:operate', 'flow-param', 'reset a tripped circuit breaker (the flow’s runs start again)'),
  rule('DELETE', '/api/flows/:id', 'flows:write', 'flow-param', 'delete a flow'),
  rule('GET', '/api/provisioning', 'flows:read', 'list', 'the flows directory (`salve serve --flows`): each file, applied, unchanged or invalid with every problem'),
  rule('POST', '/api/provisioning/diff', 'flows:read', 'list', 'what applying a flows directory’s files would change (`salve diff`; nothing is changed)'),
  rule('ALL', '/api/flows/*', 'flows:read', 'none', 'any other flow path: answered 404'),
  rule('GET', '/api/executions', 'runs:read', 'list', 'list executions'),
  rule('GET', '/api/executions/:id', 'runs:read', 'execution-param', 'an execution with its steps'),
  rule('POST', '/api/executions/:id/cancel', 'runs:operate', 'execution-param', 'cancel an execution'),
  rule('POST', '/api/executions/:id/release', 'runs:operate', 'execution-param', 'release a run a guard rail held: it starts now, the limits are not checked again'),
  rule('GET', '/api/approvals', 'runs:read', 'list', 'list approvals'),
  rule('GET', '/api/approvals/:id', 'runs:read', 'approval-param', 'an approval with its evidence'),
  rule('POST', '/api/approvals/:id', 'approvals:decide', 'approval-param', 'approve or reject (with `link`: through an approval link, used once)'),
  rule('GET', '/api/approval-links/:token', 'runs:read', 'link-param', 'what an approval link is good for: its approval, or that it expired or was used'),
  rule('POST', '/api/slack/interactions', 'hook', 'none', 'Slack Approve/Reject buttons (Slack’s request signature checked)'),
  rule('POST', '/api/slack/commands', 'hook', 'none', 'Slack slash command `/salve` (Slack’s request signature checked; then the role of the Salve user with the Slack user’s email, as the API asks)'),
  rule('GET', '/api/events', 'events:read', 'list', 'list received events'),
  rule('GET', '/api/events/:id', 'events:read', 'event-param', 'an event with its delivery'),
  rule('GET', '/api/reports/outcomes', 'runs:read', 'list', 'what automation achieved per flow and overall, with a time series (`format=csv`: one row per flow and bucket)'),
  rule('GET', '/api/audit', 'audit:read', 'list', 'the audit log, newest first, filtered and paged'),
];

/** `GET /api/flows/:id`: how rules and registered routes are matched up. */
export const routeKey = (method: string, path: string) => `${method} ${path}`;

const BY_KEY: ReadonlyMap<string, RouteRule> = new Map(ROUTE_TABLE.map((r) => [routeKey(r.method, r.path), r]));

/** The rule for a registered route (its method and path exactly as registered), if there is one. */
export function ruleFor(method: string, path: string, table: readonly RouteRule[] = ROUTE_TABLE): RouteRule | undefined {
  if (table === ROUTE_TABLE) return BY_KEY.get(routeKey(method, path));
  return table.find((r) => r.method === method && r.path === path);
}
