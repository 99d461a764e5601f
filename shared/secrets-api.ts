import { z } from 'zod';
import { SecretRefSchema } from './flow/schema.js';
import { parseTargetList } from './net/targets.js';

/**
 * `/api/secrets`: the secret store's requests and answers, shared by the server and the editor.
 * No answer ever carries a secret's value.
 */

/** Shortest value: a shorter one could not be scrubbed from outputs (see runtime/engine/secrets/scrub.ts). */
const SECRET_VALUE_MIN_LENGTH = 4;
/** Largest value, in UTF-8 bytes. */
export const SECRET_VALUE_MAX_BYTES = 64 * 1024;
export const SECRET_DESCRIPTION_MAX_LENGTH = 500;
const SECRET_HOSTS_MAX = 100;

/** A secret's name: the rule flows reference secrets by. */
export const SecretNameSchema = SecretRefSchema.shape.secret;

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

export const SecretValueSchema = z
  .string({ error: 'value must be a string' })
  .min(SECRET_VALUE_MIN_LENGTH, `value must have at least ${SECRET_VALUE_MIN_LENGTH} characters (a shorter secret could not be scrubbed from outputs)`)
  .refine((v) => utf8Bytes(v) <= SECRET_VALUE_MAX_BYTES, `value must be at most ${SECRET_VALUE_MAX_BYTES} bytes (64 KiB)`);

/**
 * Where steps may send the secret: host names, `*.domain`, addresses, CIDR blocks, optionally
 * with `:port`, or `*` for anywhere (the syntax of SALVE_SECRET_<NAME>_HOSTS). Empty: nowhere
 * (sources may still check it).
 */
export const SecretHostsSchema = z
  .array(z.string({ error: 'each host must be a string' }), { error: 'hosts must be a list of host names' })
  .max(SECRET_HOSTS_MAX, `at most ${SECRET_HOSTS_MAX} hosts`)
  .superRefine((hosts, ctx) => {
    for (const p of parseTargetList(hosts, { allowAny: true }).problems) ctx.addIssue({ code: 'custom', path: [p.index], message: p.message });
  });

/** `PUT /api/secrets/:name`: creates (value required) or updates (omitted fields stay as they are). */
export const PutSecretBodySchema = z.strictObject({
  value: SecretValueSchema.optional(),
  description: z.string({ error: 'description must be a string' }).max(SECRET_DESCRIPTION_MAX_LENGTH, `description must be at most ${SECRET_DESCRIPTION_MAX_LENGTH} characters`).optional(),
  hosts: SecretHostsSchema.optional(),
});
export type PutSecretBody = z.infer<typeof PutSecretBodySchema>;

/** Where a secret comes from: the secret store (editable) or the environment (read-only). */
const SECRET_SOURCES = ['store', 'environment'] as const;

/** One entry of `GET /api/secrets` (and the answer of PUT). */
export const SecretListItemSchema = z.object({
  name: z.string(),
  description: z.string(),
  hosts: z.array(z.string()),
  source: z.enum(SECRET_SOURCES),
  /** The team that owns a stored secret (only its flows may use it); null for environment secrets (any flow). */
  team: z.string().nullable(),
  /** A stored secret whose name the environment defines too: the environment's value is used. */
  overriddenByEnvironment: z.boolean(),
  /** ISO 8601; null for environment secrets. */
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  /** The saved flows that reference the secret. */
  usedBy: z.array(z.object({ flowId: z.string(), flowName: z.string() })),
});
export type SecretListItem = z.infer<typeof SecretListItemSchema>;

/** `GET /api/secrets`. */
export const SecretListSchema = z.object({ secrets: z.array(SecretListItemSchema) });
export type SecretList = z.infer<typeof SecretListSchema>;
