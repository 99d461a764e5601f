import type { RefObject } from 'react';
import { ArrowLeft, ClipboardPaste, Copy, Maximize2, Network, Play, Redo2, Save, Scissors, Undo2 } from 'lucide-react';
import type { FlowCanvasHandle } from '../canvas/FlowCanvas.js';
import type { FlowMeta } from '../canvas/model.js';
import { useEditor } from '../canvas/store.js';
import { navigate } from '../router.js';
import { FlowTeam } from '../accounts/FlowTeam.js';

interface Props {
  meta: FlowMeta;
  /** The team that owns the flow (or that a new one is created in), when known. */
  team?: string;
  revision: number | null;
  dirty: boolean;
  canUndo: boolean;
  canRedo: boolean;
  /** How many nodes are selected (Cut and Copy need one). */
  selectionCount: number;
  /** Offered when the saved revision has a "Run by hand" source. */
  canRunByHand: boolean;
  /** Whether the caller may run it (an operator of its team): Run now is disabled with the reason otherwise. */
  mayOperate: boolean;
  saving: boolean;
  canvas: RefObject<FlowCanvasHandle | null>;
  onSave: () => void;
  onRunNow: () => void;
  onCopy: (cut: boolean) => void;
  onPaste: () => void;
  onTidy: () => void;
}

/** The editor's toolbar: back, the flow's name and state, undo/redo, clipboard, layout, Runs, Run now, Save. */
export function EditorToolbar({ meta, team, revision, dirty, canUndo, canRedo, selectionCount, canRunByHand, mayOperate, saving, canvas, onSave, onRunNow, onCopy, onPaste, onTidy }: Props) {
  const actions = useEditor.getState();
  // Notes are copied and cut with the nodes, so a selected note alone enables the buttons too.
  const canCopy = useEditor((s) => selectionCount > 0 || s.notes.some((n) => n.selected));
  const isNew = revision === null;
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Flow editor">
      <button type="button" className="ghost icon" aria-label="Back to flows" title="Back to flows" onClick={() => navigate({ page: 'flows' })}>
        <ArrowLeft size={16} />
      </button>
      <div className="editor-title">
        <input aria-label="Flow name" value={meta.name} onChange={(e) => actions.setMeta({ name: e.target.value }, 'name')} data-testid="toolbar-flow-name" />
        <span className="mono">
          {meta.id}
          {!isNew && ` · revision ${revision}`}
          {team && <FlowTeam team={team} isNew={isNew} />}
        </span>
      </div>
      <span className={`status ${meta.enabled ? 'enabled' : ''}`} title={meta.enabled ? 'Alerts start this flow' : 'No alert starts this flow until it is enabled'}>
        {meta.enabled ? 'enabled' : 'disabled'}
      </span>
      {/* A flow never saved has nothing to be "all saved" against: it only says so. */}
      {isNew ? (
        <span className="dirty" data-testid="not-saved-yet">
          ● Not saved yet
        </span>
      ) : dirty ? (
        <span className="dirty" data-testid="dirty">
          ● Unsaved changes
        </span>
      ) : (
        <span className="saved" data-testid="saved">
          All changes saved
        </span>
      )}
      <span className="spacer" />
      <button type="button" className="ghost icon" aria-label="Undo" title="Undo (Ctrl/Cmd+Z)" disabled={!canUndo} onClick={actions.undo} data-testid="undo">
        <Undo2 size={16} />
      </button>
      <button type="button" className="ghost icon" aria-label="Redo" title="Redo (Shift+Ctrl/Cmd+Z)" disabled={!canRedo} onClick={actions.redo} data-testid="redo">
        <Redo2 size={16} />
      </button>
      <span className="sep" />
      <button type="button" className="ghost icon" aria-label="Cut" title="Cut (Ctrl/Cmd+X)" disabled={!canCopy} onClick={() => onCopy(true)}>
        <Scissors size={16} />
      </button>
      <button type="button" className="ghost icon" aria-label="Copy" title="Copy as flow JSON (Ctrl/Cmd+C)" disabled={!canCopy} onClick={() => onCopy(false)}>
        <Copy size={16} />
      </button>
      <button type="button" className="ghost icon" aria-label="Paste" title="Paste nodes or a flow (Ctrl/Cmd+V)" onClick={onPaste}>
        <ClipboardPaste size={16} />
      </button>

      <span className="sep" />
      <button
        type="button"
        className="ghost"
        title="Tidy up: arrange the nodes left to right (Shift+T)"
        onClick={onTidy}
        data-testid="auto-layout"
      >
        <Network size={16} aria-hidden="true" /> <span className="toolbar-label">Tidy up</span>
      </button>
      <button type="button" className="ghost icon" aria-label="Fit view" title="Fit view: the flow at a readable size, from its sources (Shift+F)" onClick={() => canvas.current?.fitView()}>
        <Maximize2 size={16} />
      </button>
      <span className="sep" />
      {!isNew && (
        <a className="button ghost" href={`#/runs?flow=${encodeURIComponent(meta.id)}`}>
          Runs
        </a>
      )}
      {canRunByHand && (
        <button
          type="button"
          onClick={onRunNow}
          disabled={dirty || !mayOperate}
          title={
            !mayOperate
              ? 'Only operators of this flow’s team can run it by hand'
              : dirty
                ? 'Save first: Run now runs the saved revision, not the unsaved changes'
                : 'Run the saved flow now from its “Run by hand” source'
          }
          data-testid="run-now"
        >
          <Play size={16} aria-hidden="true" /> Run now
        </button>
      )}
      <button type="button" className="primary" onClick={onSave} disabled={saving} title="Save (Ctrl/Cmd+S)" data-testid="save">
        <Save size={16} aria-hidden="true" /> {saving ? 'Saving…' : 'Save'}
      </button>
    </div>
  );
}
