import { childrenOf, comprehensionOf, isNode, sourceOf, type CelNode, type ComprehensionArgs } from './ast.js';
import { Bound } from './bound.js';
import { EVAL_LIMITS } from './budget.js';
import { charsOf, concat, dyn, DATA_ASSUMPTIONS, either, lengthOf, mapBounds, NOTHING, producedOf, rootShapes, SCALAR, str, type Shape } from './shape.js';
import type { ExprIssue } from './types.js';

/**
 * The save-time cost estimate: a walk over a checked expression that bounds, for the worst
 * data of the sizes ingest enforces (or shape.ts assumes), how many loop steps it runs and how
 * many bytes of strings and lists it builds — the two things the runtime budget (budget.ts)
 * counts. An expression whose bound is over the budget would fail on such data every time,
 * so it is refused when the flow is saved, with the loops or the value to blame.
 */

/** One comprehension on the heaviest path, for the message. */
interface Loop {
  node: CelNode;
  /** Elements it may visit each time it runs. */
  n: number;
}

interface Estimate {
  shape: Shape;
  steps: Bound;
  produced: Bound;
  /** The most expensive chain of nested loops inside. */
  loops: Loop[];
  /** The largest single value built inside. */
  biggest?: { node: CelNode; bytes: number };
}

type Env = ReadonlyMap<string, Shape>;

const NUMERIC = new Set(['int', 'uint', 'double', 'bool', 'null', 'type']);

/** Whether the checker proved the node's value is a number, bool, timestamp… (nothing that grows). */
function isScalarType(node: CelNode): boolean {
  const t = node.checkedType;
  if (!t) return false;
  if (t.kind === 'message') return t.type.startsWith('google.protobuf.');
  return t.kind === 'primitive' && NUMERIC.has(t.type);
}

class Estimator {
  private loopIds = 0;

  run(node: CelNode, env: Env): Estimate {
    const comprehension = comprehensionOf(node);
    if (comprehension) return this.comprehension(node, comprehension, env);
    if (node.meta.alternate) return this.run(node.meta.alternate, env);
    const macro = node.meta.macro;
    if (macro?.val && macro.exp && macro.var) {
      // cel.bind(v, val, exp)
      const val = this.run(macro.val, env);
      const exp = this.run(macro.exp, new Map(env).set(macro.var, val.shape));
      return { ...this.combine([val, exp], exp.shape), loops: this.heavier(val, exp).loops };
    }
    if (macro) return this.combine(childrenOf(node).map((c) => this.run(c, env)), SCALAR);
    return this.operation(node, env);
  }

  private operation(node: CelNode, env: Env): Estimate {
    const parts = childrenOf(node).map((c) => this.run(c, env));
    const shapes = parts.map((p) => p.shape);
    switch (node.op) {
      case 'value':
        if (typeof node.args === 'string') return this.combine([], str(Bound.of(node.args.length)));
        if (node.args instanceof Uint8Array) return this.combine([], str(Bound.of(node.args.length)));
        return this.combine([], SCALAR);
      case 'id':
        return this.combine([], env.get(node.args as string) ?? dyn(DATA_ASSUMPTIONS.body));
      case '.':
      case '.?':
        return this.combine(parts, member(shapes[0]!, node.args as unknown[]));
      case '[]':
      case '[?]':
        return this.combine(parts, member(shapes[0]!, [undefined, (node.args as CelNode[])[1]?.args]));
      case '?:': {
        const [cond, a, b] = parts as [Estimate, Estimate, Estimate];
        const branch: Estimate = { shape: either(a.shape, b.shape), steps: a.steps.or(b.steps), produced: a.produced.or(b.produced), loops: this.heavier(a, b).loops };
        return this.combine([cond, branch], branch.shape);
      }
      case '+':
        return this.built(node, parts, isScalarType(node) || shapes.some((s) => s.t === 'scalar') ? SCALAR : concat(shapes[0]!, shapes[1]!));
      case 'list':
        return this.built(node, parts, {
          t: 'list',
          len: Bound.of(parts.length),
          elem: shapes.reduce(either, NOTHING),
          total: shapes.reduce((sum, s) => sum.plus(charsOf(s)), Bound.ZERO),
        });
      case 'map': {
        const keys = shapes.filter((_, i) => i % 2 === 0);
        const values = shapes.filter((_, i) => i % 2 === 1);
        return this.built(node, parts, { t: 'map', len: Bound.of(keys.length), key: keys.reduce(either, NOTHING), value: values.reduce(either, NOTHING) });
      }
      case 'call':
      case 'rcall':
        return this.built(node, parts, callShape(node, shapes));
      case 'accuPush':
        return this.combine(parts, shapes[0] ?? SCALAR);
      case 'accuValue':
        return this.combine(parts, NOTHING);
      default:
        return this.combine(parts, SCALAR);
    }
  }

  /** A value the expression builds: the runtime budget charges it. */
  private built(node: CelNode, parts: Estimate[], shape: Shape): Estimate {
    const own = producedOf(shape);
    const out = this.combine(parts, shape);
    out.produced = out.produced.plus(own);
    if (own.max > (out.biggest?.bytes ?? 0)) out.biggest = { node, bytes: own.max };
    return out;
  }

  private comprehension(call: CelNode, node: CelNode, env: Env): Estimate {
    const c = node.args as ComprehensionArgs;
    const iterable = this.run(c.iterable, env);
    const loop = `L${++this.loopIds}`;
    const { n, item } = iteration(iterable.shape, loop);
    const body = this.run(c.step, new Map(env).set(c.iterVarName, item));
    const collapse = (b: Bound) => b.sumOver(loop, Bound.ONE);
    const steps = iterable.steps.plus(body.steps.plus(Bound.ONE).sumOver(loop, n));
    let produced = iterable.produced.plus(body.produced.sumOver(loop, n));
    let shape: Shape = SCALAR;
    if (c.kind !== 'quantifier') {
      // map() and filter() build a list of what the step pushed.
      shape = { t: 'list', len: n, elem: mapBounds(body.shape, collapse), total: charsOf(body.shape).sumOver(loop, n) };
      produced = produced.plus(producedOf(shape));
    }
    const loops = [{ node: call, n: n.max }, ...body.loops];
    const biggest = [iterable.biggest, body.biggest].reduce((a, b) => ((b?.bytes ?? 0) > (a?.bytes ?? 0) ? b : a), undefined);
    return { shape, steps, produced, loops, ...(biggest ? { biggest } : {}) };
  }

  private combine(parts: Estimate[], shape: Shape): Estimate {
    let steps = Bound.ZERO;
    let produced = Bound.ZERO;
    let heaviest: Estimate | undefined;
    let biggest: Estimate['biggest'];
    for (const p of parts) {
      steps = steps.plus(p.steps);
      produced = produced.plus(p.produced);
      if (!heaviest || p.steps.max > heaviest.steps.max) heaviest = p;
      if (p.biggest && p.biggest.bytes > (biggest?.bytes ?? 0)) biggest = p.biggest;
    }
    return { shape, steps, produced, loops: heaviest?.loops ?? [], ...(biggest ? { biggest } : {}) };
  }

  private heavier(a: Estimate, b: Estimate): Estimate {
    return b.steps.max > a.steps.max ? b : a;
  }
}

/** `x.field` or `x[key]` of a shape. */
function member(of: Shape, args: unknown[]): Shape {
  const field = args[1];
  switch (of.t) {
    case 'object':
      return (typeof field === 'string' ? of.fields[field] : undefined) ?? dyn(DATA_ASSUMPTIONS.body);
    case 'map':
      return of.value;
    case 'list':
      return of.elem;
    case 'dyn':
      return of; // a part of the data is no larger than the data
    default:
      return dyn(DATA_ASSUMPTIONS.body);
  }
}

/** How many times a loop over `of` runs, and what its variable holds. */
function iteration(of: Shape, loop: string): { n: Bound; item: Shape } {
  switch (of.t) {
    case 'list':
      return { n: of.len, item: of.elem };
    case 'map':
      return { n: of.len, item: of.key };
    case 'dyn':
      // The elements are disjoint parts of the data: over all iterations they add up to it.
      return { n: of.len, item: { t: 'dyn', len: of.len.sharedOver(loop), chars: of.chars.sharedOver(loop) } };
    default:
      return { n: lengthOf(of), item: dyn(DATA_ASSUMPTIONS.small) };
  }
}

/** What a function returns, for the functions that return strings, lists or data. */
function callShape(node: CelNode, shapes: Shape[]): Shape {
  if (isScalarType(node)) return SCALAR;
  const name = (node.args as unknown[])[0] as string;
  const [receiver = SCALAR, arg = SCALAR] = shapes;
  const chars = (s: Shape) => (s.t === 'scalar' ? Bound.of(32) : charsOf(s)); // a number or bool as text
  switch (name) {
    case 'string':
    case 'lowerAscii':
    case 'upperAscii':
    case 'trim':
    case 'substring':
      return str(chars(receiver));
    case 'dyn':
      return receiver;
    case 'split': {
      const parts = receiver.t === 'dyn' ? receiver.len : chars(receiver).plus(Bound.ONE);
      return { t: 'list', len: parts, elem: str(chars(receiver)), total: chars(receiver) };
    }
    case 'join':
      return str(charsOf(receiver).plus(lengthOf(receiver).mul(chars(arg))));
    case 'bytes':
      return str(chars(receiver).times(3)); // UTF-8
    case 'hex':
    case 'base64':
      return str(chars(receiver).times(2).plus(Bound.of(4)));
    case 'json': {
      const size = chars(receiver);
      return { t: 'dyn', len: size, chars: size };
    }
    default: {
      // Not a function Salve knows to build values: as large as all its inputs together.
      const size = shapes.reduce((sum, s) => sum.plus(chars(s)).plus(lengthOf(s)), Bound.of(64));
      return { t: 'dyn', len: size, chars: size };
    }
  }
}

const withCommas = (n: number) => (n >= 1e15 ? n.toExponential(1) : Math.round(n).toLocaleString('en-US'));
const megabytes = (n: number) => (n >= 1e15 ? `${n.toExponential(1)} bytes` : `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`);

/** `event.alerts.all(a, …)`, `items.join(…)`: a call as its author wrote it, short. */
function callLabel(call: CelNode): string {
  if (call.op !== 'rcall') return sourceOf(call, 40);
  const [name, receiver, args] = call.args as [string, CelNode, CelNode[]];
  const variable = args[0]?.op === 'id' && comprehensionOf(call) ? `${String(args[0].args)}, ` : '';
  return `${sourceOf(receiver, 30)}.${name}(${variable}…)`;
}

function describeLoops(loops: Loop[]): string {
  const shown = loops.slice(0, 4).map((l) => `${callLabel(l.node)} over up to ${withCommas(l.n)} elements`);
  return shown.join(', inside it ') + (loops.length > 4 ? ', …' : '');
}

/** Worst-case loop steps and bytes built by a checked expression. */
export function estimateCost(ast: CelNode): { steps: number; producedBytes: number } {
  const e = new Estimator().run(ast, new Map(Object.entries(rootShapes())));
  return { steps: e.steps.max, producedBytes: e.produced.max };
}

/** Why a checked expression is too expensive to run (`[]` when it is within the budget). */
export function costIssues(ast: CelNode): ExprIssue[] {
  if (!isNode(ast)) return [];
  const e = new Estimator().run(ast, new Map(Object.entries(rootShapes())));
  const issues: ExprIssue[] = [];
  const steps = e.steps.max;
  if (steps > EVAL_LIMITS.steps) {
    const kind = e.loops.length > 1 ? 'nested loops' : 'this loop';
    issues.push({
      message: `${kind} could run about ${withCommas(steps)} steps (limit ${withCommas(EVAL_LIMITS.steps)}): ${describeLoops(e.loops)}`,
      offset: e.loops[0]?.node.start,
    });
  }
  const produced = e.produced.max;
  const oneValueTooBig = (e.biggest?.bytes ?? 0) > EVAL_LIMITS.producedBytes;
  // Loops over their step limit usually build too much as well: say it once, unless one value alone is too big.
  if (produced > EVAL_LIMITS.producedBytes && (issues.length === 0 || oneValueTooBig)) {
    const limit = megabytes(EVAL_LIMITS.producedBytes);
    const where =
      e.biggest && oneValueTooBig
        ? `${callLabel(e.biggest.node)} alone could be ${megabytes(e.biggest.bytes)}`
        : e.loops.length > 0
          ? `built in ${describeLoops(e.loops)}`
          : `strings and lists built from data of up to ${megabytes(DATA_ASSUMPTIONS.stepOutput.chars)}`;
    issues.push({
      message: `could build about ${megabytes(produced)} of strings and lists (limit ${limit}): ${where}`,
      offset: (e.biggest && oneValueTooBig ? e.biggest.node : e.loops[0]?.node)?.start,
    });
  }
  return issues;
}
