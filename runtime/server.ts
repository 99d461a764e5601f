import { serve, type ServerType } from '@hono/node-server';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { redactConfig } from './config.js';
import { runBootChecks } from './boot-checks.js';
import { systemClock } from './engine/clock.js';
import { Engine } from './engine/engine.js';
import { FlowsDirProvisioner } from './engine/flows/flows-dir.js';
import { scrubberFor, type Scrubber } from './engine/secrets/scrub.js';
import { withScrubbedExtras, type SecretStore } from './engine/secrets/secrets.js';
import { openStoredSecrets } from './engine/secrets/stored-secrets.js';
import { assertSecretHostLists } from './net/secret-hosts.js';
import { createApp } from './http/app.js';
import { hookListener } from './http/hook-listener.js';
import { SalveMetrics } from './metrics.js';
import { ensureAdminToken } from './http/auth.js';
import { OidcClient, oidcSettingsOf } from './http/oidc.js';
import { capConnections, httpLimitsOf, httpServerOptions } from './http/server-limits.js';
import { acquireDataDirLock } from './lockfile.js';
import { resolveCommandUser, type CommandUser } from '../nodes/command-user.js';
import type { Logger } from './log.js';
import { openStore } from './store/db.js';
import { sqliteStore, type Store } from './store/store.js';
import { explainOpenError } from './store/open-errors.js';
import { openPostgres } from './store/pg/open.js';
import { passwordOf } from './store/pg/migrate.js';
import { keyFilePath, MASTER_KEY_FILE_VAR, MASTER_KEY_VAR } from './engine/secrets/master-key.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package version, read once (shown by /healthz and `salve --version`). */
export function salveVersion(): string {
  for (const candidate of [join(ROOT, 'package.json'), join(ROOT, '..', 'package.json')]) {
    try {
      return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export interface RunningServer {
  url: string;
  engine: Engine;
  /** What outputs, responses and log lines are scrubbed with: every secret and the admin token. */
  scrubber: Scrubber;
  /** Graceful stop: refuse new deliveries, let steps finish (grace), close everything. */
  stop(): Promise<void>;
}

/**
 * Starts Salve: checks the process is hardened, locks the data directory, opens (and migrates)
 * the database, recovers interrupted executions, then listens. Prints the admin token once,
 * on the first start only. `given` are the secrets the launcher handed over (never read from
 * this process's environment); `keys.masterKey` is SALVE_MASTER_KEY when the launcher handed it
 * over, `keys.env` where the key file's location is read (default this process's environment).
 */
export async function startServer(
  config: Config,
  log: Logger,
  out: (line: string) => void,
  given: SecretStore,
  keys: { masterKey?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningServer> {
  const checks = runBootChecks();
  if (!checks.ok) throw new Error(`refusing to start: ${checks.problems.join('; ')}`);
  const commandUser = config.commandUser === undefined ? undefined : resolveCommandUser(config.commandUser);

  // Before the lock: a bad host list is a configuration error, refused with the variable named.
  assertSecretHostLists(given);
  const lock = acquireDataDirLock(config.dataDir);
  const opened: Opened = {};
  try {
    return await startLocked(config, log, out, { lock, opened, given, commandUser, keys });
  } catch (error) {
    // Every failed start lets go of what it took, so the next start is not refused by a stale salve.pid.
    try {
      await opened.storage?.close();
    } catch {
      // The database may be what failed.
    }
    lock.release();
    throw explainOpenError(join(config.dataDir, 'salve.db'), error);
  }
}

/** The database a server runs on, as startServer opened it. */
interface Storage {
  store: Store;
  /** The embedded SQLite store (its change counter lets `salve secrets` edits reach the server at once); absent on PostgreSQL. */
  sqlite?: ReturnType<typeof openStore>;
  /** The PostgreSQL database (without its password), for the start-up line; absent on SQLite. */
  database?: string;
  close(): Promise<void> | void;
  /** Logged at the stop (SQLite's group commit figures). */
  stats?: () => unknown;
}

/** What a start has opened so far: closed again when the start fails. */
interface Opened {
  storage?: Storage;
}

/** The data directory's SQLite database (the default). */
function openSqlite(config: Config, log: Logger): Storage {
  const sqlite = openStore(config.dataDir, { log });
  return { store: sqliteStore(sqlite), sqlite, close: () => sqlite.close(), stats: () => sqlite.stats };
}

/**
 * PostgreSQL shared with other Salve processes (`--database`). Each process must decrypt the
 * same stored secrets, so the master key must be given (SALVE_MASTER_KEY, or SALVE_MASTER_KEY_FILE
 * naming an existing file): a key file created here would differ from the other processes' key.
 */
async function openShared(config: Config & { databaseUrl: string }, log: Logger, keys: { masterKey?: string; env?: NodeJS.ProcessEnv }): Promise<Storage> {
  const keyFile = keyFilePath(keys.env ?? process.env, config.dataDir);
  if (!keys.masterKey && !existsSync(keyFile)) {
    throw new Error(
      `with SALVE_DATABASE_URL every Salve process sharing the database needs the same master key: set ${MASTER_KEY_VAR}, or ${MASTER_KEY_FILE_VAR} to an existing key file (${keyFile} does not exist)`,
    );
  }
  const pg = await openPostgres(config.databaseUrl, { log, poolSize: config.databasePoolSize });
  if (pg.migrated.length > 0) log.info({ database: pg.where, migrations: pg.migrated }, 'applied database migrations');
  return { store: pg.store, database: pg.where, close: () => pg.close() };
}

/** How long connections still busy at the stop may finish their answer before they are cut. */
const CLOSE_CONNECTIONS_AFTER_MS = 2000;

/**
 * Stops the HTTP server. `close()` alone waits for every connection to end, and a sender that
 * keeps retrying on a keep-alive connection (Alertmanager while Salve answers 503) keeps its
 * connection busy for ever: idle connections are closed at once, the rest once they had a
 * moment to finish the answer they are writing.
 */
async function closeConnections(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), CLOSE_CONNECTIONS_AFTER_MS);
  try {
    await closed;
  } finally {
    clearTimeout(cut);
  }
}

/** startServer once the data directory is locked; `opened` tells the caller what to close on failure. */
async function startLocked(
  config: Config,
  log: Logger,
  out: (line: string) => void,
  held: {
    lock: { release(): void };
    opened: Opened;
    given: SecretStore;
    commandUser: CommandUser | undefined;
    keys: { masterKey?: string; env?: NodeJS.ProcessEnv };
  },
): Promise<RunningServer> {
  const { lock, opened, given, commandUser, keys } = held;
  // Commands run as another user must not reach the data directory.
  if (commandUser) chmodSync(config.dataDir, 0o700);
  const storage = config.databaseUrl === undefined ? openSqlite(config, log) : await openShared({ ...config, databaseUrl: config.databaseUrl }, log, keys);
  opened.storage = storage;
  const { store } = storage;
  const token = ensureAdminToken(config.dataDir, config.adminToken);
  // Refuses to start on an unreadable client secret file; a provider that is down is only logged (warmUp).
  const oidcSettings = oidcSettingsOf(config);
  // The secret store: its master key comes from SALVE_MASTER_KEY or a key file outside the data directory.
  const { stored, createdKeyFile } = await openStoredSecrets({
    store,
    sqlite: storage.sqlite,
    dataDir: config.dataDir,
    envKey: keys.masterKey,
    env: keys.env ?? process.env,
    environment: given,
    now: () => systemClock.now(),
    log,
    recordKey: true,
  });
  const secrets = withScrubbedExtras(stored.all, [token.token, config.metricsToken, keys.masterKey, oidcSettings?.clientSecret, passwordOf(config.databaseUrl)]);
  // One set of metrics: the engine counts into it, GET /metrics answers it.
  let engineRef: Engine | undefined;
  const metrics = new SalveMetrics(store, () => engineRef?.isPaused ?? false);
  const engine = new Engine({
    // SQLite: the store itself, whose writer position the queue cap remembers its count by.
    store: storage.sqlite ?? store,
    metrics,
    clock: systemClock,
    log,
    secrets,
    commandUser,
    ...(config.kubernetesClusters ? { kubernetesClusters: config.kubernetesClusters } : {}),
    maxConcurrent: config.maxConcurrentExecutions,
    maxQueued: config.maxQueuedExecutions,
    executionDeadlineMs: config.executionDeadlineSeconds * 1000,
    eventRetentionDays: config.eventRetentionDays,
    executionRetentionDays: config.executionRetentionDays,
    allowedTargets: config.allowedTargets,
    publicOrigin: config.publicOrigin,
    linkKey: stored.linkKey(),
    // PostgreSQL: another process may change the stored secrets; this one reloads them at its next tick.
    sharedState: [() => stored.refreshIfChanged()],
  });
  engineRef = engine;
  const recovered = await engine.start();
  log.info({ config: redactConfig(config), recovered }, 'salve starting');
  // Flows as code: the directory is applied before Salve listens, so the first delivery finds its flows.
  const provisioner =
    config.flowsDir === undefined
      ? undefined
      : new FlowsDirProvisioner({
          dir: config.flowsDir,
          flows: engine.flows,
          teamIds: () => store.read(async (tx) => (await tx.people.listTeams()).map((t) => t.id)),
          log,
          rescanMs: config.flowsRescanSeconds * 1000,
        });
  await provisioner?.start();

  const oidc = oidcSettings && new OidcClient(oidcSettings, log);
  oidc?.warmUp();
  const app = createApp({
    engine,
    provisioner: () => provisioner,
    log,
    adminToken: token.token,
    adminTokenFile: token.file,
    metricsToken: config.metricsToken,
    metrics,
    hookBodyLimitBytes: config.hookBodyLimitBytes,
    editorDir: join(ROOT, 'dist', 'editor'),
    version: salveVersion(),
    publicOrigin: config.publicOrigin,
    secrets,
    storedSecrets: stored,
    slackApiUrl: config.slackApiUrl,
    oidc,
  });

  const limits = httpLimitsOf(config);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: config.host,
        port: config.port,
        serverOptions: httpServerOptions(limits),
        // Webhooks are answered before Hono (hook-listener.ts); everything else by the app.
        createServer: ((options: ServerOptions, honoListener: RequestListener) =>
          createHttpServer(options, hookListener({ engine, bodyLimitBytes: config.hookBodyLimitBytes, log }, honoListener))) as typeof createHttpServer,
      },
      () => resolve(s),
    );
    s.once('error', reject);
    capConnections(s as Server, limits, log);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  if (token.created) {
    out(`Admin token (shown once; also saved to ${join(config.dataDir, 'admin-token')}, mode 0600):\n  ${token.token}`);
  }
  out(`Master key for stored secrets: ${stored.keySource}${createdKeyFile ? ' (created now, mode 0600: back it up apart from the data directory)' : ''}`);
  if (oidcSettings) out(`Single sign-on with ${oidcSettings.issuer} (redirect URI registered there: ${oidcSettings.redirectUri})`);
  // Before the line that says Salve is up: whoever waits for it has read these too.
  for (const cluster of await engine.kubernetesSummary()) {
    out(cluster.text);
    if (!cluster.usable) log.warn({ cluster: cluster.name, problem: cluster.text }, 'a Kubernetes cluster cannot be used: its steps will fail until this is fixed');
  }
  out(`Salve ${salveVersion()} listening on ${url} (data: ${config.dataDir}${storage.database ? `; database: ${storage.database}, shared with the other processes on it` : ''})`);
  if (provisioner) {
    const files = provisioner.status().files;
    const invalid = files.filter((f) => f.status === 'invalid').length;
    out(`Flows from ${config.flowsDir}: ${files.length} file(s)${invalid ? `, ${invalid} invalid (see the log or GET /api/provisioning)` : ''}; followed for changes`);
  }
  if (!['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    log.warn({ host: config.host }, 'listening beyond loopback without TLS: put a TLS-terminating proxy in front of Salve');
  }
  log.info({ url, hookPaths: engine.router.paths() }, 'salve listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('shutting down: no new deliveries; letting running steps finish');
      await provisioner?.stop();
      const aborted = await engine.shutdown(config.shutdownGraceSeconds * 1000);
      if (aborted > 0) log.warn({ aborted }, 'steps still running after the grace period were interrupted; they are recovered at the next start');
      await closeConnections(server as Server);
      metrics.close();
      const stats = storage.stats?.();
      await storage.close();
      lock.release();
      log.info(stats === undefined ? {} : { store: stats }, 'stopped');
    })();
    return stopping;
  };
  return { url, engine, scrubber: scrubberFor(secrets), stop };
}
