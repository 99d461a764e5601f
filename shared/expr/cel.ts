import { Environment } from '@marcbachmann/cel-js';
import { ExpressionError } from './errors.js';
import { checkRegex } from './regex-guard.js';
import type { ExprIssue, ExprVars } from './types.js';

/**
 * The one CEL environment Salve evaluates in, and the only module that imports cel-js. The
 * alert has a declared shape so typos and type errors are caught when a flow is saved;
 * `event` and `steps` are arbitrary JSON (dyn).
 */
const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false })
  .registerVariable({
    name: 'alert',
    schema: {
      source: 'string',
      status: 'string',
      name: 'string',
      severity: 'string',
      summary: 'string',
      description: 'string',
      labels: 'map<string, string>',
      annotations: 'map<string, string>',
      startsAt: 'string',
      endsAt: 'string',
      fingerprint: 'string',
      dedupKey: 'string',
      links: 'map<string, string>',
      raw: 'dyn',
    },
  })
  .registerVariable('event', 'dyn')
  .registerVariable('steps', 'map')
  .registerVariable('flow', 'map')
  .registerVariable('execution', 'map');

const MAX_SOURCE_LENGTH = 4096;

type Ast = { op: string; args: unknown; start?: number; pos?: number };

/** Walks the AST: every `.matches()` pattern must be a string literal that passes the regex guard. */
function regexIssues(node: unknown, issues: ExprIssue[]): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) regexIssues(child, issues);
    return;
  }
  const ast = node as Ast;
  if ((ast.op === 'rcall' || ast.op === 'call') && Array.isArray(ast.args)) {
    const [name, ...rest] = ast.args as [unknown, ...unknown[]];
    if (name === 'matches') {
      const callArgs = (ast.op === 'rcall' ? rest[1] : rest[0]) as Ast[] | undefined;
      const pattern = callArgs?.[callArgs.length - 1];
      if (!pattern || pattern.op !== 'value' || typeof pattern.args !== 'string') {
        issues.push({ message: 'matches() needs a string literal pattern (patterns built from data are not allowed)', offset: ast.start ?? ast.pos });
      } else {
        for (const i of checkRegex(pattern.args)) issues.push({ ...i, offset: pattern.start ?? pattern.pos });
      }
    }
  }
  if (ast.args && typeof ast.args === 'object') regexIssues(ast.args, issues);
}

function positionOf(error: unknown): number | undefined {
  const e = error as { node?: { start?: number; pos?: number }; pos?: number };
  return e.node?.start ?? e.node?.pos ?? e.pos;
}

/** Parses and type-checks a CEL expression; `[]` when it is fine. */
export function checkCel(source: string): ExprIssue[] {
  if (source.trim() === '') return [{ message: 'expression is empty' }];
  if (source.length > MAX_SOURCE_LENGTH) return [{ message: `expression is longer than ${MAX_SOURCE_LENGTH} characters` }];
  let parsed;
  try {
    parsed = env.parse(source);
  } catch (error) {
    return [{ message: firstLine(error), offset: positionOf(error) }];
  }
  const issues: ExprIssue[] = [];
  const checked = parsed.check();
  if (!checked.valid) issues.push({ message: firstLine(checked.error), offset: positionOf(checked.error) });
  regexIssues(parsed.ast, issues);
  return issues;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

const compiled = new Map<string, ReturnType<typeof env.parse>>();

function compile(source: string) {
  let program = compiled.get(source);
  if (!program) {
    const issues = checkCel(source);
    if (issues.length) throw new ExpressionError(`invalid expression ${JSON.stringify(source)}: ${issues[0]!.message}`, issues);
    program = env.parse(source);
    if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, program);
  }
  return program;
}

/** JSON numbers that are whole become CEL ints (so `steps.x.status + 1` works); the rest stays. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') {
    // fromEntries defines own properties, so a "__proto__" key in alert data stays data.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

/** CEL values back to plain JSON-friendly values (bigint → number, Map → object). */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlain(v)]));
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

const EMPTY_ALERT = {
  source: '',
  status: '',
  name: '',
  severity: '',
  summary: '',
  description: '',
  labels: {},
  annotations: {},
  startsAt: '',
  endsAt: '',
  fingerprint: '',
  dedupKey: '',
  links: {},
  raw: null,
};

/** Evaluates a CEL expression against the variables; throws ExpressionError with a readable reason. */
export function evaluateCel(source: string, vars: Partial<ExprVars>): unknown {
  const program = compile(source);
  // Converted only if the expression reads them: `event` can be a large delivery body.
  const lazy = <T>(make: () => T) => {
    let value: T | undefined;
    let made = false;
    return () => {
      if (!made) {
        value = make();
        made = true;
      }
      return value as T;
    };
  };
  const event = lazy(() => toCel(vars.event ?? null));
  const steps = lazy(() => toCel(vars.steps ?? {}));
  const context = {
    alert: { ...EMPTY_ALERT, ...(vars.alert ?? {}) },
    get event() {
      return event();
    },
    get steps() {
      return steps();
    },
    flow: toCel(vars.flow ?? {}),
    execution: toCel(vars.execution ?? {}),
  };
  try {
    return toPlain(program(context));
  } catch (error) {
    const message = firstLine(error);
    throw new ExpressionError(`${JSON.stringify(source)}: ${message}`, [{ message, offset: positionOf(error) }]);
  }
}

/** Evaluates a condition; anything but a bool is an ExpressionError. */
export function evaluateCelBool(source: string, vars: Partial<ExprVars>): boolean {
  const value = evaluateCel(source, vars);
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
