import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { SqliteStore } from '../store/db.js';
import type { Logger } from '../log.js';
import { bearerAuth } from './auth.js';
import { installErrorHandling } from './errors.js';
import { flowRoutes } from './routes-flows.js';
import { hookRoutes } from './routes-hooks.js';
import { runRoutes } from './routes-runs.js';
import { nodeDefinitions } from '../../nodes/catalog.js';

export interface AppOptions {
  engine: Engine;
  store: SqliteStore;
  log: Logger;
  adminToken: string;
  hookBodyLimitBytes: number;
  /** Built editor files (dist/editor); when absent `/` shows a short status page. */
  editorDir?: string;
  version: string;
}

const FALLBACK_PAGE = `<!doctype html><meta charset="utf-8"><title>Salve</title>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Salve is running</h1><p>The API is up at <code>/api</code> (bearer token required) and webhooks
are received at <code>/hooks/&lt;path&gt;</code>. See the README for a walkthrough.</p></body>`;

/**
 * The HTTP surface. Public: `/healthz`, `/hooks/*` and the editor's static files. Everything
 * under `/api` requires the admin bearer token.
 */
export function createApp(options: AppOptions): Hono {
  const { engine, store, log } = options;
  const app = new Hono();
  installErrorHandling(app, log);

  app.get('/healthz', (c) => {
    const ok = engine.isAdmitting;
    return c.json({ status: ok ? 'ok' : 'stopping', paused: engine.isPaused, version: options.version }, ok ? 200 : 503);
  });

  app.route('/hooks', hookRoutes(engine, options.hookBodyLimitBytes));

  app.use('/api/*', bearerAuth(options.adminToken));
  app.get('/api/node-types', (c) =>
    c.json({
      items: nodeDefinitions.map((d) => ({
        type: d.type,
        version: d.version,
        category: d.category,
        label: d.label,
        description: d.description,
        icon: d.icon,
        outputs: d.outputs,
        idempotent: d.idempotent,
        sideEffects: d.sideEffects,
      })),
    }),
  );
  app.get('/api/automation', (c) => c.json({ paused: engine.isPaused }));
  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/api/automation/${action}`, async (c) => {
      await engine.setPaused(paused, 'admin');
      return c.json({ paused: engine.isPaused });
    });
  }
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
