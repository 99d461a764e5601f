import { useEffect, useState } from 'react';
import { X } from 'lucide-react';
import { EVENT_OUTCOMES } from '../../../shared/event-log.js';
import type { FlowSummary } from '../../../shared/api-views.js';
import type { EventsRouteFilters } from '../router.js';
import { OUTCOME_LABELS } from './describe.js';

/** Outcome, source, flow and path filters; each change goes to the address (so reload and links keep it). */
export function EventFilters({
  filters,
  sources,
  flows,
  onChange,
}: {
  filters: EventsRouteFilters;
  sources: { type: string; label: string }[];
  flows: FlowSummary[];
  onChange: (next: EventsRouteFilters) => void;
}) {
  const set = (key: keyof EventsRouteFilters, value: string) => onChange({ ...filters, [key]: value || undefined });
  // The path is typed: applied on Enter or when the field is left, not on every keystroke.
  const [path, setPath] = useState(filters.path ?? '');
  useEffect(() => setPath(filters.path ?? ''), [filters.path]);
  const applyPath = () => {
    const trimmed = path.trim().replace(/^\/?(hooks\/)?/, '');
    if (trimmed !== (filters.path ?? '')) set('path', trimmed);
  };
  const any = Boolean(filters.outcome || filters.source || filters.flowId || filters.path);
  const flowKnown = !filters.flowId || flows.some((f) => f.id === filters.flowId);
  const sourceKnown = !filters.source || sources.some((s) => s.type === filters.source);

  return (
    // biome-ignore lint/a11y/useSemanticElements: role="search" on a <div> means the same as the newer <search> element, in older browsers too
    <div className="event-filters row" role="search" aria-label="Filter deliveries">
      <label className="row">
        <span>Outcome</span>
        <select value={filters.outcome ?? ''} onChange={(e) => set('outcome', e.target.value)} data-testid="filter-outcome">
          <option value="">All outcomes</option>
          {EVENT_OUTCOMES.map((o) => (
            <option key={o} value={o} title={OUTCOME_LABELS[o].help}>
              {OUTCOME_LABELS[o].label}
            </option>
          ))}
        </select>
      </label>
      <label className="row">
        <span>Source</span>
        <select value={filters.source ?? ''} onChange={(e) => set('source', e.target.value)} data-testid="filter-source">
          <option value="">All sources</option>
          {!sourceKnown && <option value={filters.source}>{filters.source}</option>}
          {sources.map((s) => (
            <option key={s.type} value={s.type}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label className="row">
        <span>Flow</span>
        <select value={filters.flowId ?? ''} onChange={(e) => set('flowId', e.target.value)} data-testid="filter-flow">
          <option value="">All flows</option>
          {!flowKnown && <option value={filters.flowId}>{filters.flowId} (deleted?)</option>}
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          applyPath();
        }}
      >
        <label className="row" htmlFor="event-path-filter">
          <span>Path</span>
        </label>
        <span className="event-path-input">
          <span className="muted mono" aria-hidden="true">
            /hooks/
          </span>
          <input
            id="event-path-filter"
            className="mono"
            value={path}
            placeholder="e.g. infra"
            onChange={(e) => setPath(e.target.value)}
            onBlur={applyPath}
            data-testid="filter-path"
            size={12}
          />
        </span>
      </form>
      {any && (
        <button type="button" className="ghost small" onClick={() => onChange({ eventId: filters.eventId })} data-testid="filter-clear">
          <X size={14} aria-hidden="true" /> Clear filters
        </button>
      )}
    </div>
  );
}
