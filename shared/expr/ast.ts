import { truncate } from '../text.js';

/**
 * The shape of a checked cel-js 8 AST (lib/parser.js `ASTNode`), as far as Salve reads it: the
 * regex guard, the cost estimate and the runtime budget hooks walk it. cel.ts's tests fail if
 * an upgrade changes what is read here.
 *
 * - `op` and `args`: `value` (a literal), `id` (a name), `.`/`.?` ([object, field]), `[]`/`[?]`
 *   ([object, index]), binary operators ([left, right]), `!_`/`-_` (operand), `?:` ([cond, a, b]),
 *   `list` (elements), `map` ([key, value] pairs), `call` ([name, args]), `rcall` ([name,
 *   receiver, args]).
 * - Macros: `all`, `exists`, `exists_one`, `map` and `filter` calls carry `meta.alternate`, a
 *   `comprehension` node whose `args` are `{ iterable, iterVarName, init, step, kind }` (`kind` is
 *   `'quantifier'` for the first three; `all` and `exists` also have `condition`, and evaluate
 *   each step with errors caught); its `step` runs once per element, with `accuPush`,
 *   `accuValue` and `accuInc` nodes for the accumulator. `has()` and `cel.bind()` carry
 *   `meta.macro` (`cel.bind`: `{ var, val, exp }`).
 * - After `check()`, `checkedType` is the node's static type (`kind`: `primitive`, `list`, `map`,
 *   `dyn`, `message`…; `type`: `string`, `int`, …).
 */
export interface CelNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
  pos?: number;
  readonly input: string;
  readonly meta: CelMeta;
  checkedType?: { kind: string; type: string; name: string };
  evaluate: EvaluateFn;
}

export type EvaluateFn = (this: CelNode, ev: unknown, ast: CelNode, ctx: unknown) => unknown;

interface CelMeta {
  alternate?: CelNode;
  macro?: { var?: string; val?: CelNode; exp?: CelNode; args?: CelNode[]; evaluate: (ev: unknown, macro: unknown, ctx: unknown) => unknown };
  evaluate?: EvaluateFn;
}

export interface ComprehensionArgs {
  iterable: CelNode;
  iterVarName: string;
  init: CelNode;
  step: CelNode;
  kind?: string;
  /** all() and exists(): the loop goes on while `condition(accumulator)` is true. */
  condition?: (accu: unknown) => boolean;
}

/** Whether `x` is an AST node (and not a literal value or a name). */
export function isNode(x: unknown): x is CelNode {
  return !!x && typeof x === 'object' && typeof (x as CelNode).op === 'string' && 'meta' in (x as object);
}

/** The comprehension a macro call (`list.all(x, …)`) expands to, if it is one. */
export function comprehensionOf(node: CelNode): CelNode | undefined {
  const alternate = node.meta.alternate;
  return alternate?.op === 'comprehension' ? alternate : undefined;
}

/** The source text of a node, cut to `max` characters, for messages. */
export function sourceOf(node: CelNode, max = 60): string {
  const text = node.start !== undefined && node.end !== undefined ? node.input.slice(node.start, node.end) : node.op;
  return truncate(text, max);
}

/** Every sub-expression that is evaluated as part of `node` (macro expansions included, each once). */
export function childrenOf(node: CelNode): CelNode[] {
  const alternate = node.meta.alternate;
  if (alternate) return [alternate];
  if (node.op === 'comprehension') {
    const c = node.args as ComprehensionArgs;
    return [c.iterable, c.init, c.step];
  }
  const macro = node.meta.macro;
  if (macro) return [macro.val, macro.exp, ...(macro.args ?? [])].filter(isNode);
  const out: CelNode[] = [];
  const collect = (x: unknown) => {
    if (isNode(x)) out.push(x);
    else if (Array.isArray(x)) x.forEach(collect);
  };
  collect(node.args);
  return out;
}

/** Visits every node of a checked AST once (macro expansions share nodes with the call they replace). */
export function forEachNode(root: CelNode, visit: (node: CelNode) => void): void {
  const seen = new Set<CelNode>();
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    visit(node);
    stack.push(...childrenOf(node));
  }
}
