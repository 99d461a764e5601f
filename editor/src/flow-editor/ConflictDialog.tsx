import { Dialog } from '../ui/Dialog.js';
import type { SaveConflict } from './save-messages.js';

/** Someone else saved the flow meanwhile: reload theirs (dropping the canvas) or overwrite it with the canvas. */
export function ConflictDialog({ conflict, onCancel, onReload, onOverwrite }: { conflict: SaveConflict; onCancel: () => void; onReload: () => void; onOverwrite: () => void }) {
  return (
    <Dialog
      title="Someone else saved this flow"
      onClose={onCancel}
      testId="conflict-dialog"
      footer={
        <>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onReload} data-testid="conflict-reload">
            Reload theirs (discard mine)
          </button>
          <button type="button" className="primary" onClick={onOverwrite} data-testid="conflict-overwrite">
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
  );
}
