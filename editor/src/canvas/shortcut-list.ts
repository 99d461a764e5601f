/**
 * Every keyboard shortcut of the flow editor, as the `?` dialog lists them: the one list. A new
 * shortcut is one line here (plus its handler, in shortcuts.ts or useHelpKeys.ts).
 */
export interface ShortcutEntry {
  /** Keys as written for people, e.g. `Ctrl/Cmd+S`. */
  keys: string;
  does: string;
}

export const EDITOR_SHORTCUTS: readonly ShortcutEntry[] = [
  { keys: 'Ctrl/Cmd+S', does: 'Save the flow (also while typing in a field)' },
  { keys: 'Ctrl/Cmd+Z', does: 'Undo' },
  { keys: 'Shift+Ctrl/Cmd+Z or Ctrl+Y', does: 'Redo' },
  { keys: 'Ctrl/Cmd+C', does: 'Copy the selected nodes as flow JSON' },
  { keys: 'Ctrl/Cmd+X', does: 'Cut the selected nodes' },
  { keys: 'Ctrl/Cmd+V', does: 'Paste nodes or a whole flow' },
  { keys: 'Delete or Backspace', does: 'Delete the selected nodes and edges' },
  { keys: 'Ctrl/Cmd+A', does: 'Select every node' },
  { keys: 'Shift+drag', does: 'Select the nodes in a rectangle' },
  { keys: 'N', does: 'Add a sticky note in the middle of the view' },
  { keys: 'Enter (on a selected note)', does: 'Edit the note’s text; Esc or a click elsewhere finishes' },
  { keys: 'C', does: 'Connect the selected node to another: choose the port and the target by keyboard' },
  { keys: 'Shift+F', does: 'Fit the view: the flow at a readable size, from its sources' },
  { keys: 'Shift+T', does: 'Tidy up: arrange the nodes left to right' },
  { keys: 'Ctrl/Cmd+F (on the canvas)', does: 'Search the nodes of this flow (elsewhere: the browser’s own find)' },
  { keys: 'Shift+H', does: 'Show the Help tab for the selected node' },
  { keys: '?', does: 'Show this list of shortcuts (also on the Help tab)' },
  { keys: 'Esc', does: 'Close a dialog or the search' },
];
