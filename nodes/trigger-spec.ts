import type { NodeDefinition } from './definition.js';

/**
 * What starts a flow at a source node, declared on its definition (browser-safe):
 * - `webhook`: deliveries posted to `/hooks/<hookPath(config)>` (the hook router, the editor's
 *   webhook URLs and the Events page read it here, nowhere else);
 * - `schedule`: ticks of the node's own schedule (runtime/engine/triggers/schedule-runner.ts);
 * - `manual`: a person, through Run now or `POST /api/flows/:id/run`.
 * The Node-only halves of `schedule` and `manual` are in nodes/source-trigger.ts.
 */
export type TriggerSpec<C = unknown> =
  | {
      kind: 'webhook';
      /** The hook path of a node with this config. A method: see NodeDefinition on variance. */
      hookPath(config: C): string;
    }
  | { kind: 'schedule' }
  | {
      kind: 'manual';
      /** What the editor's Run now dialog starts with for a node with this config; undefined: the type's first sample. */
      startPayload?(config: C): unknown;
    };

type TriggerKind = TriggerSpec['kind'];

/** Whether nodes of this type start flows this way. */
export function startsBy(def: Pick<NodeDefinition, 'trigger'> | undefined, kind: TriggerKind): boolean {
  return def?.trigger?.kind === kind;
}

/**
 * The hook path a node listens on: undefined when its type takes no webhooks, or when its config
 * names no path yet (the editor asks about configs still being typed).
 */
export function hookPathOf(def: Pick<NodeDefinition, 'trigger'> | undefined, config: unknown): string | undefined {
  const trigger = def?.trigger;
  if (trigger?.kind !== 'webhook' || typeof config !== 'object' || config === null) return undefined;
  const path: unknown = trigger.hookPath(config);
  return typeof path === 'string' && path !== '' ? path : undefined;
}
