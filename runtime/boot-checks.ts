import v8 from 'node:v8';
import { regexSelfTest } from '../shared/expr/index.js';

/**
 * Lets V8 fall back to its linear-time regex engine when a pattern backtracks too much (the
 * command-line flag is the main guard; this also covers regexes compiled after this call).
 */
export function enableRegexBacktrackFallback(): void {
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}

/** Checks the process is hardened as Salve requires; lists what is wrong otherwise. */
export function runBootChecks(): { ok: true } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  let codegenBlocked = false;
  try {
    Reflect.construct(Function, ['return 1']);
  } catch (error) {
    codegenBlocked = error instanceof EvalError;
  }
  if (!codegenBlocked) {
    problems.push('code generation from strings is allowed: start node with --disallow-code-generation-from-strings (use the salve command)');
  }
  // Through CEL, as a condition would run it.
  const regex = regexSelfTest();
  if (!regex.ok) {
    problems.push(
      `a catastrophic regex took ${Math.round(regex.elapsedMs)} ms: start node with --enable-experimental-regexp-engine-on-excessive-backtracks (use the salve command)`,
    );
  }
  return problems.length ? { ok: false, problems } : { ok: true };
}
