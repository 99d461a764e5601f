import { memo, useMemo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { TriangleAlert } from 'lucide-react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { NodeIcon } from '../ui/icons.js';
import { MARK_LABELS, useCanvasOverlay } from './overlay.js';
import type { SalveNode } from './model.js';
import { NoteView, StaticNoteView } from './NoteView.js';

/** The canvas line for a node's config, or why there is none yet. */
function summaryOf(type: string, config: Record<string, unknown>): { text: string; ok: boolean } {
  const def = getNodeDefinition(type);
  if (!def) return { text: `unknown node type "${type}"`, ok: false };
  const parsed = def.configSchema.safeParse(config);
  if (!parsed.success) return { text: 'Not configured yet', ok: false };
  try {
    return { text: def.summary(parsed.data), ok: true };
  } catch {
    return { text: def.label, ok: true };
  }
}

/**
 * One node on the canvas: icon, name, one-line summary, an input handle (not on sources) and
 * one labelled handle per output port. Problems show as a badge; a run or test marks the node.
 */
const SalveNodeView = memo(function SalveNodeView({ id, data, selected }: NodeProps<SalveNode>) {
  const def = getNodeDefinition(data.type);
  const overlay = useCanvasOverlay();
  const issues = overlay.issues.get(id);
  const mark = overlay.marks.get(id);
  // Parsing the config is the costly part of drawing a node; a drag changes only its position.
  const summary = useMemo(() => summaryOf(data.type, data.config), [data.type, data.config]);
  const outputs = def?.outputs ?? [];
  const category = def?.category ?? 'unknown';
  const title = data.label || def?.label || data.type;

  return (
    <div
      className={`salve-node cat-${category}${selected ? ' selected' : ''}${mark ? ` mark-${mark.mark}` : ''}${issues ? ' has-issues' : ''}`}
      data-testid={`node-${id}`}
      data-mark={mark?.mark}
    >
      {category !== 'source' && <Handle type="target" position={Position.Left} className="salve-handle-in" />}
      <div className="salve-node-header">
        <span className="salve-node-icon">
          <NodeIcon name={def?.icon ?? 'unknown'} size={15} />
        </span>
        <span className="salve-node-title" title={title}>
          {title}
        </span>
        {issues && (
          <span
            className="salve-node-badge"
            role="img"
            aria-label={`${issues.length} problem${issues.length === 1 ? '' : 's'}: ${issues.join('; ')}`}
            title={issues.join('\n')}
            data-testid={`node-issues-${id}`}
          >
            <TriangleAlert size={13} aria-hidden="true" />
            {issues.length}
          </span>
        )}
      </div>
      <div className="salve-node-meta">
        <span className="mono">{id}</span>
        {def && data.label ? <span> · {def.label}</span> : null}
      </div>
      <div className={`salve-node-summary${summary.ok ? '' : ' muted'}`} title={summary.text}>
        {summary.text}
      </div>
      {mark && (
        <div className="salve-node-mark" data-testid={`node-mark-${id}`}>
          {MARK_LABELS[mark.mark]}
          {mark.note ? ` · ${mark.note}` : ''}
        </div>
      )}
      {outputs.length === 1 ? (
        <Handle type="source" id={outputs[0]} position={Position.Right} className="salve-handle-out" aria-label={`${id} output`} />
      ) : (
        <div className="salve-node-ports">
          {outputs.map((port) => (
            <div key={port} className="salve-port" data-port={port}>
              <span className="salve-port-label">{port}</span>
              <Handle
                type="source"
                id={port}
                position={Position.Right}
                className={`salve-handle-out port-${port}`}
                data-testid={`handle-${id}-${port}`}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});

/** Registered once, outside components (React Flow warns when the map changes identity). */
export const NODE_TYPES = { salve: SalveNodeView, note: NoteView };
/** The read-only diagram's (a run, an approval): notes are shown as they are, never edited. */
export const DIAGRAM_NODE_TYPES = { salve: SalveNodeView, note: StaticNoteView };
