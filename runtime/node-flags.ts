/**
 * The V8 flags every Salve process that evaluates expressions runs with. One of them cannot be
 * set in NODE_OPTIONS, so the launcher starts Node with them (see launcher.ts).
 */
export const REQUIRED_NODE_FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];

/**
 * V8 flags for the server process only (added by the launcher, not required: a server started
 * without them still runs). `--heap-growing-percent=100`: V8 lets the old generation grow to up
 * to four times the live heap before a full collection; under load Salve's live heap is 35 MB
 * but the old generation reached ~150 MB, so resident memory peaked at 235–260 MB. Growing it by
 * at most 2× keeps the peak at 180–195 MB for ~5% less throughput at saturation (measured in
 * docs/performance.md). It does not cap the heap: a larger live heap still gets the room it needs.
 */
export const SERVER_MEMORY_FLAGS = ['--heap-growing-percent=100'];

/** True when a process started with `execArgv` lacks one of the required flags. */
export function lacksRequiredFlags(execArgv: readonly string[]): boolean {
  return REQUIRED_NODE_FLAGS.some((flag) => !execArgv.includes(flag));
}
