import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { SqliteStore } from '../store/db.js';
import type { Logger } from '../log.js';
import { scrubberFor } from '../engine/secrets/scrub.js';
import { secretStoreFrom, type SecretStore } from '../engine/secrets/secrets.js';
import { apiAuth, type AuthEnv } from './auth.js';
import { installErrorHandling } from './errors.js';
import { nodeTypesView } from './node-types.js';
import { cookieMutationGuard } from './origin-check.js';
import { FailureLimiter } from './rate-limit.js';
import { flowRoutes } from './routes-flows.js';
import { hookRoutes } from './routes-hooks.js';
import { runFlowRoutes } from './routes-run-flow.js';
import { runRoutes } from './routes-runs.js';
import { scrubJsonResponses } from './scrub-responses.js';
import { publicSessionRoutes, sessionStatusRoute } from './routes-session.js';
import { securityHeaders } from './security-headers.js';
import { SessionManager } from './sessions.js';

export interface AppOptions {
  engine: Engine;
  store: SqliteStore;
  log: Logger;
  adminToken: string;
  hookBodyLimitBytes: number;
  /** Built editor files (dist/editor); when absent `/` shows a short status page. */
  editorDir?: string;
  version: string;
  /**
   * The origin browsers use when Salve is behind a TLS proxy (SALVE_PUBLIC_ORIGIN), e.g.
   * `https://salve.example.internal`: accepted by the origin check, and makes cookies Secure.
   */
  publicOrigin?: string;
  /** The secrets GET /api/secrets lists by name (never their values) and API responses are scrubbed of; default none. */
  secrets?: SecretStore;
  /** Clock for sessions and the sign-in limit (tests move it); default Date.now. */
  now?: () => number;
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
 * The HTTP surface. Public: `/healthz`, `/hooks/*`, the editor's static files, and signing in
 * and out (`POST`/`DELETE /api/session`). Everything else under `/api` requires the admin token
 * as a bearer token, or the session cookie that signing in sets.
 */
export function createApp(options: AppOptions): Hono<AuthEnv> {
  const { engine, store, log } = options;
  const now = options.now ?? Date.now;
  const secrets = options.secrets ?? secretStoreFrom({});
  const app = new Hono<AuthEnv>();
  app.use('*', securityHeaders());
  installErrorHandling(app, log);

  app.get('/healthz', (c) => {
    const ok = engine.isAdmitting;
    return c.json({ status: ok ? 'ok' : 'stopping', paused: engine.isPaused, version: options.version }, ok ? 200 : 503);
  });

  app.route('/hooks', hookRoutes(engine, options.hookBodyLimitBytes));
  app.use('/api/*', scrubJsonResponses(scrubberFor(secrets)));

  const sessions = new SessionManager(store, options.adminToken, now);
  const guardMutation = cookieMutationGuard(options.publicOrigin);
  const tokenLimiter = new FailureLimiter({
    max: ADMIN_TOKEN_FAILURES_PER_MINUTE,
    windowMs: 60_000,
    now,
    persist: { store, kind: 'admin-token', log },
  });
  // Registered before the auth middleware: these handlers answer before it would run.
  app.route(
    '/api/session',
    publicSessionRoutes({
      adminToken: options.adminToken,
      sessions,
      tokenLimiter,
      publicOrigin: options.publicOrigin,
      guardMutation,
      log,
    }),
  );
  app.use('/api/*', apiAuth({ adminToken: options.adminToken, sessions, publicOrigin: options.publicOrigin, guardMutation, tokenLimiter, log }));
  app.route('/api/session', sessionStatusRoute());

  const nodeTypes = nodeTypesView();
  app.get('/api/node-types', (c) => c.json(nodeTypes));
  app.get('/api/secrets', (c) => c.json({ items: secrets.names().map((name) => ({ name })) }));
  app.get('/api/automation', (c) => c.json({ paused: engine.isPaused }));
  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/api/automation/${action}`, async (c) => {
      await engine.setPaused(paused, 'admin');
      return c.json({ paused: engine.isPaused });
    });
  }
  app.route('/api/flows', runFlowRoutes(engine));
  app.route('/api/flows', flowRoutes(engine));
  app.route('/api', runRoutes(engine, store));

  const editorDir = options.editorDir;
  if (editorDir && existsSync(editorDir)) {
    const root = relative(process.cwd(), editorDir) || '.';
    app.use('/*', serveStatic({ root }));
    app.get('/', serveStatic({ root, path: 'index.html' }));
  } else {
    app.get('/', (c) => c.html(FALLBACK_PAGE));
  }
  return app;
}
