import type { Alert } from '../shared/alert/schema.js';

/** Resolves a secret name (from `{ "secret": "NAME" }`) to its value, or undefined if unset. */
export type SecretResolver = (name: string) => string | undefined;

/** One webhook delivery as received, before parsing. */
export interface IngestRequest {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The exact bytes received; signatures are verified over these. */
  rawBody: Uint8Array;
}

/** Outcome of checking a delivery's credentials. */
export type AuthResult =
  | { ok: true }
  /** `reason` is for the server log only (never echoed to the caller, never contains secrets). */
  | { ok: false; reason: string };

/**
 * The Node-only half of a source node: how its deliveries are authenticated and normalized.
 * Lives in `nodes/source/<name>/ingest.ts`; `nodes/sources.ts` maps type → adapter.
 */
export interface SourceAdapter<C = unknown> {
  /** Verifies credentials over the raw bytes, constant-time; fails closed if a secret is unset. */
  authenticate(config: C, request: IngestRequest, secrets: SecretResolver): AuthResult;
  /**
   * Turns a parsed JSON body into alerts (one per alert in a group). Throws ValidationError
   * (shared/errors.ts) whose issues name the offending field, e.g. `alerts[0].labels`.
   */
  normalize(config: C, body: unknown): Alert[];
  /** Whether this source starts a flow for `alert` (e.g. `on: firing` skips resolved alerts). */
  accepts(config: C, alert: Alert): boolean;
}
