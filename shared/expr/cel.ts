import { Environment } from '@marcbachmann/cel-js';
import { comprehensionOf, forEachNode, isNode, type CelNode, type ComprehensionArgs, type EvaluateFn } from './ast.js';
import { BudgetExceeded, EvalBudget } from './budget.js';
import { costIssues, estimateCost } from './cost.js';
import { ExpressionError } from './errors.js';
import { checkRegex } from './regex-guard.js';
import type { ExprIssue, ExprScope, ExprVars } from './types.js';
import { ALERT_CEL_TYPE, type CelDecl } from './declared-types.js';
import { celContext, readsOf, type Reads } from './context.js';
import { toPlain } from './values.js';
import { contextDecls, contextIssues, contextMessage, type ContextDecls } from './context-vars.js';
import { truncate } from '../text.js';

export { toPlain } from './values.js';

/**
 * The CEL environments Salve checks and evaluates in; this is the only module that imports
 * cel-js. `alert` has a declared shape (from its zod schema, declared-types.ts) so typos and type
 * errors are caught when a flow is saved; `event`, `flow` and `execution` are data (dyn, map).
 */
const common = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false })
  .registerVariable({ name: 'alert', schema: ALERT_CEL_TYPE as Record<string, CelDecl> })
  .registerVariable('event', 'dyn')
  .registerVariable('flow', 'map')
  .registerVariable('execution', 'map')
  .registerVariable('input', 'map')
  .registerVariable('approval', 'map');

/**
 * Where expressions run, and are checked when nothing says where they sit in a flow: `steps` is
 * whatever ran (a map). The check that counts is made with a scope (checkCel), when a flow is saved.
 */
const env = common.clone().registerVariable('steps', 'map');

/**
 * Variables that exist by where an expression sits (context-vars.ts): `vars` (typed by the names
 * steps before it set), and `item`/`index` in a loop's body. Where nothing says, all of them, untyped.
 */
const ANY_CONTEXT: ContextDecls = { vars: 'map<string, dyn>', item: 'dyn', index: 'int' };

/** Variables an expression may declare for itself (ExpressionRef.locals), by name, with their CEL types. */
type CelLocals = Readonly<Record<string, CelDecl>>;

/** The variables every expression has: a local may not take one of these names. */
const BUILT_IN = new Set(['alert', 'event', 'steps', 'flow', 'execution', 'vars', 'item', 'index', 'input', 'approval']);

/** Environments by what they declare beyond `common`: `steps` (typed, or any map) and the locals. */
const scoped = new Map<string, Environment>();

/**
 * The environment where `steps` is `steps` (a few steps of a scope, typed; or any map when
 * undefined) and `locals` are declared too. Only the steps an expression names are declared (it
 * cannot read the others): a flow of a few hundred nodes would otherwise make an environment of
 * hundreds of message types for every node it checks.
 */
function environmentWith(steps: Record<string, CelDecl> | undefined, locals: CelLocals = {}, context: ContextDecls = ANY_CONTEXT): Environment {
  // The context is declared like locals (its names are never a local's: localsIssue).
  const all: CelLocals = { ...context, ...locals };
  const names = Object.keys(all).sort();
  const key = JSON.stringify([steps ?? null, names.map((n) => [n, all[n]])]);
  let found = scoped.get(key);
  if (!found) {
    found = steps === undefined ? env.clone() : common.clone().registerVariable({ name: 'steps', schema: steps });
    for (const name of names) {
      const decl = all[name]!;
      found = typeof decl === 'string' ? found.registerVariable(name, decl) : found.registerVariable({ name, schema: decl as Record<string, CelDecl> });
    }
    if (scoped.size >= 200) scoped.delete(scoped.keys().next().value!);
    scoped.set(key, found);
  }
  return found;
}

/** The steps `ids` of a scope, typed by their outputs. */
function stepsOf(scope: ExprScope, ids: Iterable<string>): Record<string, CelDecl> {
  const schema: Record<string, CelDecl> = {};
  for (const id of [...ids].sort()) {
    const type = scope.steps.get(id);
    if (type !== undefined) schema[id] = type;
  }
  return schema;
}

/** Why `locals` cannot be declared (a bad name, or one every expression already has), or undefined. */
function localsIssue(locals: CelLocals): string | undefined {
  for (const name of Object.keys(locals)) {
    if (BUILT_IN.has(name)) return `the local variable "${name}" would hide the variable every expression has`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `"${name}" cannot be a variable name`;
  }
  return undefined;
}

const MAX_SOURCE_LENGTH = 4096;

type Program = ReturnType<typeof env.parse>;

/** cel-js leaves these keys out of a map literal (its guard against prototype tricks), silently. */
const DROPPED_MAP_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Rules the type checker does not know: literal regex patterns that pass the guard, map keys cel-js keeps. */
function ruleIssues(node: CelNode, issues: ExprIssue[]): void {
  if ((node.op === 'rcall' || node.op === 'call') && (node.args as unknown[])[0] === 'matches') {
    const args = node.args as unknown[];
    const callArgs = (node.op === 'rcall' ? args[2] : args[1]) as CelNode[] | undefined;
    const pattern = callArgs?.[callArgs.length - 1];
    if (pattern?.op !== 'value' || typeof pattern.args !== 'string') {
      issues.push({ message: 'matches() needs a string literal pattern (patterns built from data are not allowed)', offset: node.start ?? node.pos });
    } else {
      for (const i of checkRegex(pattern.args)) issues.push({ ...i, offset: pattern.start ?? pattern.pos });
    }
  }
  if (node.op === 'map') {
    for (const [key] of node.args as [CelNode, CelNode][]) {
      if (key.op === 'value' && typeof key.args === 'string' && DROPPED_MAP_KEYS.has(key.args)) {
        issues.push({ message: `a map written in CEL cannot have the key "${key.args}"; read such keys from data instead`, offset: key.start });
      }
    }
  }
}

/** The estimate's issues; should it meet an AST it does not expect, none: the runtime budget still holds. */
function safeCostIssues(ast: CelNode): ExprIssue[] {
  try {
    return costIssues(ast);
  } catch {
    return [];
  }
}

function positionOf(error: unknown): number | undefined {
  const e = error as { node?: { start?: number; pos?: number }; pos?: number };
  return e.node?.start ?? e.node?.pos ?? e.pos;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

/** How an expression is checked: where it sits (its scope) and what it must give. */
export interface CheckOptions {
  /** The steps it can read; without one, `steps` is any map (no flow to tell). */
  scope?: ExprScope;
  /** `bool` for a condition: anything else (but dyn, known only when it runs) is refused. */
  returns?: 'bool';
  /** Variables of this expression only (e.g. `response` in a check's `expect`), with their types. */
  locals?: CelLocals;
}

/**
 * The steps an expression names (`steps.x`, `steps["x"]`), with where each is named, and whether
 * it also uses `steps` otherwise (whole, or indexed by a computed key): then any step may be read.
 */
function stepReferences(root: CelNode): { refs: { id: string; offset?: number }[]; whole: boolean } {
  const refs: { id: string; offset?: number }[] = [];
  const named = new Set<CelNode>();
  let uses = 0;
  forEachNode(root, (node) => {
    if (node.op === 'id' && node.args === 'steps') uses++;
    if (node.op !== '.' && node.op !== '.?' && node.op !== '[]' && node.op !== '[?]') return;
    const [object, key] = node.args as [CelNode, unknown];
    if (!isNode(object) || object.op !== 'id' || object.args !== 'steps') return;
    const id = isNode(key) ? (key.op === 'value' && typeof key.args === 'string' ? key.args : undefined) : typeof key === 'string' ? key : undefined;
    if (id === undefined) return;
    refs.push({ id, offset: object.start ?? object.pos });
    named.add(object);
  });
  refs.sort((x, y) => (x.offset ?? 0) - (y.offset ?? 0));
  return { refs, whole: uses > named.size };
}

/** The ids of the steps an expression reads; none when it does not parse. */
export function stepsReadBy(source: string): string[] {
  try {
    return [...new Set(stepReferences(env.parse(source).ast as unknown as CelNode).refs.map((r) => r.id))];
  } catch {
    return [];
  }
}

/** Which of `vars`, `item` and `index` (what exists by where an expression sits) it reads; none when it does not parse. */
export function contextReadBy(source: string): string[] {
  try {
    const reads = readsOf(environmentWith(undefined).parse(source).ast as unknown as CelNode);
    return Object.keys(ANY_CONTEXT).filter((name) => reads.vars.has(name));
  } catch {
    return [];
  }
}

/** `steps.a, steps.b and steps.c`, or what to say when there is none. */
function readableSteps(scope: ExprScope): string {
  const ids = [...scope.steps.keys()].map((id) => `steps.${id}`);
  if (ids.length === 0) return 'no step runs before it';
  const shown = ids.length > 6 ? [...ids.slice(0, 5), `${ids.length - 5} more`] : ids;
  return `it can read ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`}`;
}

/** Why each step an expression names cannot be read where it sits: no such step, or one that does not run before. */
function stepIssues(refs: { id: string; offset?: number }[], scope: ExprScope): ExprIssue[] {
  const issues: ExprIssue[] = [];
  const seen = new Set<string>();
  for (const { id, offset } of refs) {
    if (scope.steps.has(id) || seen.has(id)) continue;
    seen.add(id);
    let message: string;
    if (id === scope.self) message = `a step cannot read its own output: steps.${id} is this node`;
    else if (!scope.nodeIds.has(id)) message = `no step named "${id}" in this flow (${readableSteps(scope)})`;
    else message = `step "${id}" does not run before this node, so its output cannot be read here (${readableSteps(scope)})`;
    issues.push({ message, ...(offset === undefined ? {} : { offset }) });
  }
  return issues;
}

/** A CEL type in words: `a string`, `a number`, `a list`… */
function typeInWords(type: string): string {
  if (type === 'string') return 'a string';
  if (type === 'int' || type === 'uint' || type === 'double') return 'a number';
  if (type === 'null') return 'null';
  if (type === 'bytes') return 'bytes';
  if (type.startsWith('list')) return 'a list';
  if (type === 'google.protobuf.Timestamp') return 'a timestamp';
  if (type === 'google.protobuf.Duration') return 'a duration';
  return 'a map';
}

/** The refusal of a condition that gives something else than true or false, with how to make it one. */
function notBoolIssue(type: string, source: string): ExprIssue {
  const shown = truncate(source.trim(), 40);
  const example = type === 'string' ? `${shown} == "critical"` : type === 'int' || type === 'uint' || type === 'double' ? `${shown} > 0` : `size(${shown}) > 0`;
  return { message: `this condition gives ${typeInWords(type)}, not true/false: compare it, e.g. ${example}` };
}

/**
 * Parses, type-checks and applies Salve's rules, and with `estimate` the cost estimate: the
 * program and its issues. The estimate runs when a flow is saved; when it runs, the budget alone
 * decides (an expression saved before a limit changed still runs, on data small enough).
 */
function analyze(source: string, estimate: boolean, options: CheckOptions = {}): { program?: Program; issues: ExprIssue[] } {
  if (source.trim() === '') return { issues: [{ message: 'expression is empty' }] };
  if (source.length > MAX_SOURCE_LENGTH) return { issues: [{ message: `expression is longer than ${MAX_SOURCE_LENGTH} characters` }] };
  const locals = options.locals ?? {};
  const badLocals = localsIssue(locals);
  if (badLocals) return { issues: [{ message: badLocals }] };
  const context = options.scope ? contextDecls(options.scope) : ANY_CONTEXT;
  let program: Program;
  try {
    program = environmentWith(undefined, locals, options.scope ? ANY_CONTEXT : context).parse(source);
  } catch (error) {
    return { issues: [{ message: firstLine(error), offset: positionOf(error) }] };
  }
  if (options.scope) {
    const { refs, whole } = stepReferences(program.ast as unknown as CelNode);
    // Said in Salve's words before the checker's "No such key: nosuch".
    const unreadable = [...stepIssues(refs, options.scope), ...contextIssues(program.ast as unknown as CelNode, options.scope, locals)];
    if (unreadable.length > 0) return { issues: unreadable };
    // `steps` used whole (`size(steps)`, a computed key) is the map of outputs a run has: its steps untyped.
    program = environmentWith(whole ? undefined : stepsOf(options.scope, refs.map((r) => r.id)), locals, context).parse(source);
  }
  const checked = program.check();
  if (!checked.valid) return { issues: [{ message: contextMessage(firstLine(checked.error), options.scope), offset: positionOf(checked.error) }] };
  if (options.returns === 'bool' && checked.type !== 'bool' && checked.type !== 'dyn') {
    return { issues: [notBoolIssue(checked.type ?? 'dyn', source)] };
  }
  const ast = program.ast as unknown as CelNode;
  const issues: ExprIssue[] = [];
  forEachNode(ast, (node) => ruleIssues(node, issues));
  if (estimate && issues.length === 0) issues.push(...safeCostIssues(ast));
  return { program, issues };
}

/**
 * Parses and type-checks a CEL expression where it sits (`scope`), requires a condition to give
 * true or false, and refuses one that could exceed the evaluation budget; `[]` when it is fine.
 * The one check of an expression: the flow validator, the editor's fields and the save path use it.
 */
export function checkCel(source: string, options: CheckOptions = {}): ExprIssue[] {
  return analyze(source, true, options).issues;
}

/** The worst-case cost of an expression that checks (cost.ts), else undefined. */
export function estimateCel(source: string, scope?: ExprScope): { steps: number; producedBytes: number } | undefined {
  const { program, issues } = analyze(source, false, { scope });
  return program && issues.length === 0 ? estimateCost(program.ast as unknown as CelNode) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The runtime budget hook. cel-js counts nothing while it evaluates, so Salve wraps the
// `evaluate` function of the few kinds of node where work or memory can grow with the data:
// each comprehension's step (one call per element), calls, `+`, list and map literals, and
// comparisons of collections. The wrappers charge `active`, the budget of the evaluation
// running now (evaluation is synchronous, so one module-level slot is enough). They rely on
// cel-js 8's ASTNode: `evaluate` is an own-assignable method and `meta` says what it resolves
// to. cel.test.ts ("the runtime budget") fails if an upgrade breaks this.
// ---------------------------------------------------------------------------------------------

let active = new EvalBudget();

/** What `node.evaluate` does once cel-js has resolved it (ASTNode.evaluate in lib/parser.js). */
function resolvedEvaluate(node: CelNode): EvaluateFn {
  if (Object.hasOwn(node, 'evaluate')) return node.evaluate; // already resolved or wrapped
  const { alternate, macro, evaluate } = node.meta;
  if (alternate) return (ev, _ast, ctx) => alternate.evaluate(ev, alternate, ctx);
  if (macro) return (ev, _ast, ctx) => macro.evaluate(ev, macro, ctx);
  return evaluate!;
}

function wrap(node: CelNode, before: (() => void) | undefined, after: ((value: unknown) => void) | undefined): void {
  const inner = resolvedEvaluate(node);
  node.evaluate = function (ev, ast, ctx) {
    before?.();
    const value = inner.call(this, ev, ast, ctx);
    after?.(value);
    return value;
  };
}

const isScalar = (node: CelNode | undefined) => {
  const t = node?.checkedType;
  return !!t && ((t.kind === 'primitive' && t.type !== 'string' && t.type !== 'bytes') || (t.kind === 'message' && t.type.startsWith('google.protobuf.')));
};
const isCollectionOrData = (node: CelNode | undefined) => ['list', 'map', 'dyn'].includes(node?.checkedType?.kind ?? 'dyn');

const step = () => active.step();
const tick = () => active.tick();
const charge = (value: unknown) => active.charge(value);

/** Installs the budget hooks on a checked program's nodes. */
function instrument(root: CelNode): void {
  forEachNode(root, (node) => {
    if (node.op === 'comprehension') {
      const c = node.args as ComprehensionArgs;
      if (c.condition) {
        // all() and exists() catch a step's error and go on to the next element (CEL lets a later
        // element decide). Once the budget is spent, the step instead gives the value that ends
        // the loop (false for all, true for exists); evaluateCel then reports the budget.
        const stop = !c.condition(true);
        const inner = resolvedEvaluate(c.step);
        c.step.evaluate = function (ev, ast, ctx) {
          if (active.exceeded) return stop;
          active.step();
          return inner.call(this, ev, ast, ctx);
        };
      } else {
        wrap(c.step, step, undefined);
      }
      if (c.kind !== 'quantifier') wrap(node, undefined, charge); // map() and filter() build a list
      return;
    }
    if (comprehensionOf(node) || node.meta.macro) return;
    switch (node.op) {
      case 'call':
      case 'rcall':
        wrap(node, tick, isScalar(node) ? undefined : charge);
        break;
      case '+':
        if (!isScalar(node)) wrap(node, undefined, charge);
        break;
      case 'list':
      case 'map':
        wrap(node, undefined, charge);
        break;
      case '==':
      case '!=':
      case 'in':
        if ((node.args as CelNode[]).some(isCollectionOrData)) wrap(node, tick, undefined);
        break;
    }
  });
}

/** A program ready to run: instrumented, and knowing which variables it reads. */
interface Compiled {
  program: Program;
  reads: Reads;
}

const compiled = new Map<string, Compiled>();

/**
 * The program for `source` where `localNames` are declared too. At run time the locals are data
 * (dyn), as `steps` is any map: the save-time check typed them. The cache keys on their names, since
 * the same source means something else (or nothing) without them.
 */
function compile(source: string, localNames: readonly string[]): Compiled {
  const key = localNames.length === 0 ? source : `${[...localNames].sort().join(',')}\u0000${source}`;
  let entry = compiled.get(key);
  if (!entry) {
    const locals = Object.fromEntries(localNames.map((name) => [name, 'dyn']));
    const analysis = analyze(source, false, { locals });
    if (analysis.issues.length || !analysis.program) {
      throw new ExpressionError(`invalid expression ${JSON.stringify(source)}: ${analysis.issues[0]!.message}`, analysis.issues);
    }
    const ast = analysis.program.ast as unknown as CelNode;
    if (isNode(ast)) instrument(ast);
    entry = { program: analysis.program, reads: readsOf(ast) };
    if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, entry);
  }
  return entry;
}

/** How an evaluation runs: its budget, and the values of the expression's own variables. */
export interface EvaluateOptions {
  /** Shared by several evaluations (all the mappings of one webhook delivery); default: a fresh one. */
  budget?: EvalBudget;
  /** Values of the variables the expression declared for itself (ExpressionRef.locals): JSON data. */
  locals?: Readonly<Record<string, unknown>>;
}

/**
 * Evaluates a CEL expression against the variables; throws ExpressionError with a readable
 * reason, also when the evaluation exceeds its budget (budget.ts).
 */
export function evaluateCel(source: string, vars: Partial<ExprVars>, options: EvaluateOptions = {}): unknown {
  const { program, reads } = compile(source, Object.keys(options.locals ?? {}));
  const budget = options.budget ?? new EvalBudget();
  const previous = active;
  active = budget;
  try {
    const value = program(celContext(vars, reads, options.locals));
    // cel-js absorbs errors where CEL semantics allow (`true || error`, `exists`): an exceeded budget still fails.
    if (budget.exceeded) throw new BudgetExceeded(budget.exceeded);
    return toPlain(value);
  } catch (error) {
    const message = budget.exceeded ?? firstLine(error);
    const offset = budget.exceeded ? undefined : positionOf(error);
    throw new ExpressionError(`${JSON.stringify(source)}: ${message}`, [{ message, ...(offset === undefined ? {} : { offset }) }]);
  } finally {
    budget.pause();
    active = previous;
  }
}

/** Evaluates a condition; anything but a bool is an ExpressionError. */
export function evaluateCelBool(source: string, vars: Partial<ExprVars>, options: EvaluateOptions = {}): boolean {
  const value = evaluateCel(source, vars, options);
  if (typeof value !== 'boolean') {
    throw new ExpressionError(`${JSON.stringify(source)} returned ${JSON.stringify(value)}, not true or false`, [
      { message: 'a condition must return a bool' },
    ]);
  }
  return value;
}

/**
 * Boot self-test: a catastrophic regex (27 characters) through CEL must finish fast (it does when Node runs with
 * --enable-experimental-regexp-engine-on-excessive-backtracks).
 */
export function regexSelfTest(): { ok: boolean; elapsedMs: number } {
  const started = performance.now();
  evaluateCel(`"${'x'.repeat(27)}".matches("^(x+x+)+y$")`, {});
  const elapsedMs = performance.now() - started;
  // With the flag this takes a few ms; without it, 2^27 backtracking steps take seconds. The wide
  // margin keeps a busy machine (a loaded CI runner) from refusing to start a correct process.
  return { ok: elapsedMs < 1000, elapsedMs };
}
