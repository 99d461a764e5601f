import type { z } from 'zod';
import { defineNode, type NodeDefinition } from './definition.js';

/** A node definition whose `type` is known as a literal (so the catalog can list every type). */
export type TypedNodeDefinition<T extends string, S extends z.ZodType, O extends z.ZodType> = NodeDefinition<S, O> & { type: T };

/**
 * Declares a node type exactly like `defineNode`, but keeps `type` as a literal, so each entry
 * of the catalog (catalog.ts) carries the name of its type.
 */
export function defineNodeType<const T extends string, S extends z.ZodType, O extends z.ZodType>(
  def: TypedNodeDefinition<T, S, O>,
): TypedNodeDefinition<T, S, O> {
  return defineNode(def) as TypedNodeDefinition<T, S, O>;
}
