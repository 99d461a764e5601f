import { useState } from 'react';
import { Plus } from 'lucide-react';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { DeleteSecretDialog } from '../secrets/DeleteSecretDialog.js';
import { SecretDialog, type SecretDialogMode } from '../secrets/SecretDialog.js';
import { SecretsTable } from '../secrets/SecretsTable.js';
import type { SecretItem } from '../secrets/secrets-api.js';
import { useSecrets } from '../secrets/useSecrets.js';
import { toast } from '../ui/toast.js';
import '../styles/secrets.css';

type OpenDialog = SecretDialogMode | { kind: 'delete'; secret: SecretItem } | null;

/**
 * The secrets flows refer to by name (`#/secrets`): create one, replace its value, change where
 * it may be sent, delete it. Values are write-only: this page never receives one.
 */
export function SecretsPage() {
  const secrets = useSecrets();
  const [dialog, setDialog] = useState<OpenDialog>(null);

  return (
    <div className="page secrets-page">
      <div className="page-header">
        <h1>Secrets</h1>
        <span className="muted small">Tokens and passwords flows use by name. Values are stored encrypted and never shown again.</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })} data-testid="secret-new">
          <Plus size={16} aria-hidden="true" /> New secret
        </button>
      </div>

      {secrets.error && <ApiErrorBanner error={secrets.error} doing="Loading secrets" onRetry={secrets.refresh} />}

      {!secrets.loaded ? (
        !secrets.error && <div className="card empty">Loading secrets…</div>
      ) : secrets.items.length === 0 ? (
        <div className="card empty" data-testid="secrets-empty">
          <p>No secrets yet.</p>
          <p className="small">
            Create one for each token a flow needs (a webhook's shared secret, an API token), then pick it in the node's settings.
          </p>
        </div>
      ) : (
        <div className="card">
          <SecretsTable
            secrets={secrets.items}
            onReplace={(secret) => setDialog({ kind: 'replace', secret })}
            onEdit={(secret) => setDialog({ kind: 'edit', secret })}
            onDelete={(secret) => setDialog({ kind: 'delete', secret })}
          />
        </div>
      )}

      {dialog?.kind === 'delete' && (
        <DeleteSecretDialog
          secret={dialog.secret}
          onCancel={() => setDialog(null)}
          onDeleted={() => {
            setDialog(null);
            toast(`Deleted secret ${dialog.secret.name}.`, 'success');
            secrets.refresh();
          }}
        />
      )}
      {dialog && dialog.kind !== 'delete' && (
        <SecretDialog
          mode={dialog}
          existing={secrets.items}
          onClose={() => setDialog(null)}
          onSaved={(saved, created) => {
            setDialog(null);
            toast(created ? `Created secret ${saved.name}.` : dialog.kind === 'replace' ? `Replaced the value of ${saved.name}.` : `Saved ${saved.name}.`, 'success');
            secrets.saved(saved);
          }}
        />
      )}
    </div>
  );
}
