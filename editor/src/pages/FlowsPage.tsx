import { useMemo, useRef, useState } from 'react';
import type { FlowSummary } from '../../../shared/api-views.js';
import { navigate } from '../router.js';
import { toast } from '../ui/toast.js';
import { DeleteFlowDialog } from '../flows/DeleteFlowDialog.js';
import { DuplicateDialog } from '../flows/DuplicateDialog.js';
import { NoFlowsYet, NoMatch } from '../flows/EmptyStates.js';
import { FileDropOverlay } from '../flows/FileDropOverlay.js';
import { flowCountText } from '../flows/flow-list.js';
import { FlowsLoadError, PageError } from '../flows/FlowsBanners.js';
import { FlowsHeader } from '../flows/FlowsHeader.js';
import { FlowsTable } from '../flows/FlowsTable.js';
import { ImportDialog } from '../flows/ImportDialog.js';
import { TemplateGallery } from '../flows/TemplateGallery.js';
import { filterFlows } from '../flows/search.js';
import { useExportAll } from '../flows/useExportAll.js';
import { useFileDrop } from '../flows/useFileDrop.js';
import { FLOWS_REFRESH_MS, useFlowList } from '../flows/useFlowList.js';
import { useFlowRowActions } from '../flows/useFlowRowActions.js';
import { useFocusAfterDelete } from '../flows/useFocusAfterDelete.js';
import { useImportFiles } from '../flows/useImportFiles.js';
import { useSlashFocus } from '../flows/useSlashFocus.js';
import { mayOperateIn, mayWriteAnyFlows, mayWriteFlowsIn, newFlowTeam, teamName, teamsWithRole } from '../accounts/access.js';
import { useAccount } from '../accounts/me.js';
import { TeamChoiceDialog } from '../accounts/TeamChoiceDialog.js';
import '../styles/flows.css';

type Team = { id: string; name: string };
/** What the Flows page creates after a team is chosen. */
type Creating = 'new' | 'templates' | 'import';
type OpenDialog =
  | { kind: 'duplicate'; flow: FlowSummary }
  | { kind: 'delete'; flow: FlowSummary }
  | { kind: 'import'; team?: Team }
  | { kind: 'templates'; team?: Team }
  | { kind: 'choose-team'; then: Creating }
  | null;

const CREATING_TITLES: Record<Creating, string> = { new: 'New flow', templates: 'New flow from a template', import: 'Import flows' };

/** The list of flows: search, enable/disable, duplicate, export, delete, import. */
export function FlowsPage() {
  const { me, teams } = useAccount();
  const writable = useMemo(() => teamsWithRole(me, 'editor', teams), [me, teams]);
  const list = useFlowList();
  const rows = useFlowRowActions(list);
  const exports = useExportAll();
  const imports = useImportFiles();
  const [query, setQuery] = useState('');
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const { flows, loaded } = list;
  const shown = useMemo(() => filterFlows(flows, query), [flows, query]);
  const takenIds = useMemo(() => new Set(flows.map((f) => f.id)), [flows]);
  const hasFlows = flows.length > 0;
  const focusAfterDelete = useFocusAfterDelete(flows, heading);

  const remove = (flow: FlowSummary) => {
    setDialog(null);
    const at = shown.findIndex((f) => f.id === flow.id);
    const neighbour = shown[at + 1] ?? shown[at - 1];
    void rows.remove(flow, () => focusAfterDelete(neighbour?.id ?? null));
  };

  // With more than one team to write in, the team is asked first; with one, it is that one.
  const proceed = (then: Creating, team?: Team) => {
    if (then === 'new') navigate({ page: 'new-flow', ...(team ? { team: team.id } : {}) });
    else setDialog({ kind: then, ...(team ? { team } : {}) });
  };
  const start = (then: Creating) => {
    const choice = newFlowTeam(writable);
    if (choice.ask) setDialog({ kind: 'choose-team', then });
    else proceed(then, writable.find((t) => t.id === choice.team));
  };
  const openImport = () => start('import');
  const openTemplates = () => start('templates');
  const closeImport = () => {
    setDialog(null);
    imports.clear();
  };

  // Drops open the import dialog; while another dialog is open they are ignored (not opened by
  // the browser either, which would replace the editor with the file).
  const dragging = useFileDrop(
    (files) => {
      void imports.add(files);
      if (dialog?.kind !== 'import') start('import');
    },
    mayWriteAnyFlows(me) && (dialog === null || dialog.kind === 'import'),
  );
  useSlashFocus(searchBox, dialog === null && hasFlows);

  return (
    <div className="page flows-page">
      <FlowsHeader
        headingRef={heading}
        searchRef={searchBox}
        loaded={loaded}
        hasFlows={hasFlows}
        countText={flowCountText(flows.length, flows.filter((f) => f.enabled).length, shown.length, query)}
        query={query}
        onQuery={setQuery}
        mayCreate={mayWriteAnyFlows(me)}
        onNew={() => start('new')}
        onImport={openImport}
        onTemplates={openTemplates}
        exporting={exports.exporting}
        onExportAll={exports.exportAll}
      />

      {list.error && <FlowsLoadError error={list.error} loaded={loaded} loadedAt={list.loadedAt} refreshMs={FLOWS_REFRESH_MS} onRetry={list.refresh} />}
      {exports.error && <PageError message={exports.error} onDismiss={exports.dismissError} />}

      {!loaded && !list.error && (
        <div className="card" aria-busy="true">
          <div className="empty">Loading flows…</div>
        </div>
      )}
      {loaded && !hasFlows && <NoFlowsYet mayCreate={mayWriteAnyFlows(me)} onNew={() => start('new')} onTemplates={openTemplates} onImport={openImport} />}
      {loaded && hasFlows && (
        <div className="card flows-card">
          {shown.length > 0 ? (
            <FlowsTable
              flows={shown}
              teamName={(team) => teamName(team, teams)}
              mayWrite={(team) => mayWriteFlowsIn(me, team)}
              mayOperate={(team) => mayOperateIn(me, team)}
              pending={rows.pending}
              errors={rows.rowErrors}
              now={Date.now()}
              onToggle={rows.toggle}
              onDuplicate={(flow) => setDialog({ kind: 'duplicate', flow })}
              onExport={rows.exportOne}
              onDelete={(flow) => setDialog({ kind: 'delete', flow })}
              onDismissError={rows.dismissError}
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
      {dialog?.kind === 'templates' && (
        <TemplateGallery
          onClose={() => setDialog(null)}
          onChoose={(template) => {
            setDialog(null);
            const team = dialog.team;
            navigate({ page: 'new-flow', template: template.id, ...(team ? { team: team.id } : {}) });
          }}
        />
      )}
      {dialog?.kind === 'delete' && <DeleteFlowDialog flow={dialog.flow} onConfirm={() => remove(dialog.flow)} onCancel={() => setDialog(null)} />}
      {dialog?.kind === 'import' && (
        <ImportDialog
          existing={flows}
          files={imports.files}
          rejected={imports.rejected}
          onAddFiles={(files) => void imports.add(files)}
          onRemoveFile={imports.remove}
          onImported={list.refresh}
          onClose={closeImport}
          team={dialog.team}
        />
      )}
      {dialog?.kind === 'choose-team' && (
        <TeamChoiceDialog
          teams={writable}
          action={CREATING_TITLES[dialog.then]}
          onClose={() => (dialog.then === 'import' ? closeImport() : setDialog(null))}
          onChoose={(team) => proceed(dialog.then, team)}
        />
      )}
      {dragging && <FileDropOverlay />}
    </div>
  );
}
