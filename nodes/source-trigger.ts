import type { Alert } from '../shared/alert/schema.js';

/**
 * The Node-only half of the sources that start flows without a webhook. A source whose
 * definition declares `trigger: { kind: 'schedule' }` or `{ kind: 'manual' }` implements the
 * matching interface in its own folder and exports it from its `node.ts`; the engine's
 * triggers (runtime/engine/triggers/) use only these interfaces, never a node type.
 * Methods, not function properties: see NodeDefinition on variance.
 */

/** The ticks of one schedule, in epoch milliseconds. */
export interface TickSchedule {
  /** The first tick strictly after `after`; undefined when the schedule never comes again. */
  next(after: number): number | undefined;
  /** The last tick at or before `atOrBefore`; undefined when there is none. */
  latest(atOrBefore: number): number | undefined;
}

/** Which tick of which schedule fired, and when it was handled. */
interface TickAt {
  flowId: string;
  flowName: string;
  nodeId: string;
  /** The tick's scheduled time, epoch ms. */
  scheduledAt: number;
  /** When Salve handled it, epoch ms (later than `scheduledAt` after a restart). */
  firedAt: number;
}

/** A source started by the clock. */
export interface ScheduleTrigger<C = unknown> {
  kind: 'schedule';
  /** The schedule of a node with this (parsed) config; throws when it does not compile. */
  compile(config: C): TickSchedule;
  /** How late the latest missed tick may still run, in milliseconds; older ones are skipped. */
  catchUpMs(config: C): number;
  /**
   * The run of one tick: `payload` becomes its `event`, `alert` its alert. The alert's dedupKey
   * names the tick, so a tick never starts two runs.
   */
  tick(config: C, at: TickAt): { payload: unknown; alert: Alert };
}

/** What a manual run knows besides its config and payload. */
export interface ManualRunContext {
  /** When the run was asked for (epoch ms): the alert's `startsAt`. */
  now: number;
  /** The default alert name when neither the payload nor the config names one. */
  flowName?: string;
  /** Who asked, for the summary. */
  actor?: string;
  /** The notification identity; default a fresh random id, so every manual run runs. */
  dedupKey?: string;
}

/** A source started by a person (Run now, `POST /api/flows/:id/run`). */
export interface ManualTrigger<C = unknown> {
  kind: 'manual';
  /**
   * The alert of one run with `payload` as its `event`. Throws ValidationError whose issues name
   * the field inside the payload (e.g. `labels.instance`).
   */
  alert(config: C, payload: unknown, ctx: ManualRunContext): Alert;
}

export type SourceTrigger<C = unknown> = ScheduleTrigger<C> | ManualTrigger<C>;
