import { z } from 'zod';

/**
 * A flow's guard rails (`limits` in the flow document): bounds on what its automation may do,
 * enforced by the engine in the transaction that creates each run. A run over a limit is not
 * dropped: it is created `held`, with the limit and a reason, until a person releases or cancels
 * it. All windows and durations are in seconds (like `retry`). Browser-safe: the editor's form
 * and the runtime read the same schema.
 */

/** The limits a held run names (`held.limit` on executions, `limit` on the held-runs metric). */
const LIMIT_NAMES = ['maxRunsPerWindow', 'cooldown', 'maxConcurrent', 'blastRadius', 'breaker'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** The longest window or cooldown: a week. */
const MAX_WINDOW_SECONDS = 604_800;

const seconds = () =>
  z
    .int({ error: 'must be a whole number of seconds' })
    .min(1, 'must be at least 1 second')
    .max(MAX_WINDOW_SECONDS, `must be at most ${MAX_WINDOW_SECONDS} seconds (a week)`);

const count = (max: number, what: string) =>
  z.int({ error: `must be a whole number of ${what}` }).min(1, 'must be at least 1').max(max, `must be at most ${max}`);

export const LimitsSchema = z
  .strictObject({
    /** At most `runs` runs of this flow start within any `window` seconds. */
    maxRunsPerWindow: z.strictObject({ runs: count(100_000, 'runs'), window: seconds() }).optional(),
    /**
     * What a run acts on: `key` is a CEL expression over `alert` (e.g. `alert.labels.instance`),
     * rendered when the run is created. `cooldown`: the same target is not acted on again within
     * that many seconds; `maxConcurrent`: at most that many active runs per target.
     */
    target: z
      .strictObject({
        key: z.string().trim().min(1, 'the target key is a CEL expression, e.g. alert.labels.instance').max(2000, 'must be at most 2000 characters'),
        cooldown: seconds().optional(),
        maxConcurrent: count(10_000, 'runs').optional(),
      })
      .optional(),
    /** At most `targets` distinct targets within any `window` seconds (needs `target`). */
    blastRadius: z.strictObject({ targets: count(100_000, 'targets'), window: seconds() }).optional(),
    /** `failures` runs ending failed, timed out or needing attention within `window` seconds trip the breaker. */
    breaker: z.strictObject({ failures: count(1000, 'failures'), window: seconds() }).optional(),
    /** A flow of the same team with a "Run by hand" source, started when a run of this flow is held. */
    onHeld: z
      .strictObject({
        flow: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be the id of a flow (a slug)'),
      })
      .optional(),
  })
  .superRefine((limits, ctx) => {
    if (limits.blastRadius && !limits.target) {
      ctx.addIssue({
        code: 'custom',
        path: ['blastRadius'],
        message: 'blastRadius counts targets: set limits.target.key (e.g. alert.labels.instance) too',
      });
    }
  });
export type FlowLimits = z.infer<typeof LimitsSchema>;
