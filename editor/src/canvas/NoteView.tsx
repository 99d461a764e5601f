import { memo } from 'react';
import { NodeResizer, NodeToolbar, Position, type NodeProps } from '@xyflow/react';
import { NOTE_COLORS, NOTE_TEXT_MAX_LENGTH } from '../../../shared/flow/schema.js';
import { noteDocId, type NoteNode } from './model.js';
import { useEditor } from './store.js';

/** Back to the canvas after typing, so its keyboard shortcuts work again. */
function focusCanvas(from: HTMLElement) {
  from.closest<HTMLElement>('.canvas-wrap')?.focus();
}

/**
 * A sticky note: a pale card of plain text (React renders it as text, never as HTML). Double-click
 * or Enter edits it; Escape or leaving the field ends the edit. It has no handles, so nothing
 * connects to it; the resizer shows while it is selected.
 */
export const NoteView = memo(function NoteView({ id, data, selected }: NodeProps<NoteNode>) {
  const editing = useEditor((s) => s.editingNote === id);
  const docId = noteDocId(id);
  const { updateNoteText, editNote, setNoteColor } = useEditor.getState();
  const color = data.color ?? 'yellow';

  return (
    <>
      <NodeResizer isVisible={Boolean(selected)} minWidth={120} minHeight={60} lineClassName="salve-note-resize-line" handleClassName="salve-note-resize-handle" />
      <NodeToolbar position={Position.Top} align="start" className="salve-note-colors" aria-label={`Colour of note ${docId}`}>
        {NOTE_COLORS.map((c) => (
          <button
            key={c}
            type="button"
            className={`salve-note-swatch color-${c}`}
            aria-label={`${c[0]!.toUpperCase()}${c.slice(1)} note`}
            title={`${c[0]!.toUpperCase()}${c.slice(1)}`}
            aria-pressed={c === color}
            onClick={() => setNoteColor(id, c)}
            data-testid={`note-color-${c}`}
          />
        ))}
      </NodeToolbar>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: double-click is the mouse's way to edit; the keyboard's is Enter on the selected note (shortcuts.ts) */}
      <div
        className={`salve-note color-${color}${selected ? ' selected' : ''}`}
        data-testid={`note-${docId}`}
        onDoubleClick={() => editNote(id)}
        title={editing ? undefined : 'Note: double-click or press Enter to edit'}
      >
        {editing ? (
          <textarea
            className="salve-note-input nodrag nowheel nopan"
            aria-label={`Text of note ${docId}`}
            data-testid={`note-input-${docId}`}
            // biome-ignore lint/a11y/noAutofocus: the operator asked to edit this note; typing goes straight into it
            autoFocus
            maxLength={NOTE_TEXT_MAX_LENGTH}
            value={data.text}
            placeholder="Write a note for whoever reads this flow…"
            onChange={(e) => updateNoteText(id, e.target.value)}
            onFocus={(e) => e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)}
            onBlur={() => editNote(null)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                focusCanvas(e.currentTarget);
              }
            }}
          />
        ) : (
          <div className={`salve-note-text${data.text ? '' : ' muted'}`}>{data.text || 'Empty note: double-click to write'}</div>
        )}
      </div>
    </>
  );
});

/**
 * A note in a read-only diagram (a run's flow, an approval's context): its text where the author
 * put it, nothing to edit, resize or recolour.
 */
export const StaticNoteView = memo(function StaticNoteView({ id, data }: NodeProps<NoteNode>) {
  return (
    <div className={`salve-note color-${data.color ?? 'yellow'}`} data-testid={`note-${noteDocId(id)}`}>
      <div className="salve-note-text">{data.text}</div>
    </div>
  );
});
