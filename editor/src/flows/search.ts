import type { FlowSummary } from '../../../shared/api-views.js';

/** Flows whose name or id contains `query` (case-insensitive; surrounding spaces ignored). */
export function filterFlows<T extends Pick<FlowSummary, 'id' | 'name'>>(flows: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [...flows];
  return flows.filter((f) => f.name.toLowerCase().includes(q) || f.id.toLowerCase().includes(q));
}

/** By name as people read it, then by id so equal names keep a stable order. */
export function sortFlows<T extends Pick<FlowSummary, 'id' | 'name'>>(flows: readonly T[]): T[] {
  return [...flows].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id));
}
