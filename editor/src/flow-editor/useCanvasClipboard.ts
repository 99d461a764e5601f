import type { RefObject } from 'react';
import { copySelection, parseFragment } from '../canvas/clipboard.js';
import type { FlowCanvasHandle } from '../canvas/FlowCanvas.js';
import { useEditorShortcuts } from '../canvas/shortcuts.js';
import { useEditor } from '../canvas/store.js';
import { toast } from '../ui/toast.js';

/**
 * Copy, cut and paste of nodes as flow JSON, and the editor's keyboard (`save` on Ctrl/Cmd+S).
 * Shortcuts use the browser's clipboard events; the toolbar buttons use the async clipboard API,
 * which the browser may refuse.
 */
export function useCanvasClipboard(canvas: RefObject<FlowCanvasHandle | null>, save: () => void) {
  const actions = useEditor.getState();

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
  });

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
