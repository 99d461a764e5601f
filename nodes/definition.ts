import type { z } from 'zod';
import type { ExpressionRef } from '../shared/expr/types.js';
import type { NodeCategory, NodeSpec } from '../shared/flow/node-spec.js';
import type { OutputView } from './output-view.js';
import type { TriggerSpec } from './trigger-spec.js';

/** Words the editor shows with a field: its label (default: from the key) and one line of help. */
interface FieldText {
  label?: string;
  help?: string;
  /** Strings inside are `{{ cel }}` templates (for widgets that do not say so themselves). */
  templates?: boolean;
}

/** How the editor should draw a config field (the schema alone does not say). */
export type FieldHint =
  | ({ widget: 'number' | 'boolean' | 'select' | 'keyValue' | 'argv' | 'list' | 'json' | 'secret' } & FieldText)
  /**
   * `multiline`: a text that may hold several lines (pasted key lines), typed in a textarea.
   * `suggest: 'flows'`: the editor offers the saved flows' ids while typing (a flow to call).
   */
  | ({ widget: 'text'; multiline?: boolean; suggest?: 'flows' } & FieldText)
  | ({ widget: 'expression'; language: 'cel' | 'template' | 'url' | 'promql' | 'matchers' } & FieldText);

/** An example delivery for a source node, offered by the editor's Test panel. */
export interface NodeSample {
  name: string;
  description: string;
  /** The JSON body as the sender would post it. */
  payload: unknown;
}

/**
 * A node type, browser-safe: everything about it except how it runs. `node.ts` beside it joins
 * it to its Node-only half (executor, source adapter, trigger). One definition drives
 * validation, the editor, the run view and the runtime.
 *
 * The functions taking a config or an output are declared as methods on purpose: TypeScript
 * checks method parameters bivariantly, so a `NodeDefinition<typeof HttpConfigSchema>` is a
 * `NodeDefinition` (the catalog lists them without casts). They are only ever called with a
 * config parsed by this definition's `configSchema` or an output parsed by its `outputSchema`.
 */
export interface NodeDefinition<S extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> extends NodeSpec {
  type: string;
  category: NodeCategory;
  label: string;
  /**
   * The id a new node of this type gets in the editor (`_2`, `_3`… added when taken): it says
   * what the node does, as steps.<id> reads in expressions (`run_command`, not `shell`).
   */
  defaultId: string;
  description: string;
  /** Icon name (editor maps names to glyphs). */
  icon: string;
  configSchema: S;
  /**
   * The shape of what a step of this type records as its output: the one place it is written.
   * The executor's outputs are typed from it, and the run view reads outputs through it.
   */
  outputSchema: O;
  outputs: readonly string[];
  /**
   * True when re-running an interrupted step cannot repeat a side effect (it has none, or it
   * passes an idempotency key). After a crash, idempotent steps are retried; others become
   * `unknown` and stop the execution for a human.
   */
  idempotent: boolean;
  /**
   * True when running it changes the world, or needs a person: simulation never runs such
   * nodes (it assumes `simulatePort`), and the runner commits an intent before running one.
   */
  sideEffects: boolean;
  /** The port simulation assumes a side-effecting node takes (e.g. `ok`, `approved`). */
  simulatePort?: string;
  expressions(config: z.output<S>): ExpressionRef[];
  /** One line for the canvas, e.g. `POST http://{{…}}/cleanup`. */
  summary(config: z.output<S>): string;
  /**
   * Checks that can poll: the plan a config asks for (`every` + `within`), or undefined when it
   * probes once. While `within` has not passed, a step that ends on `plan.port` (or fails) is
   * probed again after `every` seconds, as a durable wait (runtime/engine/dispatch/repeat.ts).
   */
  poll?(config: z.output<S>): PollPlan | undefined;
  /**
   * Types that run another flow (their executor returns a `call` outcome): the id of the flow a
   * config calls, for the save-time checks of calls across flows (missing flow, loops, depth).
   */
  calledFlow?(config: z.output<S>): string;
  /** Sources only: what starts the flow (a webhook on a hook path, a schedule, a person). */
  trigger?: TriggerSpec<z.output<S>>;
  /**
   * How the run view shows an output, when JSON is in the way (a command's stdout, an HTTP
   * status and body). Absent: the output is shown as JSON.
   */
  present?(output: z.output<O>): OutputView;
  /**
   * The one line that says what a rendered config does: `systemctl restart postgresql`,
   * `POST http://host/cleanup`, `wait 5 min` (approvals show it for what runs next).
   */
  commandLine?(config: z.output<S>): string;
  ui?: Record<string, FieldHint>;
  /** What taking each output port means, for the node reference (nodes/reference.ts). */
  portHelp?: Readonly<Record<string, string>>;
  /**
   * What the reference says beyond the schema (semantics, limits, examples): markdown paragraphs
   * shown in the editor's Help tab and in docs/nodes.md.
   */
  notes?: readonly string[];
  /** Sources only: example payloads, each normalizing to at least one alert. */
  samples?: readonly NodeSample[];
  /** A config the samples (and the contract tests) are written for; required with `samples`. */
  sampleConfig?: z.input<S>;
}

/** How a check polls: probe every `everySeconds` until it leaves `port` or `withinSeconds` pass. */
export interface PollPlan {
  everySeconds: number;
  withinSeconds: number;
  /** The port that means "not yet" (`fail`). */
  port: string;
}

/** Declares a node type with `config` typed from its schema and outputs from its output schema. */
export function defineNode<S extends z.ZodType, O extends z.ZodType>(def: NodeDefinition<S, O>): NodeDefinition<S, O> {
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
