import type { z } from 'zod';
import type { ExpressionRef } from '../expr/types.js';

const NODE_CATEGORIES = ['source', 'condition', 'action', 'approval'] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/**
 * What the flow validator needs to know about a node type. `nodes/definition.ts` builds on it;
 * keeping it here lets `shared/` validate flows without importing `nodes/`.
 */
export interface NodeSpec {
  type: string;
  category: NodeCategory;
  /** Output port names. An edge without `sourcePort` uses the only port of a one-port node. */
  outputs: readonly string[];
  /** zod schema of the node's `config`, with defaults. Parsing it yields the full config. */
  configSchema: z.ZodType;
  /** zod schema of what a step of this type records as its output: what `steps.<id>` holds. */
  outputSchema: z.ZodType;
  /** Every expression in a parsed config, for save-time checks and for rendering. */
  expressions(config: unknown): ExpressionRef[];
  /** Whether running a step twice is harmless (see nodes/definition.ts); decides where `retry` needs `retryUnsafe`. */
  idempotent?: boolean;
  /** Whether a step changes the world; only such actions may have a `retry` policy. */
  sideEffects?: boolean;
  /** The names a step of this type sets as `vars.<name>` (read from a config as written), for later expressions. */
  setsVars?(config: unknown): string[];
  /**
   * The port whose nodes run once per item of a list (a loop's body): steps there read `item` and
   * `index`, and nothing there connects back out (shared/flow/loops.ts).
   */
  loopPort?: string;
  /**
   * Types whose step parks as a durable wait of its own (an approval, a delay): what it does when
   * the alert that started the run resolves meanwhile, when the node sets no `onResolved`
   * (shared/flow/on-resolved.ts). Actions that change the world need not say: they may wait
   * between retries, and continue by default.
   */
  onResolvedDefault?: 'cancel' | 'continue';
}

/** A lookup of node specs by type; the registry in `nodes/catalog.ts` satisfies it. */
export type NodeSpecLookup = (type: string) => NodeSpec | undefined;
