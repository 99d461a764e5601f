import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { ConnectPicker } from '../canvas/ConnectPicker.js';
import { FlowCanvas, type FlowCanvasHandle } from '../canvas/FlowCanvas.js';
import { useEditor } from '../canvas/store.js';
import { useFlowProblems, type LocatedIssue } from '../canvas/validation.js';
import { Palette, type PaletteLayout } from '../panels/Palette.js';
import { ProblemsPanel } from '../panels/ProblemsPanel.js';
import { manualSources, RunNowDialog } from '../panels/RunNowDialog.js';
import type { TestInput } from '../panels/TestPanel.js';
import { setLeaveGuard } from '../router.js';
import { useStoredChoice } from '../ui/stored-choice.js';
import { toast } from '../ui/toast.js';
import { ConflictDialog } from './ConflictDialog.js';
import { EditorSide, type SideTab } from './EditorSide.js';
import { EditorToolbar } from './EditorToolbar.js';
import { FlowSearch } from './FlowSearch.js';
import { ShortcutsDialog } from '../help/ShortcutsDialog.js';
import { useHelpKeys } from './useHelpKeys.js';
import { editorIsDirty } from './unsaved.js';
import { useCanvasClipboard } from './useCanvasClipboard.js';
import { useCanvasOverlay } from './useCanvasOverlay.js';
import { useEditorDocument } from './useEditorDocument.js';
import { useFlowTest } from './useFlowTest.js';
import { useSaveFlow } from './useSaveFlow.js';
import { useSecrets } from '../secrets/useSecrets.js';
import { useAccount } from '../accounts/me.js';
import { mayOperateIn, mayWriteFlowsIn } from '../accounts/access.js';
import { HistoryPanel, type Comparison } from '../history/HistoryPanel.js';
import { RevisionCompareCanvas } from '../history/RevisionCompareCanvas.js';
import { useEscalationChoices } from '../limits/useEscalationChoices.js';
import { FlowBreaker } from '../limits/FlowBreaker.js';
import { ReplayPanel } from '../replay/ReplayPanel.js';
import { useReplayOverlay } from '../replay/useReplayOverlay.js';
import { useFlowReplay } from '../replay/useFlowReplay.js';

/**
 * The flow editor once its flow is loaded: toolbar, palette, canvas with problems, side panel
 * (`initialTab` `test`: open on the Test tab, e.g. with a delivery chosen on the Events page).
 * `initialTest` opens the Test tab with that input (a flow made from a template, with its sample).
 */
export function Editor({
  initialTab,
  initialTest,
  team,
  provisioned,
}: { initialTab?: 'test'; initialTest?: TestInput; team?: string; provisioned?: { file: string } } = {}) {
  // A flow from a flows directory is read-only here: it is changed in its file (the API refuses saves too).
  const readOnly = provisioned !== undefined;
  const doc = useEditorDocument();
  const canvas = useRef<FlowCanvasHandle>(null);
  const addAtCentre = useCallback((type: string) => canvas.current?.addAtCentre(type), []);
  const problems = useFlowProblems();
  const [problemsOpen, setProblemsOpen] = useState(false);
  const [tab, setTab] = useState<SideTab>(initialTab ?? (initialTest ? 'test' : 'node'));
  const [runNowOpen, setRunNowOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  const [searchMatches, setSearchMatches] = useState<ReadonlySet<string> | null>(null);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [comparedNode, setComparedNode] = useState<string>();
  const { me } = useAccount();
  const layout = usePanelLayout();
  // Sent here to see a test payload: a folded side panel would hide it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on arrival, not when the operator folds it later
  useEffect(() => {
    if (initialTab === 'test' && !layout.side.open) layout.side.setOpen(true);
  }, []);
  const secrets = useSecrets();
  const escalationChoices = useEscalationChoices(doc.meta.id, team);
  const test = useFlowTest(doc.flow, doc.flowJson, initialTest);
  const testOverlay = useCanvasOverlay(test.sim, doc.nodeIdsKey, problems.byNode);
  const replay = useFlowReplay(doc.flow, doc.flowJson, team);
  // On the Replay tab with an alert chosen, the canvas shows both of its paths instead of the test's.
  const replayOverlay = useReplayOverlay(tab === 'replay' ? replay.run : undefined, doc.nodeIdsKey, problems.byNode);
  const { overlay, highlightedEdges } = replayOverlay ?? testOverlay;
  // A chosen alert's paths are drawn on the whole flow: fit it into view so both can be seen.
  useEffect(() => {
    if (replay.run) requestAnimationFrame(() => canvas.current?.fitView());
  }, [replay.run]);
  const openProblems = useCallback(() => setProblemsOpen(true), []);
  const saver = useSaveFlow(problems.checkNow, openProblems, team);
  const [connectFrom, setConnectFrom] = useState<string | null>(null);
  const addNote = useCallback(() => canvas.current?.addNoteAtCentre(), []);
  const openConnect = useCallback(() => {
    const selected = useEditor.getState().nodes.filter((n) => n.selected);
    if (selected.length !== 1) return toast('Select one node to connect from, then press C.', 'info');
    const node = selected[0]!;
    if ((getNodeDefinition(node.data.type)?.outputs.length ?? 0) === 0) return toast(`“${node.id}” has no output ports to connect from.`, 'info');
    setConnectFrom(node.id);
  }, []);
  const closeConnect = useCallback(() => {
    setConnectFrom(null);
    // After the dialog has given focus back, so the canvas's shortcuts work at once.
    requestAnimationFrame(() => canvas.current?.focus());
  }, []);
  const clipboard = useCanvasClipboard(canvas, () => void saver.save(), readOnly ? provisionedMessage(provisioned.file) : null, {
    addNote,
    connectFrom: openConnect,
    editNote: () => {
      const st = useEditor.getState();
      const notes = st.notes.filter((n) => n.selected);
      if (notes.length !== 1 || st.nodes.some((n) => n.selected)) return false;
      st.editNote(notes[0]!.id);
      return true;
    },
  });
  // Run now runs the saved revision, so it is offered when that revision has a source a person starts (a manual trigger).
  const canRunByHand = !doc.isNew && manualSources(doc.savedFlow).length > 0;

  useEffect(() => {
    setLeaveGuard(() => (editorIsDirty() ? `“${useEditor.getState().meta.name}” has unsaved changes. Leave without saving?` : null));
    return () => setLeaveGuard(null);
  }, []);

  const tidy = () => {
    useEditor.getState().autoLayout();
    requestAnimationFrame(() => canvas.current?.fitView());
  };
  const openHelp = () => {
    layout.side.setOpen(true);
    setTab('help');
  };
  useHelpKeys({
    shortcuts: () => setShortcutsOpen(true),
    search: () => setSearchOpen(true),
    help: openHelp,
    fit: () => canvas.current?.fitView(),
    tidy,
  });
  const chooseSearchHit = (id: string) => {
    useEditor.getState().selectNodes([id]);
    canvas.current?.centerOn(id);
  };
  const closeSearch = () => {
    setSearchOpen(false);
    canvas.current?.focus();
  };

  const selectIssue = (issue: LocatedIssue) => {
    useEditor.getState().selectNodes(issue.nodeId ? [issue.nodeId] : []);
    setTab('node');
  };

  return (
    <div className={`editor${provisioned ? ' with-banner' : ''}`}>
      <EditorToolbar
        meta={doc.meta}
        team={team}
        revision={doc.revision}
        dirty={doc.dirty}
        canUndo={doc.canUndo}
        canRedo={doc.canRedo}
        selectionCount={doc.selectedNodes.length}
        canRunByHand={canRunByHand}
        mayOperate={team !== undefined && mayOperateIn(me, team)}
        saving={saver.saving}
        readOnly={readOnly}
        canvas={canvas}
        onSave={() => void saver.save()}
        onRunNow={() => setRunNowOpen(true)}
        onCopy={(cut) => void clipboard.copyButton(cut)}
        onPaste={() => void clipboard.pasteButton()}
        onTidy={tidy}
      />
      {provisioned && (
        <p className="banner info provisioned-banner" role="status" data-testid="provisioned-banner">
          This flow is provisioned from <code>{provisioned.file}</code> (read-only): change it in git. Salve applies the file when it changes; you can
          still test it, run it and read its history here.
        </p>
      )}
      <p className="banner info editor-narrow-note">Editing a flow needs a wider screen. On a phone, Runs and Approvals work.</p>
      {!doc.isNew && <FlowBreaker flowId={doc.meta.id} flowName={doc.meta.name} team={team} />}
      <div className={`editor-body with-palette-${layout.paletteClass} with-side-${layout.side.open ? 'open' : 'folded'}`}>
        <Palette onAdd={addAtCentre} disabled={readOnly} layout={layout.palette} onLayout={layout.setPalette} />
        <div className="editor-center">
          {comparison && tab === 'history' && (
            <RevisionCompareCanvas comparison={comparison} selectedNodeId={comparedNode} onNodeClick={setComparedNode} onClose={() => setComparison(null)} />
          )}
          <FlowCanvas ref={canvas} readOnly={readOnly} overlay={overlay} highlightedEdges={highlightedEdges} edgeClasses={replayOverlay?.edgeClasses} searchMatches={searchOpen ? searchMatches : null} onSearch={() => setSearchOpen(true)} onConnectFrom={openConnect} />
          {searchOpen && <FlowSearch onMatches={setSearchMatches} onChoose={chooseSearchHit} onClose={closeSearch} />}
          <ProblemsPanel issues={problems.issues} onSelect={selectIssue} open={problemsOpen} onToggle={setProblemsOpen} />
        </div>
        <EditorSide
          tab={tab}
          onTab={setTab}
          flow={doc.flow}
          meta={doc.meta}
          isNew={doc.isNew}
          readOnly={readOnly}
          docNodes={doc.docNodes}
          selectedNodes={doc.selectedNodes}
          issues={problems.issues}
          secrets={secrets}
          test={test}
          open={layout.side.open}
          onOpen={layout.side.setOpen}
          onShortcuts={() => setShortcutsOpen(true)}
          escalationChoices={escalationChoices}
          replayed={replay.result !== null}
          replay={
            <ReplayPanel
              result={replay.result}
              stale={replay.stale}
              selected={replay.selected}
              onSelect={replay.select}
              onReplay={replay.replay}
              onClear={replay.clear}
              missingFromDraft={replayOverlay?.missing ?? []}
            />
          }
          history={
            doc.isNew || doc.revision === null ? null : (
              <HistoryPanel
                flowId={doc.meta.id}
                revision={doc.revision}
                dirty={doc.dirty}
                mayWrite={!readOnly && team !== undefined && mayWriteFlowsIn(me, team)}
                comparison={comparison}
                onCompare={setComparison}
                onRolledBack={(stored) => useEditor.getState().load(stored.flow, stored.revision)}
                onSelectNode={setComparedNode}
              />
            )
          }
        />
      </div>
      {shortcutsOpen && <ShortcutsDialog onClose={() => setShortcutsOpen(false)} />}
      {runNowOpen && doc.savedFlow && doc.revision !== null && <RunNowDialog flow={doc.savedFlow} revision={doc.revision} onClose={() => setRunNowOpen(false)} />}
      {connectFrom && <ConnectPicker sourceId={connectFrom} onClose={closeConnect} />}
      {saver.conflict && (
        <ConflictDialog
          conflict={saver.conflict}
          onCancel={saver.dismissConflict}
          onReload={() => void saver.reloadFromServer()}
          onOverwrite={() => void saver.save(saver.conflict!.currentRevision)}
        />
      )}
    </div>
  );
}

/** What the editor says when an edit is tried on a provisioned flow. */
const provisionedMessage = (file: string) => `This flow is provisioned from ${file} (read-only): change the file in git.`;

/**
 * Which panels are folded and whether the palette is compact, remembered in this browser
 * (see stored-choice.ts), so the canvas keeps the room the operator gave it.
 */
function usePanelLayout() {
  const [paletteOpen, setPaletteOpen] = useStoredChoice('salve.editor.palette', ['open', 'folded'] as const, 'open');
  // Until the operator chooses, a laptop-sized window starts with the compact palette.
  const [paletteSize, setPaletteSize] = useStoredChoice('salve.editor.palette-size', ['full', 'compact'] as const, window.innerWidth < 1280 ? 'compact' : 'full');
  const [side, setSide] = useStoredChoice('salve.editor.side', ['open', 'folded'] as const, 'open');
  const palette = useMemo<PaletteLayout>(() => ({ open: paletteOpen === 'open', compact: paletteSize === 'compact' }), [paletteOpen, paletteSize]);
  const setPalette = useCallback(
    (next: PaletteLayout) => {
      setPaletteOpen(next.open ? 'open' : 'folded');
      setPaletteSize(next.compact ? 'compact' : 'full');
    },
    [setPaletteOpen, setPaletteSize],
  );
  return {
    palette,
    setPalette,
    paletteClass: !palette.open ? 'folded' : palette.compact ? 'compact' : 'full',
    side: { open: side === 'open', setOpen: (open: boolean) => setSide(open ? 'open' : 'folded') },
  };
}
