import { LayoutTemplate, Plus, SearchX, Upload, Workflow } from 'lucide-react';

/** No flows at all: what a flow is, and the ways to get one. */
export function NoFlowsYet({ mayCreate, onNew, onTemplates, onImport }: { mayCreate: boolean; onNew: () => void; onTemplates: () => void; onImport: () => void }) {
  return (
    <div className="card flow-empty" data-testid="flows-empty">
      <Workflow size={32} className="flow-empty-icon" aria-hidden="true" />
      <h2>No flows yet</h2>
      <p>
        A flow tells Salve what to do when an alert arrives: it matches alerts from your monitoring and runs the checks, actions and approvals you
        connect, step by step.
      </p>
      {!mayCreate && <p className="muted">Your team has none yet. An editor of the team creates them.</p>}
      {mayCreate && (
        <div className="row flow-empty-actions">
          <button type="button" className="primary" onClick={onNew}>
            <Plus size={16} aria-hidden="true" /> New flow
          </button>
          <button type="button" onClick={onTemplates} data-testid="empty-new-from-template">
            <LayoutTemplate size={16} aria-hidden="true" /> New from template
          </button>
          <button type="button" onClick={onImport}>
            <Upload size={16} aria-hidden="true" /> Import
          </button>
        </div>
      )}
      {mayCreate && <p className="muted small">You can also drop exported .json files anywhere on this page.</p>}
    </div>
  );
}

/** Flows exist, but the search matches none of them. */
export function NoMatch({ query, total, onClear }: { query: string; total: number; onClear: () => void }) {
  return (
    <div className="empty flow-no-match" data-testid="flows-no-match">
      <SearchX size={24} aria-hidden="true" />
      <p>
        No flow’s name or id contains “<strong>{query.trim()}</strong>” ({total === 1 ? '1 flow' : `${total} flows`} searched).
      </p>
      <button type="button" onClick={onClear}>
        Clear search
      </button>
    </div>
  );
}
