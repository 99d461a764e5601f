import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import { sortFlows } from './search.js';

/** A saved flow as a row of the list (what an enable or disable answers, before the next poll shows it). */
export function summaryOf(stored: StoredFlow): FlowSummary {
  return { id: stored.flow.id, name: stored.flow.name, enabled: stored.flow.enabled, revision: stored.revision, updatedAt: stored.updatedAt, team: stored.team };
}

/**
 * The list as the page shows it: the server's rows without those this page deleted, each replaced
 * by this page's own answer while that is at least as new, sorted by name.
 */
export function mergeFlowList(
  items: readonly FlowSummary[],
  patched: Readonly<Record<string, FlowSummary>>,
  deleted: ReadonlySet<string>,
): FlowSummary[] {
  const merged = items
    .filter((f) => !deleted.has(f.id))
    .map((f) => {
      const mine = patched[f.id];
      return mine && mine.revision >= f.revision ? mine : f;
    });
  return sortFlows(merged);
}

/** The deleted ids the server still lists (the others need no hiding any more); `deleted` itself when none went. */
export function stillListed(deleted: ReadonlySet<string>, items: readonly Pick<FlowSummary, 'id'>[]): ReadonlySet<string> {
  const listed = new Set(items.map((f) => f.id));
  return [...deleted].some((id) => !listed.has(id)) ? new Set([...deleted].filter((id) => listed.has(id))) : deleted;
}

/** `set` without `value`, as a new set. */
export function without<T>(set: ReadonlySet<T>, value: T): Set<T> {
  return new Set([...set].filter((v) => v !== value));
}

/** The header's count: "2 flows · 1 enabled", and how many a search shows when it hides some. */
export function flowCountText(total: number, enabled: number, shown: number, query: string): string {
  const flows = total === 1 ? '1 flow' : `${total} flows`;
  return `${flows} · ${enabled} enabled${query.trim() && shown !== total ? ` · showing ${shown}` : ''}`;
}
