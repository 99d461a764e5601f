import { z } from 'zod';
import { parseTargetEntry } from '../net/targets.js';
import { LimitsSchema } from './limits.js';
import { RetryPolicySchema } from './retry.js';

/** The one format tag this version reads and writes. */
export const FLOW_FORMAT = 'salve.flow/v1';

/** The longest slug (flow ids, hook paths). */
export const SLUG_MAX_LENGTH = 64;
/** The longest flow name. */
export const FLOW_NAME_MAX_LENGTH = 200;

/** Lower-case letters, digits and dashes; starts with a letter or digit; 1–64 characters. */
export const SlugSchema = z
  .string()
  .regex(
    new RegExp(`^[a-z0-9][a-z0-9-]{0,${SLUG_MAX_LENGTH - 1}}$`),
    `must be a slug: lower-case letters, digits and "-", 1-${SLUG_MAX_LENGTH} characters`,
  );

/** Node ids may also use `_` (operators like `disk_check`); they appear in `steps.<id>`. */
export const NodeIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must start with a letter and use only letters, digits and "_" (max 64)');

export const PositionSchema = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

const FlowNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.string().min(1, 'node type is required'),
  /** Editor-only; the runtime ignores it. */
  position: PositionSchema.optional(),
  /** Optional display name shown on the canvas instead of the type label. */
  label: z.string().max(200).optional(),
  /** Checked against the node type's own schema by `validateFlow`. */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Run the step again when it fails (actions and checks only; see retry.ts). */
  retry: RetryPolicySchema.optional(),
  /**
   * Allows `retry` on a type that is not idempotent (a command, an SSH command, an email): a
   * retry after a failure may do the work twice, e.g. when the first try timed out after acting.
   */
  retryUnsafe: z.boolean({ error: 'must be true or false' }).optional(),
});
export type FlowNode = z.infer<typeof FlowNodeSchema>;

export const FlowEdgeSchema = z.strictObject({
  source: NodeIdSchema,
  /** Output port of the source node; may be omitted when the node has exactly one. */
  sourcePort: z.string().min(1).optional(),
  target: NodeIdSchema,
});
export type FlowEdge = z.infer<typeof FlowEdgeSchema>;

/**
 * A flow's own destination list: where its steps may connect, within what the server allows
 * (`SALVE_ALLOWED_TARGETS` and public addresses). It can only narrow, never widen.
 */
const AllowedTargetsSchema = z
  .array(
    z.string({ error: 'must be a host name, *.domain, IP address or CIDR block' }).superRefine((entry, ctx) => {
      const parsed = parseTargetEntry(entry);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    }),
    { error: 'must be a list of host names, *.domains, IP addresses or CIDR blocks' },
  )
  .min(1, 'list at least one destination, or leave allowedTargets out to use the server\'s policy alone')
  .max(200, 'at most 200 entries');

/** The longest sticky note text. */
export const NOTE_TEXT_MAX_LENGTH = 2000;
/** The colours a sticky note may have; the editor draws each as a pale card. */
export const NOTE_COLORS = ['yellow', 'blue', 'green', 'pink', 'gray'] as const;

const NoteSizeSchema = z.strictObject({
  width: z.number().finite().min(60, 'must be at least 60').max(2000, 'must be at most 2000'),
  height: z.number().finite().min(40, 'must be at least 40').max(2000, 'must be at most 2000'),
});

/**
 * A sticky note on the canvas: plain text for people reading the flow. Editor only: the
 * runtime never reads notes (they are kept in revisions and exports like the rest).
 */
export const FlowNoteSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter and use only letters, digits, "_" and "-" (max 64)'),
  text: z.string().max(NOTE_TEXT_MAX_LENGTH, `must be at most ${NOTE_TEXT_MAX_LENGTH} characters`),
  position: PositionSchema,
  size: NoteSizeSchema.optional(),
  color: z.enum(NOTE_COLORS, { error: `must be one of ${NOTE_COLORS.join(', ')}` }).optional(),
});
export type FlowNote = z.infer<typeof FlowNoteSchema>;

const NotesSchema = z
  .array(FlowNoteSchema)
  .max(200, 'at most 200 notes')
  .superRefine((notes, ctx) => {
    const seen = new Set<string>();
    notes.forEach((note, i) => {
      if (seen.has(note.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate note id "${note.id}"` });
      seen.add(note.id);
    });
  });

/** Settings that apply to the whole flow. */
const FlowSettingsSchema = z.strictObject({
  allowedTargets: AllowedTargetsSchema.optional(),
});
export type FlowSettings = z.infer<typeof FlowSettingsSchema>;

/** The shape of a flow document. Structural rules (ports, cycles…) are in `validate.ts`. */
export const FlowSchema = z.strictObject({
  format: z.literal(FLOW_FORMAT, { error: `must be "${FLOW_FORMAT}"` }),
  id: SlugSchema,
  name: z.string().trim().min(1, 'name is required').max(FLOW_NAME_MAX_LENGTH),
  description: z.string().max(4000).optional(),
  enabled: z.boolean().default(false),
  nodes: z.array(FlowNodeSchema).min(1, 'a flow needs at least one node').max(500),
  edges: z.array(FlowEdgeSchema).max(2000).default([]),
  settings: FlowSettingsSchema.optional(),
  /** Guard rails: bounds on the runs this flow starts (limits.ts); over one a run is created `held`. */
  limits: LimitsSchema.optional(),
  /** Sticky notes: editor only, ignored by the runtime. */
  notes: NotesSchema.optional(),
});
export type Flow = z.infer<typeof FlowSchema>;

/** A reference to a secret; the value never appears in a flow document. */
export const SecretRefSchema = z.strictObject({
  secret: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'secret names use upper-case letters, digits and "_" (e.g. AM_TOKEN)'),
});
export type SecretRef = z.infer<typeof SecretRefSchema>;

export function isSecretRef(value: unknown): value is SecretRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { secret?: unknown }).secret === 'string'
  );
}
