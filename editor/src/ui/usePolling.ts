import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Fetch again now (e.g. after an action changed what the list shows). */
  refresh: () => void;
}

/**
 * Loads `load()` now and every `intervalMs` while the page is visible (live refresh without a
 * socket). Answers that arrive after the inputs changed are dropped.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[]): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = generation.current;
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }, []);

  useEffect(() => {
    generation.current++;
    setData(undefined);
    run();
    if (intervalMs <= 0) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, intervalMs);
    return () => clearInterval(timer);
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's `deps` decide when to load again, as with useEffect's own list
  }, deps);

  return { data, error, refresh: run };
}
