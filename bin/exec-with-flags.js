/** The V8 flags every Salve process runs with. */
export const requiredFlags = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];

/** True when the current process lacks one of the required flags. */
export function needsReexec(execArgv) {
  return requiredFlags.some((flag) => !execArgv.includes(flag));
}
