import { z } from 'zod';
import type { Alert } from '../../shared/alert/schema.js';
import { SlugSchema } from '../../shared/flow/schema.js';
import { AuthConfigSchema, describeAuth, type AuthConfig } from './auth.js';
import { parseCidr } from './cidr.js';

/** Which alerts start a flow: firing ones (the default), resolved ones, or both. */
export const SourceOnSchema = z.enum(['firing', 'resolved', 'both']).default('firing');
export type SourceOn = z.infer<typeof SourceOnSchema>;

/** CIDR blocks or single addresses that may deliver, e.g. `["10.0.0.0/8", "2001:db8::/32"]`. */
export const AllowFromSchema = z
  .array(z.string().refine((v) => parseCidr(v) !== null, 'must be an IP address or CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32'))
  .min(1, 'list at least one address or block, or leave allowFrom out')
  .max(100);

/** Fields every webhook source has: where it listens, who may call it, which alerts start runs. */
export const sourceBaseShape = {
  /** The hook path: deliveries arrive at `/hooks/<path>`. */
  path: SlugSchema,
  auth: AuthConfigSchema,
  on: SourceOnSchema,
  /** Optional IP allowlist: deliveries from other addresses are refused (401) before any check. */
  allowFrom: AllowFromSchema.optional(),
};

/** Whether a source configured with `on` starts a flow for `alert`. */
export function acceptsStatus(on: SourceOn, alert: Alert): boolean {
  return on === 'both' || alert.status === on;
}

/** Why a source configured with `on` did not start a flow for `alert`, in plain words. */
export function notStartedReasonFor(on: SourceOn | undefined, alert: Alert): string {
  if (on === 'firing' || on === 'resolved') return `${alert.status} alert: source starts runs on ${on} only`;
  return `${alert.status} alert: the source does not start runs for it`;
}

/** The trigger of every webhook source: deliveries to `/hooks/<path>`. */
export const hookTrigger = { kind: 'webhook', hookPath: (config: { path: string }) => config.path } as const;

/** The canvas line of a source: `/hooks/infra · bearer · firing`. */
export function sourceSummary(config: { path: string; auth: AuthConfig; on: SourceOn }): string {
  const on = config.on === 'both' ? 'firing + resolved' : config.on;
  return `/hooks/${config.path} · ${describeAuth(config.auth)} · ${on}`;
}

/** Editor hints shared by the source fields. */
export const sourceUi = {
  path: { widget: 'text', label: 'Hook path', help: 'Deliveries arrive at POST /hooks/<path>; lower-case letters, digits and "-".' },
  on: { widget: 'select', label: 'Start runs for', help: 'firing (default), resolved, or both kinds of alert.' },
  allowFrom: { widget: 'list', label: 'Allowed addresses', help: 'Optional: IP addresses or CIDR blocks, e.g. 10.0.0.0/8; other callers are refused.' },
  'auth.type': { widget: 'select', label: 'Authentication', help: 'How callers prove who they are. "none" accepts anyone: only on a trusted network.' },
  'auth.token': { widget: 'secret', label: 'Bearer token', help: 'Alertmanager sends it with authorization: { credentials: … } in webhook_configs.' },
  'auth.username': { widget: 'text', label: 'Username' },
  'auth.password': { widget: 'secret', label: 'Password' },
  'auth.name': { widget: 'text', label: 'Header name', help: 'e.g. X-Salve-Token' },
  'auth.value': { widget: 'secret', label: 'Header value' },
} as const;
