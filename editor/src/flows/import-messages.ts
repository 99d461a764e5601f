import type { ImportPlan, SourceReading } from './import-plan.js';

/** The name the pasted text goes by among the sources. */
export const PASTED = 'Pasted JSON';

/** The import dialog's footer line: what stands in the way of importing, or what an import means. */
export function importFooterNote(unreadable: readonly Pick<SourceReading, 'name'>[], tooBig: boolean, plan: ImportPlan | null): string {
  if (unreadable.length > 0) {
    if (unreadable.length === 1 && unreadable[0]!.name === PASTED) return 'Fix the pasted JSON to import.';
    return `Fix or remove ${unreadable.length === 1 ? `“${unreadable[0]!.name}”` : `${unreadable.length} inputs`} to import.`;
  }
  if (tooBig) return 'Over 4 MiB: import fewer flows at a time.';
  return plan ? 'All or nothing: if any flow is invalid, none is imported.' : '';
}

/** The Import button's label: what it would import, or that it is importing. */
export function importButtonLabel(busy: boolean, plan: ImportPlan | null): string {
  if (busy) return 'Importing…';
  if (!plan) return 'Import';
  return `Import ${plan.flows.length} ${plan.flows.length === 1 ? 'flow' : 'flows'}`;
}

/** How to try again with a fix: a file is picked again (same name replaces it); pasted text is edited in place. */
export function howToRetry(plan: Pick<ImportPlan, 'flows'>): string {
  const pasted = plan.flows.some((f) => f.source === PASTED);
  const picked = plan.flows.some((f) => f.source !== PASTED);
  const ways = [...(picked ? ['choose the fixed file again (it replaces the one listed)'] : []), ...(pasted ? ['edit the pasted JSON'] : [])];
  return `${ways.join(' or ')} and import again`;
}
