/**
 * `fn` remembered by its text argument, at most `max` results kept: once full, the oldest goes
 * first. For pure work repeated with the same text on every run (compiling a flow's matchers,
 * checking its URL templates), where the texts in use are few but not bounded by anything else.
 */
export function boundedMemo<T>(fn: (text: string) => T, max: number): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    if (kept.has(text)) return kept.get(text) as T;
    const value = fn(text);
    if (kept.size >= max) kept.delete(kept.keys().next().value!);
    kept.set(text, value);
    return value;
  };
}
