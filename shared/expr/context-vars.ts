import { forEachNode, isNode, type CelNode } from './ast.js';
import type { CelDecl } from './declared-types.js';
import type { ExprIssue, ExprScope } from './types.js';

/**
 * The variables an expression has because of where it sits in a flow, beside those every
 * expression has: `vars` (the names steps before it set, see NodeSpec.setsVars) and, in a loop's
 * body, `item` and `index`. Declared for the save-time check from the expression's scope.
 */
export type ContextDecls = Readonly<Record<string, CelDecl>>;

/** What an expression at `scope` may read beyond the built-ins, with CEL types. */
export function contextDecls(scope: ExprScope): ContextDecls {
  const out: Record<string, CelDecl> = {
    // Each name's value is whatever its CEL gave: dyn. A name no step before sets is refused.
    vars: scope.vars ? Object.fromEntries([...scope.vars].sort().map((name) => [name, 'dyn'])) : 'map<string, dyn>',
  };
  if (scope.loop !== undefined) {
    out.item = 'dyn';
    out.index = 'int';
  }
  return out;
}

/** `vars.a, vars.b and vars.c`, or what to say when there is none. */
function readableVars(names: ReadonlySet<string>): string {
  const all = [...names].sort().map((n) => `vars.${n}`);
  if (all.length === 0) return 'no step before it sets variables';
  const shown = all.length > 6 ? [...all.slice(0, 5), `${all.length - 5} more`] : all;
  return `steps before it set ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`}`;
}

/**
 * Why an expression cannot read what it reads where it sits, in Salve's words (before the type
 * checker's "No such key"): a `vars.<name>` no step before it sets, `item` or `index` outside a
 * loop's body. A comprehension's own `item` (`list.all(item, …)`) is left to the checker.
 */
export function contextIssues(root: CelNode, scope: ExprScope, locals: Readonly<Record<string, unknown>>): ExprIssue[] {
  const issues: ExprIssue[] = [];
  const seen = new Set<string>();
  forEachNode(root, (node) => {
    if (node.op !== '.' && node.op !== '.?' && node.op !== '[]' && node.op !== '[?]') return;
    const [object, key] = node.args as [CelNode, unknown];
    if (!isNode(object) || object.op !== 'id') return;
    const name = isNode(key) ? (key.op === 'value' && typeof key.args === 'string' ? key.args : undefined) : typeof key === 'string' ? key : undefined;
    const offset = object.start ?? object.pos;
    const at = offset === undefined ? {} : { offset };
    if (object.args === 'vars' && scope.vars && !('vars' in locals)) {
      if (name === undefined || scope.vars.has(name) || seen.has(`vars.${name}`)) return;
      seen.add(`vars.${name}`);
      issues.push({ message: `no step before this node sets vars.${name} (${readableVars(scope.vars)})`, ...at });
    }
    // The loop's own output exists once every item has ended: not inside its body.
    if (object.args === 'steps' && name !== undefined && name === scope.loop && !seen.has(`steps.${name}`)) {
      seen.add(`steps.${name}`);
      issues.push({ message: `steps.${name} is the loop this node runs in: its output is known only after every item ended; read the item as item and index`, ...at });
    }
  });
  return issues;
}

/** The checker's error in Salve's words when it is about `item` or `index` outside a loop's body. */
export function contextMessage(message: string, scope: ExprScope | undefined): string {
  const unknown = /^Unknown variable: (item|index)\b/.exec(message);
  if (!unknown || !scope || scope.loop !== undefined) return message;
  return `${unknown[1]} exists only in the nodes a loop runs per item (those on a loop's "each" port)`;
}
