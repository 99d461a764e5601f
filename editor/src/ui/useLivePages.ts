import { useState } from 'react';
import type { Page } from '../../../shared/api-views.js';
import { usePolling, type Polled } from './usePolling.js';

export interface LivePages<T> {
  /** The newest page (refreshed live), then the older pages loaded by hand, without repeats. */
  rows: T[];
  newest: Polled<Page<T>>;
  /** Where "Load older" continues, or null when everything is loaded. */
  cursor: string | null;
  /** True once older pages are shown (they do not refresh). */
  hasOlderPages: boolean;
  loadingOlder: boolean;
  olderError: Error | undefined;
  loadOlder: () => Promise<void>;
}

/**
 * A newest-first list whose first page refreshes every `intervalMs` while "Load older" appends
 * pages that stay as loaded. `key` names the filters: a new key starts over. `load(before)`
 * fetches one page (the newest when `before` is undefined).
 */
export function useLivePages<T extends { id: string }>(key: string, load: (before?: string) => Promise<Page<T>>, intervalMs: number): LivePages<T> {
  const newest = usePolling(() => load(), intervalMs, [key]);
  const [older, setOlder] = useState<{ key: string; items: T[]; cursor: string | null }>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<Error>();
  const olderPages = older?.key === key ? older : undefined;
  const cursor = olderPages ? olderPages.cursor : (newest.data?.nextCursor ?? null);

  const loadOlder = async () => {
    if (!cursor) return;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      const page = await load(cursor);
      setOlder({ key, items: [...(olderPages?.items ?? []), ...page.items], cursor: page.nextCursor ?? null });
    } catch (error) {
      setOlderError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoadingOlder(false);
    }
  };

  const first = newest.data?.items ?? [];
  const seen = new Set(first.map((r) => r.id));
  const rows = [...first, ...(olderPages?.items ?? []).filter((r) => !seen.has(r.id))];
  return { rows, newest, cursor, hasOlderPages: Boolean(olderPages), loadingOlder, olderError, loadOlder };
}
