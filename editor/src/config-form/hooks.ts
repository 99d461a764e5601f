import { useEffect, useState } from 'react';

/** `value`, settled: it follows after `ms` without a change (syntax checks run at typing pauses). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(settled, value)) return;
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms, settled]);
  return settled;
}

/**
 * The text of an input whose config value is parsed from it (numbers, lists, JSON). The text
 * is the operator's while it still stands for the config value (so `10.` or a half-typed JSON
 * stays as typed); when the config changes from outside (undo), the text follows it.
 */
export function useDraft(value: unknown, format: (value: unknown) => string, matches: (text: string, value: unknown) => boolean) {
  const key = JSON.stringify(value) ?? 'undefined';
  const [state, setState] = useState(() => ({ text: format(value), key }));
  let text = state.text;
  if (state.key !== key) {
    text = matches(state.text, value) ? state.text : format(value);
    // Adjusting state while rendering (React's documented pattern for props-derived state).
    setState({ text, key });
  }
  return [text, (next: string) => setState((s) => ({ ...s, text: next }))] as const;
}

let nextRowId = 1;

/** A fresh identity for a list row (React keys and focus must follow a row when it moves). */
export function newRowId(): number {
  return nextRowId++;
}

/** Row identities for a list of `count` items; replaced when the list changes length from outside. */
export function useRowIds(count: number) {
  const [ids, setIds] = useState<number[]>(() => Array.from({ length: count }, newRowId));
  let current = ids;
  if (ids.length !== count) {
    current = Array.from({ length: count }, newRowId);
    setIds(current);
  }
  return [current, setIds] as const;
}

/** Focuses the element with id `target` after the next render (after adding, moving or removing a row). */
export function useFocusAfterRender() {
  const [target, setTarget] = useState<string | null>(null);
  useEffect(() => {
    if (target === null) return;
    document.getElementById(target)?.focus();
    setTarget(null);
  }, [target]);
  return setTarget;
}
