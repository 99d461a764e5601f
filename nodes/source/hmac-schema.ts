import { z } from 'zod';
import { SecretRefSchema, type SecretRef } from '../../shared/flow/schema.js';
import { describeAuth, type AuthConfig } from './auth.js';
import type { SourceOn } from './common.js';

/** How far a signed timestamp may be from Salve's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;

/**
 * The shared HMAC secret: one reference, or a list of two while it is being rotated (a delivery
 * signed with either is accepted). Browser-safe; the check itself is in `hmac.ts`.
 */
export const HmacSecretsSchema = z.union(
  [
    SecretRefSchema,
    z
      .array(SecretRefSchema)
      .min(1, 'list one or two secret references')
      .max(2, 'at most two secrets: the current one and the one being replaced'),
  ],
  { error: 'must be a secret reference like {"secret":"GRAFANA_HMAC"}, or a list of two while rotating' },
);
export type HmacSecrets = z.infer<typeof HmacSecretsSchema>;

/** The secret references of `secrets`, as a list. */
export function secretRefs(secrets: HmacSecrets): SecretRef[] {
  return Array.isArray(secrets) ? secrets : [secrets];
}

/** Editor hint for an HMAC `secret` field (a reference or a list of two). */
export const hmacSecretUi = {
  widget: 'json',
  label: 'HMAC secret',
  help: '{"secret":"NAME"} (the value comes from SALVE_SECRET_NAME); during a rotation a list of two: [{"secret":"NEW"},{"secret":"OLD"}].',
} as const;

/** The canvas line of a source whose auth may also be `hmac`: `/hooks/grafana · HMAC + timestamp · firing`. */
export function hmacSourceSummary(config: {
  path: string;
  auth: AuthConfig | { type: 'hmac'; timestamped: boolean };
  on: SourceOn;
}): string {
  const on = config.on === 'both' ? 'firing + resolved' : config.on;
  const auth = config.auth.type === 'hmac' ? (config.auth.timestamped ? 'HMAC + timestamp' : 'HMAC') : describeAuth(config.auth);
  return `/hooks/${config.path} · ${auth} · ${on}`;
}
