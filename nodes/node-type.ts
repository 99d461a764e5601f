import type { z } from 'zod';
import { defineNode, type NodeDefinition } from './definition.js';

/** A node definition whose `type` is known as a literal (so the catalog can list every type). */
export type TypedNodeDefinition<T extends string, S extends z.ZodType> = NodeDefinition<S> & { type: T };

/**
 * Declares a node type exactly like `defineNode`, but keeps `type` as a literal: that is what
 * lets `executors.ts` be checked with `satisfies Record<NodeType, …>`.
 */
export function defineNodeType<const T extends string, S extends z.ZodType>(
  def: TypedNodeDefinition<T, S>,
): TypedNodeDefinition<T, S> {
  return defineNode(def) as TypedNodeDefinition<T, S>;
}
