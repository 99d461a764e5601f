/**
 * The V8 flags every Salve process that evaluates expressions runs with. One of them cannot be
 * set in NODE_OPTIONS, so the launcher starts Node with them (see launcher.ts).
 */
export const REQUIRED_NODE_FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];

/** True when a process started with `execArgv` lacks one of the required flags. */
export function lacksRequiredFlags(execArgv: readonly string[]): boolean {
  return REQUIRED_NODE_FLAGS.some((flag) => !execArgv.includes(flag));
}
