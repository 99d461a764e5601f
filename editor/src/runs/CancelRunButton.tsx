import { useState } from 'react';
import { CircleStop } from 'lucide-react';
import { api, call, idParam } from '../api/client.js';
import type { Execution } from '../../../shared/api-views.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { ApiErrorBanner } from './ApiErrorBanner.js';

/**
 * Cancels a queued, running or waiting run after a confirmation that names it. The dialog's
 * buttons say "Keep running" / "Cancel run": a plain "Cancel" next to "Cancel run" would be
 * ambiguous exactly when someone is in a hurry.
 */
export function CancelRunButton({ execution, flowName, onCancelled }: { execution: Execution; flowName: string; onCancelled: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(api.executions[':id'].cancel.$post(idParam(execution.id)));
      toast(`Run ${execution.id} cancelled.`, 'success');
      setAsking(false);
      onCancelled();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      // A 409 means it finished meanwhile: show the real state behind the dialog.
      onCancelled();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="danger"
        data-testid="cancel-run"
        disabled={busy}
        onClick={() => {
          setError(null);
          setAsking(true);
        }}
      >
        <CircleStop size={16} aria-hidden="true" /> {busy ? 'Cancelling…' : 'Cancel run'}
      </button>
      {asking && (
        <Dialog
          title="Cancel this run?"
          onClose={() => !busy && setAsking(false)}
          testId="cancel-run-dialog"
          footer={
            <>
              <button type="button" onClick={() => setAsking(false)} disabled={busy}>
                {execution.status === 'held' ? 'Keep it held' : 'Keep running'}
              </button>
              <button type="button" className="danger solid" onClick={cancel} disabled={busy} data-autofocus data-testid="confirm-cancel-run">
                {busy ? 'Cancelling…' : 'Cancel run'}
              </button>
            </>
          }
        >
          <div className="stack">
            {error && <ApiErrorBanner error={error} doing="Cancelling" />}
            <p style={{ margin: 0 }}>
              Run <code>{execution.id}</code> of <strong>{flowName}</strong> ({execution.alert?.name ?? 'no alert'}) is{' '}
              <strong>{execution.status}</strong>.
            </p>
            {execution.status === 'held' ? (
              <p style={{ margin: 0 }}>A guard rail held it before it started: cancelling ends it for good, and nothing of the flow runs.</p>
            ) : (
              <p style={{ margin: 0 }}>
                Cancelling aborts the step in flight and no further steps run
                {execution.status === 'waiting' ? '; a pending approval is withdrawn' : ''}. What already ran is not undone.
              </p>
            )}
          </div>
        </Dialog>
      )}
    </>
  );
}
