import { KeyRound, Pencil, Trash2 } from 'lucide-react';
import { secretEnvVar } from '../config-form/secret-name.js';
import { RouteLink } from '../flows/RouteLink.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { hostsSummary } from './hosts.js';
import type { SecretItem } from './secrets-api.js';

interface Props {
  secrets: readonly SecretItem[];
  onReplace: (secret: SecretItem) => void;
  onEdit: (secret: SecretItem) => void;
  onDelete: (secret: SecretItem) => void;
}

/** Every secret: what it is, where it may go, where its value comes from, who changed it, which flows use it. Never a value. */
export function SecretsTable({ secrets, onReplace, onEdit, onDelete }: Props) {
  return (
    <table className="list secrets-table stacked-list" data-testid="secrets-table">
      <thead>
        <tr>
          <th scope="col">Secret</th>
          <th scope="col">May be sent to</th>
          <th scope="col">Last changed</th>
          <th scope="col">Used by</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {secrets.map((s) => (
          <SecretRow key={s.name} secret={s} onReplace={onReplace} onEdit={onEdit} onDelete={onDelete} />
        ))}
      </tbody>
    </table>
  );
}

/** A host name that a narrow column breaks after a dot rather than inside a label. */
function HostName({ host }: { host: string }) {
  const parts = host.split('.');
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              .<wbr />
            </>
          )}
        </span>
      ))}
    </>
  );
}

function SecretRow({ secret, onReplace, onEdit, onDelete }: { secret: SecretItem } & Omit<Props, 'secrets'>) {
  const hosts = hostsSummary(secret.hosts);
  const stored = secret.source === 'store';
  return (
    <tr data-testid={`secret-row-${secret.name}`}>
      <td className="secret-name stack-wide">
        <div className="secret-title">
          <code>{secret.name}</code>
          <span data-testid="secret-source">
            {stored ? (
              <span className="status" title="Stored encrypted in Salve's database">
                store
              </span>
            ) : (
              <span className="status secret-env" title={`Read from ${secretEnvVar(secret.name)} when the server started`}>
                environment
              </span>
            )}
          </span>
        </div>
        {stored && secret.team ? (
          <div className="muted small" title="Only this team's flows can use it; only its editors change it" data-testid="secret-team">
            team {secret.team}
          </div>
        ) : null}
        {secret.overriddenByEnvironment && (
          <div className="secret-overridden small">
            overridden by environment: flows get the value of <code>{secretEnvVar(secret.name)}</code>
          </div>
        )}
        {secret.description && <div className="muted small">{secret.description}</div>}
      </td>
      <td className="secret-hosts stack-wide" data-label="May be sent to" data-testid="secret-hosts-cell">
        {hosts.kind === 'nowhere' ? (
          <span className="secret-nowhere" title="No step may send this value anywhere; sources can still check incoming deliveries with it. Edit it to add hosts.">
            nowhere
            <span className="muted small"> · only sources can check deliveries with it</span>
          </span>
        ) : hosts.kind === 'anywhere' ? (
          <span className="secret-anywhere">anywhere (*)</span>
        ) : (
          <ul className="secret-host-list">
            {secret.hosts.map((h) => (
              <li key={h} className="mono">
                <HostName host={h} />
              </li>
            ))}
          </ul>
        )}
      </td>
      <td data-label="Last changed">
        {secret.updatedAt ? (
          <>
            <RelativeTime iso={secret.updatedAt} />
            {secret.updatedBy && <div className="muted small">by {secret.updatedBy}</div>}
          </>
        ) : (
          <span className="muted small">{stored ? '—' : 'set when the server started'}</span>
        )}
      </td>
      <td className="secret-used-by stack-wide" data-label="Used by" data-testid="secret-used-by">
        {secret.usedBy.length === 0 ? (
          <span className="muted">no flow</span>
        ) : (
          <ul className="secret-flows">
            {secret.usedBy.map((f) => (
              <li key={f.flowId}>
                <RouteLink to={{ page: 'flow', id: f.flowId }}>{f.flowName}</RouteLink>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="secret-actions stack-wide">
        {stored ? (
          <>
            <button type="button" className="small" onClick={() => onReplace(secret)} data-testid="secret-replace">
              <KeyRound size={14} aria-hidden="true" /> Replace value
            </button>
            <button type="button" className="small" onClick={() => onEdit(secret)} data-testid="secret-edit">
              <Pencil size={14} aria-hidden="true" /> Edit
            </button>
            <button type="button" className="small secret-delete" onClick={() => onDelete(secret)} data-testid="secret-delete">
              <Trash2 size={14} aria-hidden="true" /> Delete
            </button>
          </>
        ) : (
          <span className="muted small">
            Set by <code>{secretEnvVar(secret.name)}</code> on the server: change it there.
          </span>
        )}
      </td>
    </tr>
  );
}
