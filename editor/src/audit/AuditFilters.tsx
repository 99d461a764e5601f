import { useEffect, useState } from 'react';
import { X } from 'lucide-react';
import type { AuditRouteFilters } from '../router.js';
import { AUDIT_KINDS } from './describe.js';

/** `datetime-local` speaks local time without a zone; the address and the API keep ISO times. */
const toLocalInput = (iso: string | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);

/** A text filter applied on Enter or when the field is left, not on every keystroke. */
function TextFilter({ label, value, placeholder, testId, onApply }: { label: string; value: string | undefined; placeholder: string; testId: string; onApply: (v: string | undefined) => void }) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const apply = () => {
    const trimmed = text.trim();
    if (trimmed !== (value ?? '')) onApply(trimmed || undefined);
  };
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <label className="row">
        <span>{label}</span>
        <input value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} onBlur={apply} data-testid={testId} size={12} />
      </label>
    </form>
  );
}

/** Actor, kind of action, target prefix and time range; each change goes to the address. */
export function AuditFilters({ filters, onChange }: { filters: AuditRouteFilters; onChange: (next: AuditRouteFilters) => void }) {
  const set = (key: keyof AuditRouteFilters, value: string | undefined) => onChange({ ...filters, [key]: value || undefined });
  const any = Object.values(filters).some(Boolean);
  const kindKnown = !filters.action || AUDIT_KINDS.some((k) => k.value === filters.action);
  return (
    // biome-ignore lint/a11y/useSemanticElements: role="search" on a <div> means the same as the newer <search> element, in older browsers too
    <div className="event-filters audit-filters row" role="search" aria-label="Filter the audit log">
      <label className="row">
        <span>Action</span>
        <select value={filters.action ?? ''} onChange={(e) => set('action', e.target.value)} data-testid="audit-filter-action">
          <option value="">All actions</option>
          {!kindKnown && <option value={filters.action}>{filters.action}</option>}
          {AUDIT_KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <TextFilter label="Actor" value={filters.actor} placeholder="e.g. admin" testId="audit-filter-actor" onApply={(v) => set('actor', v)} />
      <TextFilter label="Target" value={filters.target} placeholder="flow id, secret…" testId="audit-filter-target" onApply={(v) => set('target', v)} />
      <label className="row">
        <span>From</span>
        <input type="datetime-local" value={toLocalInput(filters.from)} onChange={(e) => set('from', fromLocalInput(e.target.value))} data-testid="audit-filter-from" />
      </label>
      <label className="row">
        <span>To</span>
        <input type="datetime-local" value={toLocalInput(filters.to)} onChange={(e) => set('to', fromLocalInput(e.target.value))} data-testid="audit-filter-to" />
      </label>
      {any && (
        <button type="button" className="ghost small" onClick={() => onChange({})} data-testid="audit-filter-clear">
          <X size={14} aria-hidden="true" /> Clear filters
        </button>
      )}
    </div>
  );
}
