import { PanelRightClose, PanelRightOpen } from 'lucide-react';
import { useMemo, type ReactNode } from 'react';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import { expressionScope, type ScopeGraph } from '../../../shared/flow/expression-scope.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { FlowMeta, SalveNode } from '../canvas/model.js';
import { useEditor } from '../canvas/store.js';
import type { LocatedIssue } from '../canvas/validation.js';
import { FlowSettingsPanel } from '../panels/FlowSettingsPanel.js';
import { NodePanel } from '../panels/NodePanel.js';
import { TestPanel } from '../panels/TestPanel.js';
import { HelpPanel } from '../help/HelpPanel.js';
import type { useFlowTest } from './useFlowTest.js';
import type { SecretChoices } from '../secrets/useSecrets.js';

export type SideTab = 'node' | 'test' | 'replay' | 'history' | 'help';

interface Props {
  tab: SideTab;
  onTab: (tab: SideTab) => void;
  flow: Flow;
  meta: FlowMeta;
  isNew: boolean;
  /** A provisioned flow: the node and flow settings are shown, not editable. */
  readOnly?: boolean;
  /** The nodes as the document has them (for the flow settings). */
  docNodes: SalveNode[];
  selectedNodes: SalveNode[];
  issues: readonly LocatedIssue[];
  secrets: SecretChoices;
  test: ReturnType<typeof useFlowTest>;
  /** False: folded to a narrow strip, so the canvas gets the room. */
  open: boolean;
  onOpen: (open: boolean) => void;
  /** Opens the list of keyboard shortcuts (offered on the Help tab). */
  onShortcuts: () => void;
  /** The History tab's panel; null for a flow not saved yet (it has no history). */
  history: ReactNode | null;
  /** Flows a held run of this one may start (the guard rails' escalation). */
  escalationChoices: readonly { id: string; name: string }[];
  /** The Replay tab's panel (replay/ReplayPanel.tsx); `replayed`: a replay is shown. */
  replay: ReactNode;
  replayed: boolean;
}

/**
 * What the expressions of node `nodeId` can read. Keyed by the graph (ids, types, edges, var names), not the
 * flow: moving a node or typing in a field must not make a new scope (the node form redraws on one).
 */
function useExpressionScope(flow: Flow, nodeId: string | undefined) {
  const graphKey = JSON.stringify({
    // The config only of nodes that set `vars` (their names are part of the scope).
    nodes: flow.nodes.map((n) => ({ id: n.id, type: n.type, ...(lookupNodeSpec(n.type)?.setsVars ? { config: n.config } : {}) })),
    edges: flow.edges.map((e) => ({ source: e.source, target: e.target, sourcePort: e.sourcePort })),
  });
  return useMemo(() => (nodeId === undefined ? null : expressionScope(JSON.parse(graphKey) as ScopeGraph, nodeId, lookupNodeSpec)), [graphKey, nodeId]);
}

/**
 * The side panel: the Node tab shows the selected node's config (or what to do with several, or
 * the flow's settings when none is selected); the Test tab runs a sample through the flow; the
 * Replay tab runs the draft against the alerts received and compares it with the saved flow; the
 * History tab (saved flows) lists and compares revisions.
 */
export function EditorSide({ tab, onTab, flow, meta, isNew, readOnly = false, docNodes, selectedNodes, issues, secrets, test, open, onOpen, onShortcuts, history, replay, replayed, escalationChoices }: Props) {
  const actions = useEditor.getState();
  const selected = selectedNodes.length === 1 ? selectedNodes[0]! : null;
  // Every field and button of a read-only flow's settings is disabled at once (the Test tab stays usable).
  const lock = (panel: ReactNode) =>
    readOnly ? (
      <fieldset disabled className="read-only-lock" data-testid="read-only-lock">
        {panel}
      </fieldset>
    ) : (
      panel
    );
  const scope = useExpressionScope(flow, selected?.id);
  const nodeTab = selected ? 'Node' : selectedNodes.length > 1 ? `${selectedNodes.length} nodes` : 'Flow';
  if (!open) {
    // Folded: the strip still says what unfolding shows (the selected node, or the flow).
    const showing = tab === 'test' ? 'Test' : tab === 'replay' ? 'Replay' : tab === 'help' ? 'Help' : tab === 'history' ? 'History' : selected ? `Node ${selected.id}` : nodeTab;
    return (
      <aside className="side side-folded" aria-label="Details">
        <button
          type="button"
          className="ghost icon"
          aria-label={`Show the details panel (${showing})`}
          title={`Show the details panel (${showing})`}
          aria-expanded={false}
          onClick={() => onOpen(true)}
          data-testid="side-show"
        >
          <PanelRightOpen size={16} aria-hidden="true" />
        </button>
        <span className="folded-label" aria-hidden="true">
          {showing}
        </span>
      </aside>
    );
  }
  return (
    <aside className="side" aria-label="Details" data-testid="side">
      <div className="side-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'node'} onClick={() => onTab('node')} data-testid="tab-node">
          {nodeTab}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'test'} onClick={() => onTab('test')} data-testid="tab-test">
          Test{test.result ? ' ●' : ''}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'replay'} onClick={() => onTab('replay')} data-testid="tab-replay" title="Replay this draft against the alerts Salve received">
          Replay{replayed ? ' ●' : ''}
        </button>
        {history !== null && (
          <button type="button" role="tab" aria-selected={tab === 'history'} onClick={() => onTab('history')} data-testid="tab-history" title="Who saved which revision; compare and roll back">
            History
          </button>
        )}
        <button type="button" role="tab" aria-selected={tab === 'help'} onClick={() => onTab('help')} data-testid="tab-help" title="The reference of the selected node's type (Shift+H)">
          Help
        </button>
        <button
          type="button"
          className="side-fold"
          aria-label="Hide the details panel"
          title="Hide the details panel"
          aria-expanded={true}
          onClick={() => onOpen(false)}
          data-testid="side-hide"
        >
          <PanelRightClose size={16} aria-hidden="true" />
        </button>
      </div>
      {tab === 'history' && history !== null ? (
        history
      ) : tab === 'replay' ? (
        replay
      ) : tab === 'help' ? (
        <HelpPanel key={selected?.data.type ?? ''} type={selected?.data.type ?? null} onShortcuts={onShortcuts} />
      ) : tab === 'test' ? (
        <TestPanel
          flow={flow}
          input={test.input}
          onInput={test.setInput}
          result={test.result}
          stale={test.stale}
          alertIndex={test.alertIndex}
          onAlertIndex={test.setAlertIndex}
          onRun={test.run}
          onClear={test.clear}
          onSelectNode={(id) => actions.selectNodes([id])}
        />
      ) : selected && scope ? (
        lock(
        <NodePanel
          nodeId={selected.id}
          data={selected.data}
          issues={issues}
          preview={test.preview}
          secrets={secrets}
          scope={scope}
          onConfig={actions.updateConfig}
          onLabel={actions.updateLabel}
          onRetry={actions.updateRetry}
          onResolved={actions.updateOnResolved}
          onRename={actions.renameNode}
          onDelete={actions.deleteSelection}
        />,
        )
      ) : selectedNodes.length > 1 ? (
        lock(
        <div className="side-body">
          <h2>{selectedNodes.length} nodes selected</h2>
          <p className="muted">Move them together, copy them (Ctrl/Cmd+C) into another flow, or delete them (Delete).</p>
          <button type="button" className="danger" onClick={actions.deleteSelection}>
            Delete {selectedNodes.length} nodes
          </button>
        </div>,
        )
      ) : (
        lock(
          <FlowSettingsPanel
            meta={meta}
            isNew={isNew}
            nodes={docNodes}
            issues={issues}
            onChange={actions.setMeta}
            preview={test.preview}
            escalationChoices={escalationChoices}
          />,
        )
      )}
    </aside>
  );
}
