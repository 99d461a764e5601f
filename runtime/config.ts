import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../shared/errors.js';
import { parseTargetList, splitTargetList } from '../shared/net/targets.js';
import { RoleMapSchema } from './http/oidc-mapping.js';
import { clusterSpecsJson } from './kubernetes/cluster-specs.js';
import { isPostgresUrl, printableUrl } from './store/pg/migrate.js';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `https://host[:port]`: scheme, host and port only, as browsers send it in `Origin`. */
const isOrigin = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** An OpenID provider's issuer: https, or http on a loopback host only (a provider in a test). */
const isIssuer = (value: string) => {
  try {
    const url = new URL(value);
    if (url.search || url.hash || url.username || url.password) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  } catch {
    return false;
  }
};

/** SALVE_OIDC_ROLE_MAP: JSON, checked against RoleMapSchema; the message names the group at fault. */
const roleMapJson = z.string().transform((raw, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"salve-admins": "admin", "payments-oncall": [{"team": "payments", "roles": ["operator"]}]}' });
    return z.NEVER;
  }
  const result = RoleMapSchema.safeParse(parsed);
  if (!result.success) {
    for (const i of result.error.issues) ctx.addIssue({ code: 'custom', message: i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message });
    return z.NEVER;
  }
  return result.data;
});

/** Salve's configuration: flags win over `SALVE_*` environment variables, then defaults. */
const ConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: intFrom(0, 65535).default(8470),
  dataDir: z.string().min(1).default('./data').transform((d) => resolve(d)),
  /**
   * PostgreSQL instead of the data directory's SQLite database: several processes share it
   * (the data directory still holds this process's lock and local files).
   */
  databaseUrl: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL').optional(),
  /** Connections this process keeps to PostgreSQL (each transaction holds one while it runs). */
  databasePoolSize: intFrom(2, 500).default(10),
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A bearer token good for GET /metrics only (a secret like the admin token); without it only the admin token reads metrics. */
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The origin browsers reach Salve at through a TLS proxy; accepted by the editor's origin check. */
  publicOrigin: z
    .string()
    .refine(isOrigin, 'must be an origin like https://salve.example.internal (scheme, host, optional port; no path)')
    .transform((v) => new URL(v).origin)
    .optional(),
  /**
   * Where the Slack Web API is for Slack buttons (users.info), for tests only: a loopback URL
   * (`http://127.0.0.1:<port>/api`); anything else is refused, so the bot token only ever goes
   * to Slack or to this host. Default https://slack.com/api.
   */
  slackApiUrl: z
    .string()
    .refine((v) => {
      try {
        const url = new URL(v);
        return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
      } catch {
        return false;
      }
    }, 'must be a loopback URL such as http://127.0.0.1:9000/api (it exists for tests; Salve otherwise calls https://slack.com/api)')
    .optional(),
  maxConcurrentExecutions: intFrom(1, 1000).default(64),
  /** Queued executions beyond which deliveries that would add more get 503 + Retry-After. */
  maxQueuedExecutions: intFrom(1, 10_000_000).default(10_000),
  executionDeadlineSeconds: intFrom(1, 7 * 24 * 3600).default(7200),
  shutdownGraceSeconds: intFrom(0, 600).default(30),
  hookBodyLimitBytes: intFrom(1024, 16 * 1024 * 1024).default(256 * 1024),
  /** Seconds a client has to send a request's headers (slow-loris defence); at most the request timeout. */
  httpHeadersTimeoutSeconds: intFrom(1, 300).default(10),
  /** Seconds a client has to send a whole request, headers and body (bounds slow /hooks bodies). */
  httpRequestTimeoutSeconds: intFrom(1, 3600).default(30),
  /** Seconds an idle keep-alive connection stays open. */
  httpKeepAliveTimeoutSeconds: intFrom(1, 600).default(5),
  /** Open connections in all; connections beyond are closed at once. */
  maxConnections: intFrom(1, 1_000_000).default(1024),
  /** Open connections from one client address; connections beyond are closed at once. */
  maxConnectionsPerAddress: intFrom(1, 1_000_000).default(256),
  /** Days the event log keeps a delivery; older events are deleted in small batches. */
  eventRetentionDays: intFrom(1, 3650).default(14),
  /** Days a finished execution is kept (with its steps and approvals); older ones are deleted in small batches. */
  executionRetentionDays: intFrom(1, 3650).default(30),
  /**
   * A directory of flow files provisioned at start and on every change (`--flows`, issue 13
   * "flows as code"; see docs/operations.md "Flows in git"). Must exist and be a directory.
   */
  flowsDir: z
    .string()
    .min(1)
    .transform((d) => resolve(d))
    .refine((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory() === true, 'must be an existing directory of flow files')
    .optional(),
  /** Seconds between rescans of the flows directory (changes are also followed as they happen). */
  flowsRescanSeconds: intFrom(1, 3600).default(30),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** The user command steps run as (name or uid); default: Salve's own user. Needs root (see docs). */
  commandUser: z
    .string()
    .regex(/^(?:[A-Za-z_][A-Za-z0-9_.-]{0,63}\$?|\d{1,10})$/, 'must be a user name (e.g. salve-cmd) or a numeric uid')
    .optional(),
  /**
   * Non-public destinations steps may connect to (host names, *.domains, addresses, CIDR blocks,
   * each with an optional :port). Public addresses need no entry; nothing else is reachable without one.
   */
  allowedTargets: z
    .string()
    .default('')
    .transform(splitTargetList)
    .superRefine((entries, ctx) => {
      for (const problem of parseTargetList(entries).problems) ctx.addIssue({ code: 'custom', message: problem.message });
    }),
  /** Single sign-on (OpenID Connect): the provider's issuer; the other oidc* fields only matter with it. */
  oidcIssuer: z
    .string()
    .refine(isIssuer, 'must be the provider\'s issuer URL, e.g. https://sso.example.com/realms/ops (https; http only on a loopback host)')
    .transform((v) => v.replace(/\/$/, ''))
    .optional(),
  oidcClientId: z.string().min(1).max(500).optional(),
  /** Never logged or printed (redactConfig); scrubbed from outputs like the admin token. */
  oidcClientSecret: z.string().min(1).max(4096).optional(),
  /** A file holding the client secret (read at start). */
  oidcClientSecretFile: z.string().min(1).optional(),
  oidcScopes: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be scopes separated by single spaces, e.g. "openid profile email groups"')
    .refine((s) => s.split(' ').includes('openid'), 'must include "openid"')
    .default('openid profile email'),
  oidcGroupsClaim: z.string().min(1).max(200).default('groups'),
  oidcRoleMap: roleMapJson.default({}),
  oidcLabel: z.string().trim().min(1).max(100).default('Sign in with single sign-on'),
  /** The Kubernetes clusters flows may act on, by name (JSON; see cluster-specs.ts). */
  kubernetesClusters: clusterSpecsJson.optional(),
})
  .refine((c) => c.httpHeadersTimeoutSeconds <= c.httpRequestTimeoutSeconds, {
    path: ['httpHeadersTimeoutSeconds'],
    message: 'must not be longer than the request timeout (SALVE_HTTP_REQUEST_TIMEOUT): the headers are part of the request',
  })
  .superRefine((c, ctx) => {
    // Behind a load balancer any process may get any request: each must accept the same token.
    if (c.databaseUrl !== undefined && c.adminToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['adminToken'],
        message: 'is required with SALVE_DATABASE_URL: every Salve process sharing the database must accept the same admin token (a generated one would differ per process)',
      });
    }
  })
  .superRefine((c, ctx) => {
    if (c.oidcIssuer === undefined) return;
    // Each refusal names what to set: Salve would otherwise start with a sign-in button that cannot work.
    if (c.oidcClientId === undefined) ctx.addIssue({ code: 'custom', path: ['oidcClientId'], message: 'is required with SALVE_OIDC_ISSUER: the client id registered at the provider' });
    if ((c.oidcClientSecret === undefined) === (c.oidcClientSecretFile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['oidcClientSecret'],
        message: 'with SALVE_OIDC_ISSUER set exactly one of SALVE_OIDC_CLIENT_SECRET or SALVE_OIDC_CLIENT_SECRET_FILE (the client secret)',
      });
    }
    if (c.publicOrigin === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicOrigin'],
        message: 'is required with SALVE_OIDC_ISSUER: the provider sends browsers back to <SALVE_PUBLIC_ORIGIN>/api/session/oidc/callback',
      });
    }
  });
export type Config = z.infer<typeof ConfigSchema>;

/** Where each field comes from, for error messages that name what the operator typed. */
const SOURCES: Record<keyof Config, { flag?: string; env?: string }> = {
  host: { flag: 'host', env: 'SALVE_HOST' },
  port: { flag: 'port', env: 'SALVE_PORT' },
  dataDir: { flag: 'data', env: 'SALVE_DATA' },
  databaseUrl: { flag: 'database', env: 'SALVE_DATABASE_URL' },
  databasePoolSize: { env: 'SALVE_DATABASE_POOL_SIZE' },
  adminToken: { env: 'SALVE_ADMIN_TOKEN' },
  metricsToken: { env: 'SALVE_METRICS_TOKEN' },
  publicOrigin: { env: 'SALVE_PUBLIC_ORIGIN' },
  slackApiUrl: { env: 'SALVE_SLACK_API_URL' },
  maxConcurrentExecutions: { env: 'SALVE_MAX_CONCURRENCY' },
  maxQueuedExecutions: { env: 'SALVE_MAX_QUEUED' },
  executionDeadlineSeconds: { env: 'SALVE_EXECUTION_DEADLINE' },
  shutdownGraceSeconds: { env: 'SALVE_SHUTDOWN_GRACE' },
  hookBodyLimitBytes: { env: 'SALVE_HOOK_BODY_LIMIT' },
  httpHeadersTimeoutSeconds: { env: 'SALVE_HTTP_HEADERS_TIMEOUT' },
  httpRequestTimeoutSeconds: { env: 'SALVE_HTTP_REQUEST_TIMEOUT' },
  httpKeepAliveTimeoutSeconds: { env: 'SALVE_HTTP_KEEPALIVE_TIMEOUT' },
  maxConnections: { env: 'SALVE_MAX_CONNECTIONS' },
  maxConnectionsPerAddress: { env: 'SALVE_MAX_CONNECTIONS_PER_ADDRESS' },
  eventRetentionDays: { flag: 'event-retention-days', env: 'SALVE_EVENT_RETENTION_DAYS' },
  executionRetentionDays: { env: 'SALVE_EXECUTION_RETENTION_DAYS' },
  flowsDir: { flag: 'flows', env: 'SALVE_FLOWS_DIR' },
  flowsRescanSeconds: { env: 'SALVE_FLOWS_RESCAN_SECONDS' },
  logLevel: { env: 'SALVE_LOG_LEVEL' },
  commandUser: { env: 'SALVE_COMMAND_USER' },
  allowedTargets: { env: 'SALVE_ALLOWED_TARGETS' },
  oidcIssuer: { env: 'SALVE_OIDC_ISSUER' },
  oidcClientId: { env: 'SALVE_OIDC_CLIENT_ID' },
  oidcClientSecret: { env: 'SALVE_OIDC_CLIENT_SECRET' },
  oidcClientSecretFile: { env: 'SALVE_OIDC_CLIENT_SECRET_FILE' },
  oidcScopes: { env: 'SALVE_OIDC_SCOPES' },
  oidcGroupsClaim: { env: 'SALVE_OIDC_GROUPS_CLAIM' },
  oidcRoleMap: { env: 'SALVE_OIDC_ROLE_MAP' },
  oidcLabel: { env: 'SALVE_OIDC_LABEL' },
  kubernetesClusters: { env: 'SALVE_KUBERNETES_CLUSTERS' },
};

/** Builds the config from CLI flags and the environment; names the flag or variable on error. */
export function loadConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): Config {
  const raw: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const [key, src] of Object.entries(SOURCES)) {
    const fromFlag = src.flag ? flags[src.flag] : undefined;
    const fromEnv = src.env ? env[src.env] : undefined;
    if (fromFlag !== undefined) {
      raw[key] = fromFlag;
      origin[key] = `--${src.flag}`;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[key] = fromEnv;
      origin[key] = src.env!;
    }
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      // A field that was not given at all (required with another one) is named by its variable.
      const src = (SOURCES as Record<string, { flag?: string; env?: string }>)[key];
      return { path: [origin[key] ?? src?.env ?? key], message: i.message };
    });
    throw new ValidationError('invalid configuration', issues);
  }
  return result.data;
}

/** The config as it may be printed: the admin and metrics tokens and the single sign-on client secret are never shown. */
export function redactConfig(c: Config): Record<string, unknown> {
  return {
    ...c,
    adminToken: c.adminToken ? '***' : undefined,
    // Its password is a secret; the host and database help whoever reads the log.
    databaseUrl: c.databaseUrl ? printableUrl(c.databaseUrl) : undefined,
    metricsToken: c.metricsToken ? '***' : undefined,
    oidcClientSecret: c.oidcClientSecret ? '***' : undefined,
  };
}
