import { useState } from 'react';
import { RouteLink } from '../flows/RouteLink.js';
import { Dialog } from '../ui/Dialog.js';
import { deleteSecret, flowsInConflict, type SecretItem } from './secrets-api.js';

interface Props {
  secret: SecretItem;
  onDeleted: () => void;
  onCancel: () => void;
}

/**
 * Deletes a stored secret once asked. The server refuses (409) while a flow uses it; the dialog
 * then stays open with its message and links to those flows, so the operator can go and change them.
 */
export function DeleteSecretDialog({ secret, onDeleted, onCancel }: Props) {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; flows: { flowId: string; flowName: string }[] }>();

  const confirm = async () => {
    setBusy(true);
    try {
      await deleteSecret(secret.name);
      onDeleted();
    } catch (error) {
      const flows = flowsInConflict(error);
      setRefusal({ message: (error as Error).message, flows });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Delete secret ${secret.name}?`}
      onClose={onCancel}
      testId="delete-secret-dialog"
      footer={
        <>
          <button type="button" onClick={onCancel}>
            {refusal ? 'Close' : 'Cancel'}
          </button>
          {!refusal && (
            <button type="button" className="danger solid" onClick={confirm} disabled={busy} data-autofocus data-testid="secret-delete-confirm">
              {busy ? 'Deleting…' : 'Delete secret'}
            </button>
          )}
        </>
      }
    >
      {refusal ? (
        <div className="banner error" role="alert" data-testid="secret-delete-error">
          <p className="secret-refusal">{refusal.message}</p>
          {refusal.flows.length > 0 && (
            <>
              <p className="secret-refusal">Change these flows to use another secret first:</p>
              <ul className="secret-flows">
                {refusal.flows.map((f) => (
                  <li key={f.flowId}>
                    <RouteLink to={{ page: 'flow', id: f.flowId }}>{f.flowName}</RouteLink>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      ) : (
        <div className="stack">
          {secret.overriddenByEnvironment ? (
            <p className="secret-refusal">
              The stored value of <code>{secret.name}</code> is erased. The server environment also sets it, so flows keep using that value.
            </p>
          ) : (
            <p className="secret-refusal">
              The stored value of <code>{secret.name}</code> is erased. Flows that refer to it would fail closed, so Salve refuses while any
              flow uses it.
            </p>
          )}
          <p className="secret-refusal muted">This cannot be undone.</p>
        </div>
      )}
    </Dialog>
  );
}
