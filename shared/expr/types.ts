import type { Alert } from '../alert/schema.js';
import type { CelDecl } from './declared-types.js';

/**
 * The variables every CEL expression and `{{ }}` template can read. Declared once here so the
 * save-time type checker and the runtime agree.
 */
export interface ExprVars {
  /** The normalized alert that started the execution. */
  alert: Alert;
  /** The raw JSON body of the delivery (for fields the normalized alert does not carry). */
  event: unknown;
  /** Outputs of steps that already ran, by node id. */
  steps: Record<string, unknown>;
  flow: { id: string; name: string; revision: number };
  execution: { id: string; startedAt: string };
  /** Values earlier steps set (`transform.set`), by name; a later step replaces a name an earlier one set. */
  vars?: Record<string, unknown>;
  /** Inside a loop's body only: the element this step runs for. */
  item?: unknown;
  /** Inside a loop's body only: the element's position in the list, from 0. */
  index?: number;
  /** What the `flow.call` step that started this run passed (an empty object when no call started it). */
  input?: Record<string, unknown>;
  /**
   * Signed, single-use links to the run's approval steps, for notifications: `link` when the
   * flow has one approval node, `links.<node id>` for each (empty when Salve cannot sign links).
   */
  approval?: { link?: string; links: Record<string, string> };
}

/** Where an expression sits inside a node's config, and how it is written. */
export interface ExpressionRef {
  /** Path inside the node's `config`, e.g. `['headers', 'X-Host']`. */
  path: (string | number)[];
  /**
   * `cel`: the whole string is one CEL expression. `template`: text with `{{ cel }}` parts.
   * `url`: a template for an http(s) URL, rendered per URL component (see url-template.ts).
   * `promql`: a PromQL query whose `{{ }}` parts sit in double-quoted strings, their values escaped
   * for them (see promql-template.ts).
   */
  kind: 'cel' | 'template' | 'url' | 'promql';
  source: string;
  /** `bool`: a condition, which must give true or false (a `cel` expression only). */
  returns?: 'bool';
  /**
   * Variables only this expression has, with their CEL types (a `cel` expression only): e.g. a
   * check's `expect` reads the `response` it got. The checker declares them; the executor passes
   * their values to evaluateCel (`locals`).
   */
  locals?: Readonly<Record<string, CelDecl>>;
}

/**
 * What the expressions of one node of a flow can read besides `alert`, `event`, `flow` and
 * `execution`: the steps that can run before it (its ancestors in the flow's graph), each with the
 * CEL type of its output, and every node id of the flow (a step named there but not among those
 * runs later, or on another path).
 */
export interface ExprScope {
  steps: ReadonlyMap<string, CelDecl>;
  nodeIds: ReadonlySet<string>;
  /** The node the expressions belong to. */
  self: string;
  /** The names steps before it set as `vars.<name>`; undefined: any name (nothing says). */
  vars?: ReadonlySet<string>;
  /** Inside a loop's body: the loop node's id (`item` and `index` exist there only). */
  loop?: string;
}

/** A problem in one expression; `offset` is a character offset into its source when known. */
export interface ExprIssue {
  message: string;
  offset?: number;
}
