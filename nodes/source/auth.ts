import { z } from 'zod';
import { SecretRefSchema, SlugSchema } from '../../shared/flow/schema.js';

/**
 * How a webhook source proves who is calling. Required, with no default: accepting anyone
 * must be written out as `{ "type": "none" }`.
 */
export const AuthConfigSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('bearer'), token: SecretRefSchema }),
    z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: SecretRefSchema }),
    z.strictObject({
      type: z.literal('header'),
      name: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name'),
      value: SecretRefSchema,
    }),
    z.strictObject({ type: z.literal('none') }),
  ],
  { error: 'auth is required: { "type": "bearer" | "basic" | "header" | "none", ... }' },
);
export type AuthConfig = z.infer<typeof AuthConfigSchema>;

export const OnSchema = z.enum(['firing', 'resolved', 'both']).default('firing');

/** Fields every webhook source has: where it listens, who may call, which alerts start a flow. */
export const webhookSourceFields = {
  path: SlugSchema,
  auth: AuthConfigSchema,
  on: OnSchema,
};

/** True when a source configured with `on` starts a flow for an alert with `status`. */
export function acceptsStatus(on: 'firing' | 'resolved' | 'both', status: string): boolean {
  return on === 'both' || on === status;
}
