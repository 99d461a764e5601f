import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { listSecrets, type SecretItem } from './secrets-api.js';

/** The secrets the server knows, for a page or a form: the list, a way to load it again, and to add one just saved. */
export interface SecretChoices {
  items: readonly SecretItem[];
  /** True once the list answered; until then (or when it failed) a name missing from it proves nothing. */
  loaded: boolean;
  error: Error | undefined;
  refresh: () => void;
  /** Shows `secret` at once (e.g. one just created), before the list is loaded again. */
  saved: (secret: SecretItem) => void;
}

/** Loads GET /api/secrets, again when the window regains focus; `refresh` and `saved` keep it current after changes made here. */
export function useSecrets(): SecretChoices {
  const [items, setItems] = useState<readonly SecretItem[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<Error>();
  const generation = useRef(0);

  const refresh = useCallback(() => {
    const mine = ++generation.current;
    listSecrets().then(
      (list) => {
        if (mine !== generation.current) return;
        setItems(list);
        setLoaded(true);
        setError(undefined);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }, []);

  const saved = useCallback(
    (secret: SecretItem) => {
      setItems((list) => [...list.filter((s) => s.name !== secret.name), secret].sort((a, b) => a.name.localeCompare(b.name)));
      refresh();
    },
    [refresh],
  );

  useEffect(() => {
    refresh();
    // Back from the Secrets page in another tab (the picker's help links there): show what changed.
    window.addEventListener('focus', refresh);
    return () => window.removeEventListener('focus', refresh);
  }, [refresh]);
  // One object per change, so memoised panels that receive it re-render only when the list does.
  return useMemo(() => ({ items, loaded, error, refresh, saved }), [items, loaded, error, refresh, saved]);
}
