import { useSyncExternalStore } from 'react';

/**
 * One clock for every relative time on the page ("12 s ago" must keep counting), instead of a
 * timer per cell: a single interval runs while at least one component is listening.
 */
const TICK_MS = 5000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time in ms, updated every few seconds. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
