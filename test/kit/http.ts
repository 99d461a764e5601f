import { Writable } from 'node:stream';
import { createLogger } from '../../runtime/log.js';
import { ManualClock, testEngine } from './engine.js';
import type { SqliteStore } from '../../runtime/store/db.js';
import { createApp } from '../../runtime/http/app.js';
import type { OidcClient } from '../../runtime/http/oidc.js';

export const TEST_TOKEN = 'the-admin-token-0123456789';
export const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * An app over an engine with a manual clock, for HTTP tests: on a database file when `file` is
 * given (a "restart" is a second app on the same file), else in memory. `logs()` is what it logged.
 */
export function testApp(opts: { file?: string; store?: SqliteStore; clock?: ManualClock; token?: string; tokenFile?: string; publicOrigin?: string; oidc?: OidcClient } = {}) {
  // `store`: a second app, and engine, over the first one's database (a restart that keeps the sessions).
  const { engine, store, clock } = testEngine({ file: opts.file, store: opts.store, clock: opts.clock });
  let logged = '';
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk);
        done();
      },
    }),
  });
  const app = createApp({
    engine,
    log,
    adminToken: opts.token ?? TEST_TOKEN,
    adminTokenFile: opts.tokenFile,
    hookBodyLimitBytes: 256 * 1024,
    version: 'test',
    publicOrigin: opts.publicOrigin,
    now: () => clock.now(),
    oidc: opts.oidc,
  });
  return { app, store, clock, engine, logs: () => logged };
}

/** Hono's app.request env with the Node request's peer address, as @hono/node-server provides it. */
export const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
