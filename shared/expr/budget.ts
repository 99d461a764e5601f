/**
 * What one expression evaluation may spend. CEL has no loops or recursion, so its only
 * super-linear work is comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) nested
 * in each other, and its only growth is values built from values (string and list `+`,
 * `join`, `map` results). The save-time estimate (cost.ts) refuses expressions that could
 * exceed these limits on data of the assumed size; this budget is the authority when the data
 * is larger than assumed: evaluation stops with a BudgetExceeded error.
 */
export const EVAL_LIMITS = {
  /** Comprehension iterations (one per element an `all`/`exists`/`map`/… looks at). */
  steps: 100_000,
  /** Approximate bytes of strings, lists and maps built: 2 per character, 8 per list element, 16 per map entry. */
  producedBytes: 8 * 1024 * 1024,
  /** Wall-clock time spent evaluating. */
  timeMs: 50,
} as const;

/** Checks the clock every this many operations (a power of two: the check is a mask). */
const CLOCK_EVERY = 16;

/** Thrown inside the evaluator when a limit is crossed; cel.ts turns it into an ExpressionError. */
export class BudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

const ENTRY_BYTES = 16;
const ELEMENT_BYTES = 8;

/** Approximate bytes a freshly built value holds (its top level: parts were counted when built). */
function producedBytes(value: unknown): number {
  if (typeof value === 'string') return value.length * 2;
  if (Array.isArray(value)) return value.length * ELEMENT_BYTES;
  if (value instanceof Map) return value.size * ENTRY_BYTES;
  if (value instanceof Uint8Array) return value.length;
  if (value && typeof value === 'object' && value.constructor === Object) return Object.keys(value).length * ENTRY_BYTES;
  return 0;
}

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/**
 * Counters for one evaluation, or for several that share a budget (every mapping of one
 * webhook delivery). Once a limit is crossed every further charge throws at once, so the
 * evaluator unwinds in bounded time even where it catches errors (`||`, `exists`).
 */
export class EvalBudget {
  steps = 0;
  produced = 0;
  /** The first limit crossed, as a sentence; set once. */
  exceeded: string | undefined;
  /** Thrown again on every later charge: creating an Error (its stack) costs more than an evaluation step. */
  private error: BudgetExceeded | undefined;
  private ops = 0;
  private spentMs = 0;
  private startedAt = -1;

  constructor(readonly limits: { steps: number; producedBytes: number; timeMs: number } = EVAL_LIMITS) {}

  /** One comprehension iteration. */
  step(): void {
    if (++this.steps > this.limits.steps) this.fail(`it took more than ${this.limits.steps.toLocaleString('en-US')} loop steps`);
    this.tick();
  }

  /** One operation whose cost depends on the data (a function call, a comparison of collections…). */
  tick(): void {
    if (this.error) throw this.error;
    if ((++this.ops & (CLOCK_EVERY - 1)) !== 0) return;
    // The clock starts at the CLOCK_EVERY-th operation: before, the work is bounded by the
    // expression's size and the data's, and a typical condition never reads the clock at all.
    if (this.startedAt < 0) this.startedAt = performance.now();
    else if (this.elapsedMs() > this.limits.timeMs) this.fail(`it ran longer than ${this.limits.timeMs} ms`);
  }

  /** A value the expression built. */
  charge(value: unknown): void {
    this.produced += producedBytes(value);
    if (this.produced > this.limits.producedBytes) {
      this.fail(`it built more than ${formatBytes(this.limits.producedBytes)} of strings and lists`);
    }
  }

  /** Ends one evaluation of a shared budget: its time so far counts against the next one. */
  pause(): void {
    if (this.startedAt >= 0) this.spentMs = this.elapsedMs();
    this.startedAt = -1;
  }

  private elapsedMs(): number {
    return this.spentMs + (performance.now() - this.startedAt);
  }

  private fail(reason: string): never {
    this.exceeded ??= `expression stopped: ${reason}`;
    this.error ??= new BudgetExceeded(this.exceeded);
    throw this.error;
  }
}
