import { openApiDocument } from './openapi.js';
import { Hono, type Context } from 'hono';
import { requestId } from 'hono/request-id';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { scrubberFor } from '../engine/secrets/scrub.js';
import { secretStoreFrom, type SecretStore } from '../engine/secrets/secrets.js';
import type { AutomationState } from '../../shared/api-views.js';
import type { StoredSecrets } from '../engine/secrets/stored-secrets.js';
import { accessLog } from './access-log.js';
import { actorOf, METRICS_PATH, requestAuthenticator, type ApiTokenResolver, type AuthEnv } from './auth.js';
import { authorize, type ResourceTeams } from './authorize.js';
import { installErrorHandling } from './errors.js';
import { nodeTypesView } from './node-types.js';
import { cookieMutationGuard } from './origin-check.js';
import { FailureLimiter } from './rate-limit.js';
import { auditRoutes } from './routes-audit.js';
import { reportRoutes } from './routes-reports.js';
import { flowRoutes } from './routes-flows.js';
import { replayRoutes } from './routes-flow-replay.js';
import { provisioningRoutes } from './routes-provisioning.js';
import type { FlowsDirProvisioner } from '../engine/flows/flows-dir.js';
import { hookRoutes } from './routes-hooks.js';
import { runFlowRoutes } from './routes-run-flow.js';
import { runRoutes } from './routes-runs.js';
import { slackRoutes } from './routes-slack.js';
import { SlackCommands } from './slack/commands.js';
import { SlackInteractions } from './slack/interactions.js';
import { secretRoutes } from './routes-secrets.js';
import { scrubJsonResponses } from './scrub-responses.js';
import { PASSWORD_FAILURES_PER_MINUTE, publicSessionRoutes, sessionStatusRoute } from './routes-session.js';
import { meRoutes } from './routes-me.js';
import { teamRoutes, userRoutes } from './routes-people.js';
import { tokenRoutes } from './routes-tokens.js';
import { PeopleService } from './people-service.js';
import { ApiTokenService } from './api-tokens.js';
import type { OidcClient } from './oidc.js';
import { oidcRoutes } from './routes-oidc.js';
import { securityHeaders } from './security-headers.js';
import { SalveMetrics } from '../metrics.js';
import { SessionManager } from './sessions.js';

export interface AppOptions {
  engine: Engine;
  /** The flows directory being provisioned (`salve serve --flows`), once it started; absent without one. */
  provisioner?: () => FlowsDirProvisioner | undefined;
  log: Logger;
  adminToken: string;
  /** The file the admin token is saved in, named by the sign-in page; absent when SALVE_ADMIN_TOKEN sets it. */
  adminTokenFile?: string;
  hookBodyLimitBytes: number;
  /** Built editor files (dist/editor); when absent `/` shows a short status page. */
  editorDir?: string;
  version: string;
  /**
   * The origin browsers use when Salve is behind a TLS proxy (SALVE_PUBLIC_ORIGIN), e.g.
   * `https://salve.example.internal`: accepted by the origin check, and makes cookies Secure.
   */
  publicOrigin?: string;
  /**
   * Every secret API responses are scrubbed of (the server passes the environment's and the
   * secret store's together, plus the admin token); default `storedSecrets.all`, else none.
   * Without `storedSecrets`, GET /api/secrets lists these by name.
   */
  secrets?: SecretStore;
  /** The secret store `/api/secrets` manages; absent: the list shows environment secrets only and changes answer 503. */
  storedSecrets?: StoredSecrets;
  /** Looks up API tokens (`salve_pat_…`); default: the ones in `store` (api-tokens.ts). */
  apiTokens?: ApiTokenResolver;
  /** Clock for sessions and the sign-in limit (tests move it); default Date.now. */
  now?: () => number;
  /** SALVE_SLACK_API_URL: a loopback stand-in for Slack's Web API (tests); default https://slack.com/api. */
  slackApiUrl?: string;
  /** Single sign-on (SALVE_OIDC_*); absent when it is not configured. */
  oidc?: OidcClient;
  /** SALVE_METRICS_TOKEN: a bearer token good for GET /metrics only (the admin token works too). */
  metricsToken?: string;
  /**
   * What GET /metrics answers: the server passes the one its engine counts into; default a new
   * one over the engine's store (figures from the database and the process, no engine counters).
   */
  metrics?: SalveMetrics;
}

/**
 * Failed uses of the admin token (sign-in or bearer, counted together) allowed per client
 * address per minute; the next attempt gets 429, even with the right token, until the minute
 * that began with the first failure ends.
 */
export const ADMIN_TOKEN_FAILURES_PER_MINUTE = 10;

const FALLBACK_PAGE = `<!doctype html><meta charset="utf-8"><title>Salve</title>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Salve is running</h1><p>The API is up at <code>/api</code> (bearer token or sign-in required) and webhooks
are received at <code>/hooks/&lt;path&gt;</code>. See the README for a walkthrough.</p></body>`;

/**
 * The HTTP surface. Who may use each route is declared in route-table.ts and enforced by one
 * middleware (authorize.ts). Public: `/healthz`, `/hooks/*`, the editor's static files, and
 * signing in and out (`POST`/`DELETE /api/session`). Everything else under `/api` requires the
 * admin token as a bearer token, or the session cookie that signing in sets.
 *
 * The routes are one chain so that their types (inputs and answers) survive into `AppType`,
 * which the editor's typed client reads. Middleware runs in the order it is chained: the request
 * id, the access log, security headers, the scrubbing of `/api` answers, then authorization.
 */
export function createApp(options: AppOptions) {
  const { engine, log } = options;
  const now = options.now ?? Date.now;
  const secrets = options.secrets ?? options.storedSecrets?.all ?? secretStoreFrom({});
  const sessions = new SessionManager(engine.store, options.adminToken, now, log);
  const guardMutation = cookieMutationGuard(options.publicOrigin);
  const tokenLimiter = new FailureLimiter({
    max: ADMIN_TOKEN_FAILURES_PER_MINUTE,
    windowMs: 60_000,
    now,
    persist: { store: engine.store, kind: 'admin-token', log },
  });
  // Persisted like the admin token's: a restart does not hand a guesser a fresh budget.
  const passwordLimiter = new FailureLimiter({ max: PASSWORD_FAILURES_PER_MINUTE, windowMs: 60_000, now, persist: { store: engine.store, kind: 'password', log } });
  const people = new PeopleService(engine.store, now);
  const apiTokens = new ApiTokenService(engine.store, now, log);
  const authenticate = requestAuthenticator({
    adminToken: options.adminToken,
    metricsToken: options.metricsToken,
    sessions,
    store: engine.store,
    apiTokens: options.apiTokens ?? apiTokens.resolve,
    publicOrigin: options.publicOrigin,
    guardMutation,
    tokenLimiter,
    log,
  });
  const resourceTeams: ResourceTeams = (source, params) =>
    engine.store.read(async (tx) => {
      switch (source) {
        case 'flow-param':
          return tx.teams.ofFlow(params.id ?? '');
        case 'execution-param':
          return tx.teams.ofExecution(params.id ?? '');
        case 'approval-param':
          return tx.teams.ofApproval(params.id ?? '');
        case 'event-param':
          return tx.teams.ofEvent(params.id ?? '');
        case 'secret-param':
          return tx.teams.ofSecret(params.name ?? '');
        case 'link-param': {
          const claims = engine.links.claimsOf(params.token ?? '');
          return claims ? tx.teams.ofExecution(claims.executionId) : { found: false };
        }
      }
    });
  const slackInteractions = new SlackInteractions({ engine, log, secrets, apiUrl: options.slackApiUrl, now });
  const slackCommands = new SlackCommands({ engine, log, secrets, apiUrl: options.slackApiUrl, publicOrigin: options.publicOrigin, now });
  const teamExists = (id: string) => engine.store.read(async (tx) => (await tx.people.team(id)) !== undefined);
  const nodeTypes = nodeTypesView();
  const metrics = options.metrics ?? new SalveMetrics(engine.store, () => engine.isPaused);
  const automation = (): Promise<AutomationState> => engine.automation();
  const setPaused = async (paused: boolean, c: Context) => {
    await engine.setPaused(paused, actorOf(c), c.get('requestId'));
    return automation();
  };

  // Built once: the route table and the request schemas do not change while Salve runs.
  const apiDescription = openApiDocument(options.version);
  const scrubber = scrubberFor(secrets);
  const app = new Hono<AuthEnv>();
  installErrorHandling(app, log);
  const routes = app
    // First: every answer (errors and refusals too) carries X-Request-Id, and every log line
    // written for the request carries it as `reqId`. An incoming X-Request-Id is kept only when
    // it is at most 255 letters, digits, `_`, `-` or `=` (Hono's check); otherwise a new UUID.
    .use('*', requestId())
    .use('*', accessLog(log))
    .use('*', securityHeaders())
    .use('/api/*', scrubJsonResponses(scrubber))
    // Before every route: the one place requests are authorized, from the route table (route-table.ts).
    .use('*', authorize({ authenticate, log, resourceTeams, teamExists }))
    .get('/healthz', (c) => {
      const ok = engine.isAdmitting;
      // A locked or failing database keeps 200: the process is alive and answers webhooks with
      // 503 + Retry-After by itself; a load balancer or supervisor restarting it would not help.
      return c.json(
        {
          status: ok ? 'ok' : 'stopping',
          paused: engine.isPaused,
          storage: engine.store.engine,
          database: engine.databaseState,
          queue: engine.queueState,
          version: options.version,
        },
        ok ? 200 : 503,
      );
    })
    // Prometheus text format; the route table asks for the metrics token or an admin.
    .get(METRICS_PATH, async (c) => {
      const { body, contentType } = await metrics.scrape();
      return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
    })
    .route('/hooks', hookRoutes(engine, options.hookBodyLimitBytes))
    .route(
      '/api/session',
      publicSessionRoutes({
        adminToken: options.adminToken,
        adminTokenFile: options.adminTokenFile,
        sessions,
        tokenLimiter,
        passwordLimiter,
        store: engine.store,
        publicOrigin: options.publicOrigin,
        guardMutation,
        log,
        sso: options.oidc && { label: options.oidc.settings.label },
      }),
    )
    .route('/api/session/oidc', oidcRoutes({ oidc: options.oidc, sessions, store: engine.store, publicOrigin: options.publicOrigin, log, now }))
    .route('/api/session', sessionStatusRoute())
    .route('/api/me', meRoutes({ store: engine.store, sessions, people, passwordLimiter, publicOrigin: options.publicOrigin, log }))
    .route('/api/users', userRoutes(people))
    .route('/api/teams', teamRoutes(people))
    .route('/api/tokens', tokenRoutes(apiTokens))
    .get('/api/node-types', (c) => c.json(nodeTypes))
    .get('/api/openapi.json', (c) => c.json(apiDescription))
    .route('/api/secrets', secretRoutes(engine, secrets, options.storedSecrets))
    .get('/api/automation', async (c) => c.json(await automation()))
    .post('/api/automation/pause', async (c) => c.json(await setPaused(true, c)))
    .post('/api/automation/resume', async (c) => c.json(await setPaused(false, c)))
    .route('/api/flows', runFlowRoutes(engine))
    .route('/api/flows', replayRoutes(engine))
    .route('/api/flows', flowRoutes(engine))
    .route('/api/provisioning', provisioningRoutes(engine, engine.store, options.provisioner ?? (() => undefined)))
    .route('/api/audit', auditRoutes(engine.store))
    .route('/api/reports', reportRoutes(engine, scrubber))
    .route('/api/slack', slackRoutes({ interactions: slackInteractions, commands: slackCommands, secrets, log, now }))
    .route('/api', runRoutes(engine));

  // The editor's files are not part of the API's type.
  const editorDir = options.editorDir;
  if (editorDir && existsSync(editorDir)) {
    const root = relative(process.cwd(), editorDir) || '.';
    app.use('/*', serveStatic({ root }));
    app.get('/', serveStatic({ root, path: 'index.html' }));
  } else {
    app.get('/', (c) => c.html(FALLBACK_PAGE));
  }
  return routes;
}

/** The API's routes with their inputs and answers: what the editor's typed client (`hc<AppType>`) is built from. */
export type AppType = ReturnType<typeof createApp>;
