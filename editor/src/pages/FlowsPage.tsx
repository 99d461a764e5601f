import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Download, Plus, RefreshCw, Search, Upload, X } from 'lucide-react';
import { ApiError } from '../api/client.js';
import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import { navigate } from '../router.js';
import { toast } from '../ui/toast.js';
import { usePolling } from '../ui/usePolling.js';
import { bundleFileName, exportText, flowFileName } from '../flows/bundle.js';
import { DeleteFlowDialog } from '../flows/DeleteFlowDialog.js';
import { downloadText } from '../flows/download.js';
import { DuplicateDialog } from '../flows/DuplicateDialog.js';
import { NoFlowsYet, NoMatch } from '../flows/EmptyStates.js';
import { FileDropOverlay } from '../flows/FileDropOverlay.js';
import { mergeSources, readJsonFiles, type RejectedFile } from '../flows/file-sources.js';
import { deleteFlow, exportAllFlows, exportFlow, listFlows, setFlowEnabled } from '../flows/flows-api.js';
import { FlowsTable, type RowError } from '../flows/FlowsTable.js';
import { ImportDialog } from '../flows/ImportDialog.js';
import type { ImportSource } from '../flows/import-plan.js';
import { filterFlows, sortFlows } from '../flows/search.js';
import { useFileDrop } from '../flows/useFileDrop.js';
import { useSlashFocus } from '../flows/useSlashFocus.js';
import '../styles/flows.css';

/** Often enough that a flow enabled from the CLI or another tab shows up while on call. */
const REFRESH_MS = 10_000;

type OpenDialog = { kind: 'duplicate'; flow: FlowSummary } | { kind: 'delete'; flow: FlowSummary } | { kind: 'import' } | null;

const summaryOf = (s: StoredFlow): FlowSummary => ({
  id: s.flow.id,
  name: s.flow.name,
  enabled: s.flow.enabled,
  revision: s.revision,
  updatedAt: s.updatedAt,
});

const without = <T,>(set: ReadonlySet<T>, value: T) => new Set([...set].filter((v) => v !== value));

/** The list of flows: search, enable/disable, duplicate, export, delete, import. */
export function FlowsPage() {
  const list = usePolling(listFlows, REFRESH_MS, []);
  // Answers to this page's own writes, shown until the next poll has caught up with them.
  const [patched, setPatched] = useState<Record<string, FlowSummary>>({});
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  const [loadedAt, setLoadedAt] = useState<Date>();
  const [query, setQuery] = useState('');
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [rowErrors, setRowErrors] = useState<Record<string, RowError>>({});
  const [pageError, setPageError] = useState<string>();
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [importFiles, setImportFiles] = useState<ImportSource[]>([]);
  const [rejectedFiles, setRejectedFiles] = useState<RejectedFile[]>([]);
  const [exportingAll, setExportingAll] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  /** After a delete: the id of the row to focus, or null for the page heading. */
  const focusAfterDelete = useRef<string | null | undefined>(undefined);

  useEffect(() => {
    if (list.data) setLoadedAt(new Date());
  }, [list.data]);

  const flows = useMemo(() => {
    const items = (list.data?.items ?? []).filter((f) => !deleted.has(f.id));
    const merged = items.map((f) => {
      const mine = patched[f.id];
      return mine && mine.revision >= f.revision ? mine : f;
    });
    return sortFlows(merged);
  }, [list.data, patched, deleted]);
  const shown = useMemo(() => filterFlows(flows, query), [flows, query]);
  const takenIds = useMemo(() => new Set(flows.map((f) => f.id)), [flows]);
  const enabledCount = flows.filter((f) => f.enabled).length;
  const loaded = list.data !== undefined;

  const setRowError = (id: string, error: RowError | undefined) =>
    setRowErrors((all) => {
      const next = { ...all };
      if (error) next[id] = error;
      else delete next[id];
      return next;
    });

  const toggle = async (flow: FlowSummary, enabled: boolean) => {
    setPending((p) => new Set([...p, flow.id]));
    setRowError(flow.id, undefined);
    try {
      const stored = await setFlowEnabled(flow.id, enabled);
      setPatched((p) => ({ ...p, [flow.id]: summaryOf(stored) }));
      toast(
        enabled
          ? `Enabled “${flow.name}”: matching alerts now start it.`
          : `Disabled “${flow.name}”: new alerts no longer start it; runs in progress continue.`,
        'success',
      );
    } catch (error) {
      setRowError(flow.id, { what: enabled ? 'enable' : 'disable', error: error as Error });
    } finally {
      setPending((p) => without(p, flow.id));
      list.refresh();
    }
  };

  const exportOne = async (flow: FlowSummary) => {
    setRowError(flow.id, undefined);
    try {
      const doc = await exportFlow(flow.id);
      downloadText(flowFileName(flow.id), exportText(doc));
      toast(`Downloaded ${flowFileName(flow.id)}`, 'success');
    } catch (error) {
      setRowError(flow.id, { what: 'export', error: error as Error });
    }
  };

  const exportAll = async () => {
    if (exportingAll) return;
    setExportingAll(true);
    setPageError(undefined);
    try {
      const bundle = await exportAllFlows();
      const name = bundleFileName(new Date());
      downloadText(name, exportText(bundle));
      toast(`Downloaded ${name} (${bundle.flows.length === 1 ? '1 flow' : `${bundle.flows.length} flows`})`, 'success');
    } catch (error) {
      setPageError(`Export all failed, nothing was downloaded: ${(error as Error).message}`);
    } finally {
      setExportingAll(false);
    }
  };

  const remove = async (flow: FlowSummary) => {
    setDialog(null);
    setRowError(flow.id, undefined);
    // Focus was on the row's Delete button, which goes with the row: hand it to a neighbour.
    const at = shown.findIndex((f) => f.id === flow.id);
    const neighbour = shown[at + 1] ?? shown[at - 1];
    try {
      await deleteFlow(flow.id);
      focusAfterDelete.current = neighbour?.id ?? null;
      setDeleted((d) => new Set([...d, flow.id]));
      toast(`Deleted “${flow.name}”. Its run history is kept.`, 'success');
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        setDeleted((d) => new Set([...d, flow.id]));
        toast(`“${flow.name}” was already deleted.`, 'info');
      } else {
        setRowError(flow.id, { what: 'delete', error: error as Error });
      }
    } finally {
      list.refresh();
    }
  };

  const addImportFiles = useCallback(async (files: File[]) => {
    const { sources, rejected } = await readJsonFiles(files);
    setImportFiles((current) => mergeSources(current, sources));
    setRejectedFiles((current) => [...current.filter((r) => !files.some((f) => f.name === r.name)), ...rejected]);
  }, []);

  const openImport = () => setDialog({ kind: 'import' });
  const closeImport = () => {
    setDialog(null);
    setImportFiles([]);
    setRejectedFiles([]);
  };

  // Drops open the import dialog; while another dialog is open they are ignored (not opened by
  // the browser either, which would replace the editor with the file).
  const acceptDrops = dialog === null || dialog.kind === 'import';
  const dragging = useFileDrop((files) => {
    void addImportFiles(files);
    setDialog({ kind: 'import' });
  }, acceptDrops);
  useSlashFocus(searchBox, dialog === null && flows.length > 0);

  // A deleted id that the server no longer lists needs no hiding any more.
  useEffect(() => {
    const listed = new Set(list.data?.items.map((f) => f.id));
    setDeleted((d) => ([...d].some((id) => !listed.has(id)) ? new Set([...d].filter((id) => listed.has(id))) : d));
  }, [list.data]);

  const hasFlows = flows.length > 0;

  useEffect(() => {
    if (focusAfterDelete.current === undefined) return;
    const id = focusAfterDelete.current;
    focusAfterDelete.current = undefined;
    const link = id === null ? null : document.querySelector<HTMLElement>(`[data-testid="flow-row-${CSS.escape(id)}"] td.flow-name a`);
    (link ?? heading.current)?.focus();
  }, [flows]);

  return (
    <div className="page flows-page">
      <div className="page-header">
        <h1 ref={heading} tabIndex={-1}>
          Flows
        </h1>
        {hasFlows && (
          <span className="muted" data-testid="flows-count">
            {flows.length === 1 ? '1 flow' : `${flows.length} flows`} · {enabledCount} enabled
            {query.trim() && shown.length !== flows.length && ` · showing ${shown.length}`}
          </span>
        )}
        <span className="spacer" />
        {hasFlows && (
          <div className="flow-search">
            <Search size={15} className="flow-search-icon" aria-hidden="true" />
            <input
              ref={searchBox}
              type="search"
              value={query}
              placeholder="Search name or id"
              aria-label="Search flows by name or id"
              aria-keyshortcuts="/"
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && query) {
                  e.preventDefault();
                  setQuery('');
                }
              }}
              data-testid="flows-search"
            />
            {!query && (
              <kbd className="flow-kbd" aria-hidden="true" title="Press / to search">
                /
              </kbd>
            )}
          </div>
        )}
        {/* With no flows the empty state offers these two; once is enough. */}
        {!(loaded && !hasFlows) && (
          <button type="button" onClick={openImport} data-testid="flows-import">
            <Upload size={16} aria-hidden="true" /> Import
          </button>
        )}
        {hasFlows && (
          <button
            type="button"
            onClick={exportAll}
            aria-disabled={exportingAll || undefined}
            data-testid="flows-export-all"
            title="Download every flow as one bundle"
          >
            <Download size={16} aria-hidden="true" /> {exportingAll ? 'Exporting…' : 'Export all'}
          </button>
        )}
        {!(loaded && !hasFlows) && (
          <button type="button" className="primary" onClick={() => navigate({ page: 'new-flow' })} data-testid="flows-new">
            <Plus size={16} aria-hidden="true" /> New flow
          </button>
        )}
      </div>

      {list.error && (
        <div className={`banner ${loaded ? 'warning' : 'error'} row`} role="alert" data-testid="flows-load-error">
          <span>
            {loaded
              ? `Could not refresh the list: ${list.error.message}. Showing it as loaded at ${loadedAt?.toLocaleTimeString() ?? 'first'}; trying again every ${REFRESH_MS / 1000} s.`
              : `Could not load the flows: ${list.error.message}. Trying again every ${REFRESH_MS / 1000} s.`}
          </span>
          <span className="spacer" />
          <button type="button" className="small" onClick={list.refresh}>
            <RefreshCw size={14} aria-hidden="true" /> Try again
          </button>
        </div>
      )}
      {pageError && (
        <div className="banner error row" role="alert">
          <span>{pageError}</span>
          <span className="spacer" />
          <button type="button" className="ghost icon small" aria-label="Dismiss" onClick={() => setPageError(undefined)}>
            <X size={14} />
          </button>
        </div>
      )}

      {!loaded && !list.error && (
        <div className="card" aria-busy="true">
          <div className="empty">Loading flows…</div>
        </div>
      )}
      {loaded && !hasFlows && <NoFlowsYet onNew={() => navigate({ page: 'new-flow' })} onImport={openImport} />}
      {loaded && hasFlows && (
        <div className="card flows-card">
          {shown.length > 0 ? (
            <FlowsTable
              flows={shown}
              pending={pending}
              errors={rowErrors}
              now={Date.now()}
              onToggle={toggle}
              onDuplicate={(flow) => setDialog({ kind: 'duplicate', flow })}
              onExport={exportOne}
              onDelete={(flow) => setDialog({ kind: 'delete', flow })}
              onDismissError={(id) => setRowError(id, undefined)}
            />
          ) : (
            <NoMatch
              query={query}
              total={flows.length}
              onClear={() => {
                setQuery('');
                searchBox.current?.focus();
              }}
            />
          )}
        </div>
      )}

      {dialog?.kind === 'duplicate' && (
        <DuplicateDialog
          flow={dialog.flow}
          takenIds={takenIds}
          onClose={() => setDialog(null)}
          onCreated={(copy) => {
            setDialog(null);
            toast(`Created “${copy.flow.name}” (disabled). Opening it.`, 'success');
            navigate({ page: 'flow', id: copy.flow.id });
          }}
        />
      )}
      {dialog?.kind === 'delete' && <DeleteFlowDialog flow={dialog.flow} onConfirm={() => void remove(dialog.flow)} onCancel={() => setDialog(null)} />}
      {dialog?.kind === 'import' && (
        <ImportDialog
          existing={flows}
          files={importFiles}
          rejected={rejectedFiles}
          onAddFiles={(files) => void addImportFiles(files)}
          onRemoveFile={(name) => setImportFiles((current) => current.filter((f) => f.name !== name))}
          onImported={list.refresh}
          onClose={closeImport}
        />
      )}
      {dragging && <FileDropOverlay />}
    </div>
  );
}
