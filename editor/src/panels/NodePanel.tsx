import { memo, useEffect, useId, useState } from 'react';
import { Trash2 } from 'lucide-react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { ExprScope } from '../../../shared/expr/types.js';
import { ConfigForm, type PreviewContext } from '../config-form/ConfigForm.js';
import type { SalveNodeData } from '../canvas/model.js';
import type { LocatedIssue } from '../canvas/validation.js';
import { NodeIcon } from '../ui/icons.js';
import type { RetryPolicy } from '../../../shared/flow/retry.js';
import { canRetry, RetrySection } from './RetrySection.js';
import type { OnResolved } from '../../../shared/flow/on-resolved.js';
import { canWaitOnAlert, OnResolvedSection } from './OnResolvedSection.js';
import type { SecretChoices } from '../secrets/useSecrets.js';

// Props are the node's id and data (not the React Flow node) and the store's own actions, so
// dragging the node, which changes only its position, does not redraw the form.
interface Props {
  nodeId: string;
  data: SalveNodeData;
  issues: readonly LocatedIssue[];
  preview: PreviewContext | null;
  secrets: SecretChoices;
  /** What this node's expressions can read: the steps that can run before it. */
  scope: ExprScope;
  onConfig: (nodeId: string, config: Record<string, unknown>, field: string) => void;
  onLabel: (nodeId: string, label: string) => void;
  onRetry: (nodeId: string, retry: RetryPolicy | undefined, retryUnsafe: boolean | undefined) => void;
  onResolved: (nodeId: string, policy: OnResolved | undefined) => void;
  onRename: (nodeId: string, newId: string) => string | null;
  onDelete: () => void;
}

/** The selected node: what it is, its id and name, and its config form. */
export const NodePanel = memo(function NodePanel({ nodeId, data, issues, preview, secrets, scope, onConfig, onLabel, onRetry, onResolved, onRename, onDelete }: Props) {
  const node = { id: nodeId, data };
  const def = getNodeDefinition(node.data.type);
  const id = useId();
  const [draftId, setDraftId] = useState(node.id);
  const [idError, setIdError] = useState<string | null>(null);
  useEffect(() => {
    setDraftId(node.id);
    setIdError(null);
  }, [node.id]);

  const commitId = () => {
    const error = onRename(nodeId, draftId.trim());
    setIdError(error);
  };

  const mine = issues.filter((i) => i.nodeId === node.id);
  const configIssues = mine.filter((i) => i.configPath).map((i) => ({ path: i.configPath!, message: i.message }));
  const otherIssues = mine.filter((i) => !i.configPath);

  return (
    <div className="side-body" data-testid="node-panel">
      <div className={`node-panel-head cat-${def?.category ?? 'unknown'}`}>
        <span className="salve-node-icon">
          <NodeIcon name={def?.icon ?? 'unknown'} size={16} />
        </span>
        <div style={{ flex: 1, minWidth: 0 }}>
          <h2>{def?.label ?? node.data.type}</h2>
          <p>{def?.description ?? `This version of Salve has no node type “${node.data.type}”. Remove the node or upgrade.`}</p>
        </div>
        <button type="button" className="ghost icon danger" aria-label={`Delete node ${node.id}`} title="Delete node" onClick={onDelete}>
          <Trash2 size={16} />
        </button>
      </div>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <div className="field" style={{ flex: 1 }}>
          <label htmlFor={`${id}-id`}>Node id</label>
          <input
            id={`${id}-id`}
            className="mono"
            value={draftId}
            onChange={(e) => setDraftId(e.target.value)}
            onBlur={commitId}
            onKeyDown={(e) => e.key === 'Enter' && commitId()}
            aria-invalid={idError ? true : undefined}
            aria-describedby={`${id}-id-help`}
            data-testid="node-id"
          />
          <div id={`${id}-id-help`} className={idError ? 'field-error' : 'field-help'}>
            {idError ?? <>Expressions read this step’s output as <code>steps.{node.id}</code>.</>}
          </div>
        </div>
        <div className="field" style={{ flex: 1 }}>
          <label htmlFor={`${id}-label`}>Display name</label>
          <input
            id={`${id}-label`}
            value={node.data.label ?? ''}
            placeholder={def?.label}
            onChange={(e) => onLabel(nodeId, e.target.value)}
            data-testid="node-label"
          />
        </div>
      </div>
      {otherIssues.length > 0 && (
        <div className="banner error small">
          {otherIssues.map((i, k) => (
            <div key={k}>{i.message}</div>
          ))}
        </div>
      )}
      {def ? (
        <ConfigForm
          key={node.id}
          def={def}
          config={node.data.config}
          onChange={(config, field) => onConfig(nodeId, config, field)}
          issues={configIssues}
          preview={preview}
          secrets={secrets}
          scope={scope}
        />
      ) : (
        <pre className="code-block">{JSON.stringify(node.data.config, null, 2)}</pre>
      )}
      {def && (canRetry(def) || node.data.retry) && (
        <RetrySection def={def} retry={node.data.retry} retryUnsafe={node.data.retryUnsafe} onChange={(retry, unsafe) => onRetry(nodeId, retry, unsafe)} />
      )}
      {def && canWaitOnAlert(def, node.data) && <OnResolvedSection def={def} value={node.data.onResolved} onChange={(policy) => onResolved(nodeId, policy)} />}
    </div>
  );
});
