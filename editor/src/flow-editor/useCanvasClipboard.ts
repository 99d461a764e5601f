import type { RefObject } from 'react';
import { copySelection, parseFragment } from '../canvas/clipboard.js';
import { isNoteId } from '../canvas/model.js';
import type { FlowCanvasHandle } from '../canvas/FlowCanvas.js';
import { useEditorShortcuts, type ShortcutHandlers } from '../canvas/shortcuts.js';
import { useEditor } from '../canvas/store.js';
import { toast } from '../ui/toast.js';

/**
 * Copy, cut and paste of nodes as flow JSON, and the editor's keyboard (`save` on Ctrl/Cmd+S).
 * Shortcuts use the browser's clipboard events; the toolbar buttons use the async clipboard API,
 * which the browser may refuse.
 */
export function useCanvasClipboard(
  canvas: RefObject<FlowCanvasHandle | null>,
  save: () => void,
  /** Set for a read-only flow: every shortcut that would change it shows this instead. */
  readOnly: string | null,
  /** The shortcuts that open things on the canvas (a note, the connect picker). */
  canvasKeys: Pick<ShortcutHandlers, 'addNote' | 'connectFrom' | 'editNote'>,
) {
  const actions = useEditor.getState();

  const copy = () => {
    const st = useEditor.getState();
    return copySelection(st.meta, st.nodes, st.edges, st.notes);
  };
  const pasteText = (text: string) => {
    const fragment = parseFragment(text);
    if (!fragment) {
      toast('The clipboard holds no Salve nodes or notes (copy nodes, or a flow’s JSON, first).', 'error');
      return;
    }
    const centre = canvas.current?.viewCentre() ?? { x: 0, y: 0 };
    const ids = actions.paste(fragment, centre);
    const notes = ids.filter(isNoteId).length;
    const nodes = ids.length - notes;
    const parts = [nodes > 0 && `${nodes} node${nodes === 1 ? '' : 's'}`, notes > 0 && `${notes} note${notes === 1 ? '' : 's'}`].filter(Boolean);
    toast(`Pasted ${parts.join(' and ')}.`, 'success');
  };

  const refuse = () => toast(readOnly ?? '', 'info');
  useEditorShortcuts(
    readOnly === null
      ? {
          save,
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
          ...canvasKeys,
        }
      : {
          // Selecting and copying read nothing but the canvas: still allowed.
          save: refuse,
          undo: refuse,
          redo: refuse,
          deleteSelection: refuse,
          selectAll: actions.selectAll,
          copy,
          cut: () => {
            refuse();
            return null;
          },
          paste: refuse,
          addNote: refuse,
          connectFrom: refuse,
          editNote: () => false,
        },
  );

  /** The Cut and Copy buttons. */
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
  /** The Paste button. */
  const pasteButton = async () => {
    try {
      pasteText(await navigator.clipboard.readText());
    } catch {
      toast('The browser refused clipboard access; use Ctrl/Cmd+V instead.', 'error');
    }
  };

  return { copyButton, pasteButton };
}
