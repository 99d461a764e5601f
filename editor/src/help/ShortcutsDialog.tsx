import { EDITOR_SHORTCUTS } from '../canvas/shortcut-list.js';
import { Dialog } from '../ui/Dialog.js';

/** The `?` dialog: every shortcut of the editor, from the one list in shortcut-list.ts. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testId="shortcuts-dialog">
      <table className="shortcut-table">
        <tbody>
          {EDITOR_SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <th scope="row">
                <kbd>{s.keys}</kbd>
              </th>
              <td>{s.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
