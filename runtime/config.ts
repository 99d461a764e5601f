import { resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../shared/errors.js';
import { parseTargetList, splitTargetList } from '../shared/net/targets.js';

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

/** Salve's configuration: flags win over `SALVE_*` environment variables, then defaults. */
const ConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: intFrom(0, 65535).default(8470),
  dataDir: z.string().min(1).default('./data').transform((d) => resolve(d)),
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
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
}).refine((c) => c.httpHeadersTimeoutSeconds <= c.httpRequestTimeoutSeconds, {
  path: ['httpHeadersTimeoutSeconds'],
  message: 'must not be longer than the request timeout (SALVE_HTTP_REQUEST_TIMEOUT): the headers are part of the request',
});
export type Config = z.infer<typeof ConfigSchema>;

/** Where each field comes from, for error messages that name what the operator typed. */
const SOURCES: Record<keyof Config, { flag?: string; env?: string }> = {
  host: { flag: 'host', env: 'SALVE_HOST' },
  port: { flag: 'port', env: 'SALVE_PORT' },
  dataDir: { flag: 'data', env: 'SALVE_DATA' },
  adminToken: { env: 'SALVE_ADMIN_TOKEN' },
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
  logLevel: { env: 'SALVE_LOG_LEVEL' },
  commandUser: { env: 'SALVE_COMMAND_USER' },
  allowedTargets: { env: 'SALVE_ALLOWED_TARGETS' },
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
      return { path: [origin[key] ?? key], message: i.message };
    });
    throw new ValidationError('invalid configuration', issues);
  }
  return result.data;
}

/** The config as it may be printed: the admin token is never shown. */
export function redactConfig(c: Config): Record<string, unknown> {
  return { ...c, adminToken: c.adminToken ? '***' : undefined };
}
