import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import type { PlannedFlow } from './import-plan.js';

/**
 * What an import will do and what it did, told against the list the page already has: the
 * server answers with the stored flows but not whether each one was new.
 */

export interface PreviewRow extends PlannedFlow {
  /** The stored flow this one will replace (with a new revision), if the id exists. */
  replaces?: FlowSummary;
}

export function previewImport(flows: readonly PlannedFlow[], existing: readonly FlowSummary[]): PreviewRow[] {
  const byId = new Map(existing.map((f) => [f.id, f]));
  return flows.map((f) => {
    const replaces = f.id === undefined ? undefined : byId.get(f.id);
    return replaces ? { ...f, replaces } : { ...f };
  });
}

export interface ImportedRow {
  id: string;
  name: string;
  revision: number;
  /** The id existed: this import is a new revision of it. */
  replaced: boolean;
  /** It was enabled before; the import left it disabled, so it stopped receiving alerts. */
  wasEnabled: boolean;
}

export function summarizeImport(items: readonly StoredFlow[], before: readonly FlowSummary[]): ImportedRow[] {
  const byId = new Map(before.map((f) => [f.id, f]));
  return items.map(({ flow, revision }) => {
    const previous = byId.get(flow.id);
    // A revision above 1 also means it existed (the list may be a few seconds old).
    return { id: flow.id, name: flow.name, revision, replaced: previous !== undefined || revision > 1, wasEnabled: previous?.enabled ?? false };
  });
}
