import { useCallback, useState } from 'react';

/** The part of `localStorage` a stored choice needs (tests pass a plain object). */
export interface ChoiceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** `localStorage`, or null where there is none or it may not be used (private windows can throw). */
function browserStorage(): ChoiceStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * A layout choice remembered in this browser (which panels are collapsed, the minimap). Only
 * one of `allowed` is ever returned: anything else in storage (an old value, garbage typed in
 * the dev tools, no storage at all) gives `fallback`.
 */
export function readChoice<T extends string>(storage: ChoiceStorage | null, key: string, allowed: readonly T[], fallback: T): T {
  try {
    const stored = storage?.getItem(key);
    return allowed.find((choice) => choice === stored) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Remembers `value`; a storage that refuses (full, disabled) only means it is not remembered. */
export function writeChoice(storage: ChoiceStorage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Not remembered, still applied: the page goes on with the choice.
  }
}

/** `useState` for a choice remembered in `localStorage` under `key`. */
export function useStoredChoice<T extends string>(key: string, allowed: readonly T[], fallback: T): [T, (next: T) => void] {
  const [value, setValue] = useState(() => readChoice(browserStorage(), key, allowed, fallback));
  const set = useCallback(
    (next: T) => {
      setValue(next);
      writeChoice(browserStorage(), key, next);
    },
    [key],
  );
  return [value, set];
}
