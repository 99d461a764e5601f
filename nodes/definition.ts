import type { z } from 'zod';
import type { ExpressionRef } from '../shared/expr/types.js';
import type { NodeCategory, NodeSpec } from '../shared/flow/node-spec.js';

/** Words the editor shows with a field: its label (default: from the key) and one line of help. */
interface FieldText {
  label?: string;
  help?: string;
}

/** How the editor should draw a config field (the schema alone does not say). */
export type FieldHint =
  | ({ widget: 'text' | 'number' | 'boolean' | 'select' | 'keyValue' | 'argv' | 'json' | 'secret' } & FieldText)
  | ({ widget: 'expression'; language: 'cel' | 'template' | 'url' | 'matchers' } & FieldText);

/** An example delivery for a source node, offered by the editor's Test panel. */
export interface NodeSample {
  name: string;
  description: string;
  /** The JSON body as the sender would post it. */
  payload: unknown;
}

/**
 * A node type, browser-safe: everything about it except how it runs. `execute.ts` beside it
 * holds the Node-only executor. One definition drives validation, the editor and the runtime.
 */
export interface NodeDefinition<S extends z.ZodType = z.ZodType> extends NodeSpec {
  type: string;
  /** Bumped when the config shape changes incompatibly. */
  version: number;
  category: NodeCategory;
  label: string;
  description: string;
  /** Icon name (editor maps names to glyphs). */
  icon: string;
  configSchema: S;
  outputs: readonly string[];
  /**
   * True when re-running an interrupted step cannot repeat a side effect (it has none, or it
   * passes an idempotency key). After a crash, idempotent steps are retried; others become
   * `unknown` and stop the execution for a human.
   */
  idempotent: boolean;
  /** True when running it changes the world. Simulation never runs such nodes. */
  sideEffects: boolean;
  /** The port simulation assumes a side-effecting node takes (e.g. `ok`, `approved`). */
  simulatePort?: string;
  expressions(config: z.output<S>): ExpressionRef[];
  /** One line for the canvas, e.g. `POST http://{{…}}/cleanup`. */
  summary(config: z.output<S>): string;
  ui?: Record<string, FieldHint>;
  /** Sources only: example payloads, each normalizing to at least one alert. */
  samples?: readonly NodeSample[];
}

/** Declares a node type with `config` typed from its schema. */
export function defineNode<S extends z.ZodType>(def: NodeDefinition<S>): NodeDefinition<S> {
  return def;
}

/** Lists every string inside `value` as a template expression (for action configs). */
export function templatesIn(value: unknown, path: (string | number)[] = []): ExpressionRef[] {
  if (typeof value === 'string') {
    return value.includes('{{') ? [{ path, kind: 'template', source: value }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => templatesIn(v, [...path, i]));
  if (value && typeof value === 'object') {
    // Secret references are resolved, never templated.
    if ('secret' in value && Object.keys(value).length === 1) return [];
    return Object.entries(value).flatMap(([k, v]) => templatesIn(v, [...path, k]));
  }
  return [];
}
