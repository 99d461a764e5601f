import { z } from 'zod';
import { FlowSchema } from '../../shared/flow/schema.js';
import { PutSecretBodySchema } from '../../shared/secrets-api.js';
import { PERMISSION_MEANING, ROUTE_TABLE, routeKey, UNAUTHENTICATED, type RouteRule } from './route-table.js';
import { AuditQuery } from './routes-audit.js';
import { OutcomesQuery } from './routes-reports.js';
import { BreakerResetSchema, RollbackBodySchema, SimulateBodySchema, UpdateBodySchema } from './routes-flows.js';
import { ReplayBodySchema, ReplayQuerySchema } from './routes-flow-replay.js';
import { RunBodySchema } from './routes-run-flow.js';
import { ApprovalQuery, DecisionSchema, EventQuery, ExecutionQuery, ReleaseSchema } from './routes-runs.js';
import { SignInSchema } from './routes-session.js';
import { RenameTeamSchema } from './routes-people.js';
import { ChangePasswordSchema, CreateApiTokenSchema, CreateTeamSchema, CreateUserSchema, PutRolesSchema, UpdateUserSchema } from '../../shared/people.js';

/**
 * The API as OpenAPI 3.1 (`GET /api/openapi.json`): its paths and permissions from the route
 * table (route-table.ts), request bodies and query parameters from the zod schemas the handlers
 * validate with. Routes that answer only 404 (catch-alls) are left out. Answers are described in
 * docs/api.md.
 */

/** The zod schemas a route validates its body or query with, by route (`POST /api/flows/simulate`). */
export const REQUEST_SCHEMAS: Readonly<Record<string, { body?: z.ZodType; query?: z.ZodType }>> = {
  [routeKey('POST', '/api/session')]: { body: SignInSchema },
  [routeKey('PUT', '/api/me/password')]: { body: ChangePasswordSchema },
  [routeKey('POST', '/api/users')]: { body: CreateUserSchema },
  [routeKey('PATCH', '/api/users/:id')]: { body: UpdateUserSchema },
  [routeKey('PUT', '/api/users/:id/roles')]: { body: PutRolesSchema },
  [routeKey('POST', '/api/teams')]: { body: CreateTeamSchema },
  [routeKey('PATCH', '/api/teams/:id')]: { body: RenameTeamSchema },
  [routeKey('POST', '/api/tokens')]: { body: CreateApiTokenSchema },
  [routeKey('PUT', '/api/secrets/:name')]: { body: PutSecretBodySchema },
  [routeKey('POST', '/api/flows/:id/run')]: { body: RunBodySchema },
  // A flow document; the flow service checks it (and each node's config) and names every problem.
  [routeKey('POST', '/api/flows')]: { body: FlowSchema },
  [routeKey('POST', '/api/flows/validate')]: { body: FlowSchema },
  [routeKey('POST', '/api/flows/simulate')]: { body: SimulateBodySchema },
  [routeKey('POST', '/api/flows/replay')]: { body: ReplayBodySchema, query: ReplayQuerySchema },
  [routeKey('PUT', '/api/flows/:id')]: { body: UpdateBodySchema },
  [routeKey('POST', '/api/flows/:id/rollback')]: { body: RollbackBodySchema },
  [routeKey('POST', '/api/flows/:id/breaker/reset')]: { body: BreakerResetSchema },
  [routeKey('POST', '/api/executions/:id/release')]: { body: ReleaseSchema },
  [routeKey('GET', '/api/executions')]: { query: ExecutionQuery },
  [routeKey('GET', '/api/approvals')]: { query: ApprovalQuery },
  [routeKey('POST', '/api/approvals/:id')]: { body: DecisionSchema },
  [routeKey('GET', '/api/events')]: { query: EventQuery },
  [routeKey('GET', '/api/audit')]: { query: AuditQuery },
  [routeKey('GET', '/api/reports/outcomes')]: { query: OutcomesQuery },
};

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** `/api/flows/:id` → `/api/flows/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

function operation(rule: RouteRule): JsonSchema {
  const schemas = REQUEST_SCHEMAS[routeKey(rule.method, rule.path)];
  const pathParams = [...rule.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = schemas?.query ? jsonSchema(schemas.query) : undefined;
  const queryProps = (query?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query?.required ?? []) as string[]);
  const queryParams = Object.entries(queryProps).map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema }));
  const parameters = [...pathParams, ...queryParams];
  return {
    summary: rule.summary,
    operationId: `${rule.method.toLowerCase()}${openApiPath(rule.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    'x-salve-permission': rule.permission,
    description: `Permission: \`${rule.permission}\` (${PERMISSION_MEANING[rule.permission]}).`,
    ...(UNAUTHENTICATED.has(rule.permission) ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schemas?.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } } } : {}),
    responses: {
      default: {
        description: 'See docs/api.md. Errors: `{ "error": { "code", "message", "requestId", "issues"? } }`',
        content: { 'application/json': { schema: {} } },
      },
    },
  };
}

/** The OpenAPI 3.1 document of the routes in `table`. */
export function openApiDocument(version: string, table: readonly RouteRule[] = ROUTE_TABLE): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const rule of table) {
    // Catch-alls only answer 404 (`ALL /api/flows/*`, `POST /hooks/*`): not operations.
    if (rule.method === 'ALL' || rule.path.includes('*')) continue;
    const path = openApiPath(rule.path);
    paths[path] ??= {};
    paths[path][rule.method.toLowerCase()] = operation(rule);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Salve API', version, description: 'Salve auto-remediation: flows, runs, approvals, events, secrets. Reference: docs/api.md.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The admin token, or an API token (`salve_pat_…`)' },
        session: { type: 'apiKey', in: 'cookie', name: 'salve_session', description: 'A browser session from POST /api/session (requests that change something must come from this server\'s own pages: Origin checked)' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
