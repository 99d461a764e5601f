import type { AuditEntry } from '../../../shared/audit.js';

/** The kinds of action the filter offers (`<kind>.*`), with what an operator calls them. */
export const AUDIT_KINDS = [
  { value: 'flow.*', label: 'Flows' },
  { value: 'secret.*', label: 'Secrets' },
  { value: 'approval.*', label: 'Approvals' },
  { value: 'execution.*', label: 'Runs cancelled' },
  { value: 'automation.*', label: 'Automation pause' },
  { value: 'session.*', label: 'Sign-in' },
] as const;

/** How each `via` reads in the table. */
export const VIA_LABELS: Record<string, string> = {
  session: 'editor session',
  token: 'admin token (API)',
  cli: 'command line',
  slack: 'Slack',
  'break-glass': 'break-glass token',
  system: 'Salve itself',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.map(show).join(', ') : '(none)';
  // A person's roles in one team, as the People page says them: `payments (approver, editor)`.
  if (isRecord(value) && typeof value.team === 'string' && Array.isArray(value.roles)) return `${value.team} (${value.roles.map(show).join(', ')})`;
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * One line per fact the row's summaries hold: what changed (`enabled: true → false`), what was
 * set on create, what was there before a delete, then the details (which fields changed, a
 * comment). Secrets appear by name and hosts only: the server never records a value.
 */
export function describeAudit(e: Pick<AuditEntry, 'before' | 'after' | 'details'>): string[] {
  const lines: string[] = [];
  const before = isRecord(e.before) ? e.before : undefined;
  const after = isRecord(e.after) ? e.after : undefined;
  if (before && after) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const was = show(before[key]);
      const now = show(after[key]);
      if (was !== now) lines.push(`${key}: ${was} → ${now}`);
    }
  } else if (after) {
    for (const [key, value] of Object.entries(after)) lines.push(`${key}: ${show(value)}`);
  } else if (before) {
    for (const [key, value] of Object.entries(before)) lines.push(`was ${key}: ${show(value)}`);
  }
  if (isRecord(e.details)) {
    for (const [key, value] of Object.entries(e.details)) {
      if (value === undefined || value === null || key === 'executionId') continue;
      lines.push(key === 'changed' ? `changed: ${show(value)}` : `${key}: ${show(value)}`);
    }
  }
  return lines;
}

/** The run a row is about, when it names one (manual runs, cancels, approvals). */
export function runOf(e: Pick<AuditEntry, 'action' | 'target' | 'details'>): string | undefined {
  if (e.action === 'execution.cancel') return e.target;
  const id = isRecord(e.details) ? e.details.executionId : undefined;
  return typeof id === 'string' ? id : undefined;
}
