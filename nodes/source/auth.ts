import { z } from 'zod';
import { SecretRefSchema } from '../../shared/flow/schema.js';
import { HeaderNameSchema } from '../fields.js';

/**
 * How a webhook source checks who is calling. Required, with no default: accepting anonymous
 * deliveries must be written out as `{ "type": "none" }`.
 */
export const AuthConfigSchema = z.discriminatedUnion(
  'type',
  [
    /** `Authorization: Bearer <token>` (Alertmanager's `authorization: { credentials: … }`). */
    z.strictObject({ type: z.literal('bearer'), token: SecretRefSchema }),
    /** `Authorization: Basic …` (Alertmanager's `basic_auth`). */
    z.strictObject({
      type: z.literal('basic'),
      username: z
        .string()
        .min(1, 'username is required')
        .max(256)
        .refine((u) => !u.includes(':'), 'a basic-auth username cannot contain ":"'),
      password: SecretRefSchema,
    }),
    /** A shared secret in a header of your choice, e.g. `X-Salve-Token`. */
    z.strictObject({ type: z.literal('header'), name: HeaderNameSchema, value: SecretRefSchema }),
    /** No check at all. Only for trusted networks; must be chosen explicitly. */
    z.strictObject({ type: z.literal('none') }),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'auth is required: use {"type":"bearer","token":{"secret":"NAME"}}, or {"type":"none"} to accept unauthenticated deliveries'
        : undefined,
  },
);
export type AuthConfig = z.infer<typeof AuthConfigSchema>;

/** A short description of `auth` for summaries, e.g. `bearer`, `header X-Token`, `no auth`. */
export function describeAuth(auth: AuthConfig): string {
  switch (auth.type) {
    case 'bearer':
      return 'bearer';
    case 'basic':
      return `basic ${auth.username}`;
    case 'header':
      return `header ${auth.name}`;
    case 'none':
      return 'no auth';
  }
}

/** Request headers that carry the secret of `auth`: the header an `auth.type: header` names. */
export function secretHeaders(auth: { type: string; name?: string } | undefined): string[] {
  return auth?.type === 'header' && auth.name ? [auth.name] : [];
}
