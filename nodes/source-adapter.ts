import type { Alert } from '../shared/alert/schema.js';

/** Resolves a secret name (from `{ "secret": "NAME" }`) to its value, or undefined if unset. */
export type SecretResolver = (name: string) => string | undefined;

/** One webhook delivery as received, before parsing. */
export interface IngestRequest {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The exact bytes received; signatures are verified over these. */
  rawBody: Uint8Array;
  /** The peer's IP address (IPv4, or IPv6 as Node reports it), for allowlists; absent without a socket. */
  remoteAddress?: string;
}

/** What a source may use while verifying a delivery. */
export interface IngestContext {
  secrets: SecretResolver;
  /** Now, in epoch milliseconds, from the engine's clock (signature time windows). */
  now: number;
  /**
   * For sources that must call out to verify or confirm (SNS signing certificates, subscription
   * confirmation). Injected so tests never reach the network.
   */
  fetch: typeof fetch;
}

/** Outcome of checking a delivery's credentials. */
export type AuthResult =
  | { ok: true }
  /**
   * `reason` is for the server log and the event log only (never echoed to the caller, never
   * contains secrets). `retryable`: the delivery could not be checked right now (e.g. a signing
   * certificate could not be fetched), so the sender is told to retry (503) instead of being
   * refused for good (401) — senders drop 4xx.
   */
  | { ok: false; reason: string; retryable?: boolean };

/**
 * A protocol message that is not an alert (SNS `SubscriptionConfirmation`, PagerDuty's
 * `pagey.ping`): the source answers it itself and no flow runs.
 */
export interface HandshakeResult {
  /** HTTP status to answer with (2xx when handled, 4xx when refused). */
  status: 200 | 202 | 400 | 403 | 422;
  /** One line for the caller and the event log, e.g. `subscription confirmed`. */
  message: string;
}

/** Media types most sources send; a source that posts something else says so in `contentTypes`. */
export const JSON_ONLY: readonly string[] = ['application/json'];

/** What `normalize` may use besides the config and the body. */
export interface NormalizeContext {
  /**
   * Now, in epoch milliseconds, from the engine's clock: the time of alerts whose payload names
   * none (and the time simulation runs at). Normalizers never read the system clock themselves.
   */
  now: number;
  /** The delivery; absent in simulation (no delivery, only a payload). */
  request?: IngestRequest;
}

/**
 * The Node-only half of every source node: how a payload becomes alerts, and which of them start
 * the flow. Lives in `nodes/source/<name>/ingest.ts`, joined to its definition by `node.ts`.
 * Sources that take webhooks implement WebhookAdapter; schedules and manual runs also have a
 * trigger (nodes/source-trigger.ts). Methods, not function properties: see NodeDefinition on variance.
 */
export interface SourceAdapter<C = unknown> {
  /**
   * Turns a parsed JSON body into alerts (one per alert in a group). Throws ValidationError
   * (shared/errors.ts) whose issues name the offending field, e.g. `alerts[0].labels`.
   */
  normalize(config: C, body: unknown, ctx: NormalizeContext): Alert[];
  /** Whether this source starts a flow for `alert` (e.g. `on: firing` skips resolved alerts). */
  accepts(config: C, alert: Alert): boolean;
  /** Why `accepts` said no, in plain words, for the event log. */
  notStartedReason(config: C, alert: Alert): string;
}

/**
 * A source that takes webhook deliveries (its definition's trigger is `webhook`): how they are
 * checked before anything is parsed.
 */
export interface WebhookAdapter<C = unknown> extends SourceAdapter<C> {
  /**
   * Media types (lower case, no parameters) this tool really sends; anything else is 415.
   * Default: `application/json` only. (SNS posts JSON as `text/plain`.)
   */
  contentTypes?: readonly string[];
  /** The IP allowlist (CIDR blocks) of a node with this config; undefined: anyone may call. */
  allowFrom(config: C): readonly string[] | undefined;
  /**
   * Request headers that carry this node's secret (e.g. the name of an `auth.type: header`),
   * stored as `***` in the event log like `Authorization` always is.
   */
  sensitiveHeaders(config: C): readonly string[];
  /**
   * Verifies credentials over the raw bytes, constant-time; fails closed if a secret is unset.
   * May be async (e.g. fetching a signing certificate).
   */
  authenticate(config: C, request: IngestRequest, ctx: IngestContext): AuthResult | Promise<AuthResult>;
  /**
   * Answers protocol messages that carry no alert, after authentication. Returns undefined for an
   * ordinary delivery.
   */
  handshake?(config: C, body: unknown, request: IngestRequest, ctx: IngestContext): HandshakeResult | undefined | Promise<HandshakeResult | undefined>;
  /**
   * The tool's own id of this delivery, when it has one (PagerDuty `X-Webhook-Id`, SNS
   * `x-amz-sns-message-id`), read after authentication and parsing. Kept in the event log; a
   * delivery whose id was already received on the same path is recorded as a duplicate.
   */
  deliveryId?(config: C, request: IngestRequest, body: unknown): string | undefined;
}
