import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { ArrowLeft, ClipboardPaste, Copy, Maximize2, Network, Play, Redo2, Save, Scissors, Undo2 } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { formatPath } from '../../../shared/errors.js';
import { api, ApiError, call, idParam } from '../api/client.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { SimulateResult } from '../../../shared/api-views.js';
import { copySelection, parseFragment } from '../canvas/clipboard.js';
import { FlowCanvas, type FlowCanvasHandle } from '../canvas/FlowCanvas.js';
import { emptyFlow } from '../canvas/model.js';
import type { CanvasOverlay } from '../canvas/overlay.js';
import { useEditorShortcuts } from '../canvas/shortcuts.js';
import { canonicalJson, currentFlow, useEditor } from '../canvas/store.js';
import { useFlowProblems, type LocatedIssue } from '../canvas/validation.js';
import type { PreviewContext } from '../config-form/ConfigForm.js';
import { FlowSettingsPanel } from '../panels/FlowSettingsPanel.js';
import { NodePanel } from '../panels/NodePanel.js';
import { Palette } from '../panels/Palette.js';
import { ProblemsPanel } from '../panels/ProblemsPanel.js';
import { manualSources, RunNowDialog } from '../panels/RunNowDialog.js';
import { overlayFromSimulation, previewVars, simulate } from '../panels/simulation.js';
import { defaultTestInput, TestPanel, type TestInput } from '../panels/TestPanel.js';
import { navigate, setLeaveGuard } from '../router.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';

/** `#/flows/<id>` edits a saved flow; `#/new` starts an empty one. */
export function FlowEditorPage({ flowId }: { flowId?: string }) {
  const [state, setState] = useState<'loading' | 'ready' | Error>('loading');
  const load = useEditor((s) => s.load);

  useEffect(() => {
    if (!flowId) {
      load(emptyFlow(), null);
      setState('ready');
      return;
    }
    call(api.flows[':id'].$get(idParam(flowId))).then(
      (stored) => {
        load(stored.flow, stored.revision);
        setState('ready');
      },
      (error: Error) => setState(error),
    );
  }, [flowId, load]);

  if (state === 'loading') return <div className="empty">Loading flow…</div>;
  if (state instanceof Error)
    return (
      <div className="page">
        <div className="banner error">
          {state instanceof ApiError && state.status === 404 ? `There is no flow “${flowId}”.` : `The flow could not be loaded: ${state.message}`}
        </div>
        <button type="button" onClick={() => navigate({ page: 'flows' })}>
          Back to flows
        </button>
      </div>
    );
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}

type SideTab = 'node' | 'test';
type Conflict = { currentRevision: number; message: string };

function Editor() {
  const s = useEditor(
    useShallow((st) => ({
      meta: st.meta,
      nodes: st.nodes,
      edges: st.edges,
      revision: st.revision,
      savedJson: st.savedJson,
      canUndo: st.past.length > 0,
      canRedo: st.future.length > 0,
    })),
  );
  const actions = useEditor.getState();
  const canvas = useRef<FlowCanvasHandle>(null);
  const addAtCentre = useCallback((type: string) => canvas.current?.addAtCentre(type), []);
  // The document, its problems and the dirty flag follow the canvas a frame behind: a drag of a
  // big flow redraws the canvas first and recomputes these when the browser has time.
  const docNodes = useDeferredValue(s.nodes);
  const docEdges = useDeferredValue(s.edges);
  const flow = useMemo(() => currentFlow({ meta: s.meta, nodes: docNodes, edges: docEdges }), [s.meta, docNodes, docEdges]);
  const flowJson = useMemo(() => JSON.stringify(flow), [flow]);
  const isNew = s.revision === null;
  const dirty = useMemo(() => (isNew ? flow.nodes.length > 0 : canonicalJson(flow) !== s.savedJson), [isNew, flow, s.savedJson]);
  const problems = useFlowProblems(flow);
  const [problemsOpen, setProblemsOpen] = useState(false);
  const [tab, setTab] = useState<SideTab>('node');
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [secrets, setSecrets] = useState<string[]>([]);
  const [runNowOpen, setRunNowOpen] = useState(false);
  // Run now runs the saved revision, so it is offered when that revision has a source.manual node.
  const savedFlow = useMemo(() => (s.savedJson ? (JSON.parse(s.savedJson) as Flow) : null), [s.savedJson]);
  const canRunByHand = !isNew && manualSources(savedFlow).length > 0;

  // Test state: the chosen sample, the last simulation, and the flow it was computed for.
  const [testInput, setTestInput] = useState<TestInput | null>(null);
  const [testResult, setTestResult] = useState<{ result: SimulateResult; flowJson: string } | null>(null);
  const [alertIndex, setAlertIndex] = useState(0);
  const [preview, setPreview] = useState<PreviewContext | null>(null);

  const selectedNodes = s.nodes.filter((n) => n.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0]! : null;

  useEffect(() => {
    call(api.secrets.$get()).then(
      (r) => setSecrets(r.items.map((i) => i.name)),
      () => setSecrets([]),
    );
  }, []);

  // A test needs a source; pick the first sample as soon as there is one.
  useEffect(() => {
    if (!testInput || !flow.nodes.some((n) => n.id === testInput.sourceNodeId)) setTestInput(defaultTestInput(flow));
  }, [flow, testInput]);

  // Live previews in the config form render against the chosen sample, normalized by its source.
  const sourceNode = testInput ? flow.nodes.find((n) => n.id === testInput.sourceNodeId) : undefined;
  const sourceConfigJson = JSON.stringify(sourceNode?.config ?? null);
  useEffect(() => {
    if (!testInput || !sourceNode) {
      setPreview(null);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(testInput.payloadText);
    } catch {
      setPreview(null);
      return;
    }
    const timer = setTimeout(() => {
      const steps: Record<string, unknown> = {};
      const sim = testResult?.result.alerts[alertIndex];
      for (const step of sim?.steps ?? []) steps[step.nodeId] = step.result ?? null;
      previewVars(flow, sourceNode.id, payload, steps).then(
        (vars) => setPreview({ vars, description: `${testInput.sample === 'custom' ? 'pasted payload' : `sample “${testInput.sample}”`}: ${vars.alert.name}` }),
        () => setPreview(null),
      );
    }, 300);
    return () => clearTimeout(timer);
    // Recomputed when the payload or the source's own config changes, not on every edit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [testInput?.payloadText, testInput?.sourceNodeId, sourceConfigJson, testResult, alertIndex]);

  const sim = testResult?.result.alerts[alertIndex];
  const nodeIdsKey = s.nodes.map((n) => n.id).join('\n');
  const allNodeIds = useMemo(() => nodeIdsKey.split('\n').filter(Boolean), [nodeIdsKey]);
  // Keyed by the ids, not the nodes: a new overlay would redraw every node on every drag frame.
  const simOverlay = useMemo(() => (sim ? overlayFromSimulation(sim, nodeIdsKey.split('\n')) : null), [sim, nodeIdsKey]);
  const overlay: CanvasOverlay = useMemo(
    () => ({ issues: problems.byNode, marks: simOverlay?.marks ?? new Map() }),
    [problems.byNode, simOverlay],
  );

  useEffect(() => {
    setLeaveGuard(() => (editorIsDirty() ? `“${useEditor.getState().meta.name}” has unsaved changes. Leave without saving?` : null));
    return () => setLeaveGuard(null);
  }, []);

  const save = useCallback(
    async (overwriteRevision?: number) => {
      const st = useEditor.getState();
      const doc = currentFlow(st);
      const found = problems.issues;
      if (doc.nodes.length === 0) {
        toast('Add at least an alert source before saving.', 'error');
        return;
      }
      if (found.length > 0) {
        setProblemsOpen(true);
        toast(`Fix ${found.length} problem${found.length === 1 ? '' : 's'} before saving (listed under the canvas).`, 'error');
        return;
      }
      setSaving(true);
      try {
        const stored =
          st.revision === null
            ? await call(api.flows.$post({ json: doc }))
            : await call(api.flows[':id'].$put({ ...idParam(doc.id), json: { revision: overwriteRevision ?? st.revision, flow: doc } }));
        actions.markSaved(stored.flow, stored.revision);
        if (st.revision === null) window.history.replaceState(null, '', `#/flows/${encodeURIComponent(stored.flow.id)}`);
        setConflict(null);
        toast(`Saved “${stored.flow.name}” (revision ${stored.revision}).`, 'success');
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && st.revision !== null) {
          const current = (error.details as { currentRevision?: number } | undefined)?.currentRevision;
          if (current) {
            setConflict({ currentRevision: current, message: error.message });
            return;
          }
        }
        const issues = error instanceof ApiError ? error.issues : [];
        toast(
          issues.length > 0
            ? `Not saved: ${issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`
            : `Not saved: ${(error as Error).message}`,
          'error',
        );
      } finally {
        setSaving(false);
      }
    },
    [actions, problems.issues],
  );

  const reloadFromServer = async () => {
    const st = useEditor.getState();
    const stored = await call(api.flows[':id'].$get(idParam(st.meta.id)));
    actions.load(stored.flow, stored.revision);
    setConflict(null);
    toast(`Reloaded revision ${stored.revision}.`, 'info');
  };

  const copy = () => {
    const st = useEditor.getState();
    return copySelection(st.meta, st.nodes, st.edges);
  };
  const pasteText = (text: string) => {
    const fragment = parseFragment(text);
    if (!fragment) {
      toast('The clipboard holds no Salve nodes (copy nodes, or a flow’s JSON, first).', 'error');
      return;
    }
    const centre = canvas.current?.viewCentre() ?? { x: 0, y: 0 };
    const ids = actions.paste(fragment, centre);
    toast(`Pasted ${ids.length} node${ids.length === 1 ? '' : 's'}.`, 'success');
  };

  useEditorShortcuts({
    save: () => void save(),
    undo: actions.undo,
    redo: actions.redo,
    deleteSelection: actions.deleteSelection,
    selectAll: actions.selectAll,
    copy,
    cut: () => {
      const text = copy();
      if (text) actions.deleteSelection();
      return text;
    },
    paste: pasteText,
  });

  // Toolbar buttons use the async clipboard API (keyboard shortcuts use clipboard events).
  const copyButton = async (cut: boolean) => {
    const text = copy();
    if (!text) return toast('Select nodes to copy first.', 'info');
    try {
      await navigator.clipboard.writeText(text);
      if (cut) actions.deleteSelection();
      toast(cut ? 'Cut to the clipboard.' : 'Copied to the clipboard as flow JSON.', 'success');
    } catch {
      toast('The browser refused clipboard access; use Ctrl/Cmd+C instead.', 'error');
    }
  };
  const pasteButton = async () => {
    try {
      pasteText(await navigator.clipboard.readText());
    } catch {
      toast('The browser refused clipboard access; use Ctrl/Cmd+V instead.', 'error');
    }
  };

  const runTest = async () => {
    if (!testInput) return;
    let payload: unknown;
    try {
      payload = JSON.parse(testInput.payloadText);
    } catch (error) {
      throw new Error(`The payload is not valid JSON: ${(error as Error).message}`);
    }
    const source = flow.nodes.find((n) => n.id === testInput.sourceNodeId);
    if (!source) throw new Error('Choose an alert source.');
    const result = await simulate(flow, source.type, payload);
    setAlertIndex(0);
    setTestResult({ result, flowJson });
  };

  const selectIssue = (issue: LocatedIssue) => {
    if (issue.nodeId) {
      actions.selectNodes([issue.nodeId]);
      setTab('node');
    } else {
      actions.selectNodes([]);
      setTab('node');
    }
  };

  const staleTest = testResult !== null && testResult.flowJson !== flowJson;

  return (
    <div className="editor">
      <div className="editor-toolbar" role="toolbar" aria-label="Flow editor">
        <button type="button" className="ghost icon" aria-label="Back to flows" title="Back to flows" onClick={() => navigate({ page: 'flows' })}>
          <ArrowLeft size={16} />
        </button>
        <div className="editor-title">
          <input
            aria-label="Flow name"
            value={s.meta.name}
            onChange={(e) => actions.setMeta({ name: e.target.value }, 'name')}
            data-testid="toolbar-flow-name"
          />
          <span className="mono">{s.meta.id}{isNew ? ' · not saved yet' : ` · revision ${s.revision}`}</span>
        </div>
        <span className={`status ${s.meta.enabled ? 'enabled' : ''}`} title={s.meta.enabled ? 'Alerts start this flow' : 'No alert starts this flow until it is enabled'}>
          {s.meta.enabled ? 'enabled' : 'disabled'}
        </span>
        {dirty ? (
          <span className="dirty" data-testid="dirty">
            ● Unsaved changes
          </span>
        ) : (
          <span className="saved" data-testid="saved">
            All changes saved
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="ghost icon" aria-label="Undo" title="Undo (Ctrl/Cmd+Z)" disabled={!s.canUndo} onClick={actions.undo} data-testid="undo">
          <Undo2 size={16} />
        </button>
        <button type="button" className="ghost icon" aria-label="Redo" title="Redo (Shift+Ctrl/Cmd+Z)" disabled={!s.canRedo} onClick={actions.redo} data-testid="redo">
          <Redo2 size={16} />
        </button>
        <span className="sep" />
        <button type="button" className="ghost icon" aria-label="Cut" title="Cut (Ctrl/Cmd+X)" disabled={selectedNodes.length === 0} onClick={() => copyButton(true)}>
          <Scissors size={16} />
        </button>
        <button type="button" className="ghost icon" aria-label="Copy" title="Copy as flow JSON (Ctrl/Cmd+C)" disabled={selectedNodes.length === 0} onClick={() => copyButton(false)}>
          <Copy size={16} />
        </button>
        <button type="button" className="ghost icon" aria-label="Paste" title="Paste nodes or a flow (Ctrl/Cmd+V)" onClick={pasteButton}>
          <ClipboardPaste size={16} />
        </button>
        <span className="sep" />
        <button type="button" className="ghost" title="Arrange the nodes left to right" onClick={() => {
            actions.autoLayout();
            requestAnimationFrame(() => canvas.current?.fitView());
          }}
          data-testid="auto-layout">
          <Network size={16} aria-hidden="true" /> Tidy up
        </button>
        <button type="button" className="ghost icon" aria-label="Fit view" title="Fit the flow in view" onClick={() => canvas.current?.fitView()}>
          <Maximize2 size={16} />
        </button>
        <span className="sep" />
        {!isNew && (
          <a className="button ghost" href={`#/runs?flow=${encodeURIComponent(s.meta.id)}`}>
            Runs
          </a>
        )}
        {canRunByHand && (
          <button
            type="button"
            onClick={() => setRunNowOpen(true)}
            disabled={dirty}
            title={dirty ? 'Save first: Run now runs the saved revision, not the unsaved changes' : 'Run the saved flow now from its “Run by hand” source'}
            data-testid="run-now"
          >
            <Play size={16} aria-hidden="true" /> Run now
          </button>
        )}
        <button type="button" className="primary" onClick={() => void save()} disabled={saving} title="Save (Ctrl/Cmd+S)" data-testid="save">
          <Save size={16} aria-hidden="true" /> {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
      <div className="editor-body">
        <Palette onAdd={addAtCentre} />
        <div className="editor-center">
          <FlowCanvas ref={canvas} overlay={overlay} highlightedEdges={simOverlay?.edges ?? null} />
          <ProblemsPanel issues={problems.issues} onSelect={selectIssue} open={problemsOpen} onToggle={setProblemsOpen} />
        </div>
        <aside className="side" aria-label="Details">
          <div className="side-tabs" role="tablist">
            <button type="button" role="tab" aria-selected={tab === 'node'} onClick={() => setTab('node')} data-testid="tab-node">
              {selected ? 'Node' : selectedNodes.length > 1 ? `${selectedNodes.length} nodes` : 'Flow'}
            </button>
            <button type="button" role="tab" aria-selected={tab === 'test'} onClick={() => setTab('test')} data-testid="tab-test">
              Test{testResult ? ' ●' : ''}
            </button>
          </div>
          {tab === 'test' ? (
            <TestPanel
              flow={flow}
              input={testInput}
              onInput={setTestInput}
              result={testResult?.result ?? null}
              stale={staleTest}
              alertIndex={alertIndex}
              onAlertIndex={setAlertIndex}
              onRun={runTest}
              onClear={() => setTestResult(null)}
              onSelectNode={(id) => actions.selectNodes([id])}
            />
          ) : selected ? (
            <NodePanel
              nodeId={selected.id}
              data={selected.data}
              issues={problems.issues}
              preview={preview}
              secrets={secrets}
              allNodeIds={allNodeIds}
              onConfig={actions.updateConfig}
              onLabel={actions.updateLabel}
              onRename={actions.renameNode}
              onDelete={actions.deleteSelection}
            />
          ) : selectedNodes.length > 1 ? (
            <div className="side-body">
              <h2>{selectedNodes.length} nodes selected</h2>
              <p className="muted">Move them together, copy them (Ctrl/Cmd+C) into another flow, or delete them (Delete).</p>
              <button type="button" className="danger" onClick={actions.deleteSelection}>
                Delete {selectedNodes.length} nodes
              </button>
            </div>
          ) : (
            <FlowSettingsPanel meta={s.meta} isNew={isNew} nodes={docNodes} issues={problems.issues} onChange={actions.setMeta} />
          )}
        </aside>
      </div>
      {runNowOpen && savedFlow && s.revision !== null && <RunNowDialog flow={savedFlow} revision={s.revision} onClose={() => setRunNowOpen(false)} />}
      {conflict && (
        <Dialog
          title="Someone else saved this flow"
          onClose={() => setConflict(null)}
          testId="conflict-dialog"
          footer={
            <>
              <button type="button" onClick={() => setConflict(null)}>
                Cancel
              </button>
              <button type="button" className="danger" onClick={() => void reloadFromServer()} data-testid="conflict-reload">
                Reload theirs (discard mine)
              </button>
              <button type="button" className="primary" onClick={() => void save(conflict.currentRevision)} data-testid="conflict-overwrite">
                Overwrite with mine
              </button>
            </>
          }
        >
          <p>{conflict.message}.</p>
          <p className="muted">
            Reload to see revision {conflict.currentRevision} (your changes are lost), or overwrite it with what you have on the canvas (their changes are lost; every saved revision stays in the flow’s history).
          </p>
        </Dialog>
      )}
    </div>
  );
}

/** Whether the open editor has unsaved work (read outside React, for the leave guard). */
function editorIsDirty(): boolean {
  const st = useEditor.getState();
  const doc = currentFlow(st);
  return st.revision === null ? doc.nodes.length > 0 : canonicalJson(doc) !== st.savedJson;
}
