import type { Ref } from 'react';
import { Download, LayoutTemplate, Plus, Search, Upload } from 'lucide-react';

interface Props {
  /** The page heading, focused when the row that had focus was deleted. */
  headingRef: Ref<HTMLHeadingElement>;
  searchRef: Ref<HTMLInputElement>;
  loaded: boolean;
  hasFlows: boolean;
  /** "2 flows · 1 enabled" (shown when there are flows). */
  countText: string;
  query: string;
  onQuery: (query: string) => void;
  /** False for someone who can write flows in no team: no New flow, From template or Import. */
  mayCreate: boolean;
  onNew: () => void;
  onImport: () => void;
  /** Opens the template gallery. */
  onTemplates: () => void;
  exporting: boolean;
  onExportAll: () => void;
}

/** The flows page's heading and toolbar: count, search, Import, Export all, New from template, New flow. */
export function FlowsHeader({ headingRef, searchRef, loaded, hasFlows, countText, query, onQuery, mayCreate, onNew, onImport, onTemplates, exporting, onExportAll }: Props) {
  // With no flows the empty state offers Import and New flow; once is enough.
  const offerCreate = mayCreate && !(loaded && !hasFlows);
  return (
    <div className="page-header">
      <h1 ref={headingRef} tabIndex={-1}>
        Flows
      </h1>
      {hasFlows && (
        <span className="muted" data-testid="flows-count">
          {countText}
        </span>
      )}
      <span className="spacer" />
      {hasFlows && <FlowSearch inputRef={searchRef} query={query} onQuery={onQuery} />}
      {offerCreate && (
        <button type="button" onClick={onImport} data-testid="flows-import">
          <Upload size={16} aria-hidden="true" /> Import
        </button>
      )}
      {hasFlows && (
        <button type="button" onClick={onExportAll} aria-disabled={exporting || undefined} data-testid="flows-export-all" title="Download every flow as one bundle">
          <Download size={16} aria-hidden="true" /> {exporting ? 'Exporting…' : 'Export all'}
        </button>
      )}
      {offerCreate && (
        // "From template" beside "New flow": short, so the toolbar stays one row on a laptop.
        <button type="button" onClick={onTemplates} title="New flow from a template" data-testid="flows-new-from-template">
          <LayoutTemplate size={16} aria-hidden="true" /> From template
        </button>
      )}
      {offerCreate && (
        <button type="button" className="primary" onClick={onNew} data-testid="flows-new">
          <Plus size={16} aria-hidden="true" /> New flow
        </button>
      )}
    </div>
  );
}

/** The search box: `/` focuses it (see useSlashFocus), Escape clears it. */
function FlowSearch({ inputRef, query, onQuery }: { inputRef: Ref<HTMLInputElement>; query: string; onQuery: (query: string) => void }) {
  return (
    <div className="flow-search">
      <Search size={15} className="flow-search-icon" aria-hidden="true" />
      <input
        ref={inputRef}
        type="search"
        value={query}
        placeholder="Search name or id"
        aria-label="Search flows by name or id"
        aria-keyshortcuts="/"
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && query) {
            e.preventDefault();
            onQuery('');
          }
        }}
        data-testid="flows-search"
      />
      {!query && (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a <kbd> is not focusable; the hint is decoration (the search box has its own label)
        <kbd className="flow-kbd" aria-hidden="true" title="Press / to search">
          /
        </kbd>
      )}
    </div>
  );
}
