import { useId, useState } from 'react';
import { Play } from 'lucide-react';
import { formatPath } from '../../../shared/errors.js';
import type { Flow, FlowNode } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { startsBy } from '../../../nodes/trigger-spec.js';
import { api, ApiError, call, idParam } from '../api/client.js';
import { hrefFor } from '../router.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { samplesFor } from './simulation.js';

/** The nodes of a saved flow a person can start it from (their trigger is `manual`): what Run now offers. */
export function manualSources(flow: Pick<Flow, 'nodes'> | null): FlowNode[] {
  return flow ? flow.nodes.filter((n) => startsBy(getNodeDefinition(n.type), 'manual')) : [];
}

/** The payload a manual node's dialog starts with: what its trigger says for its config, else the type's first sample. */
function initialPayload(node: FlowNode): string {
  const def = getNodeDefinition(node.type);
  const config = def?.configSchema.safeParse(node.config);
  const own = def?.trigger?.kind === 'manual' && config?.success ? def.trigger.startPayload?.(config.data) : undefined;
  const payload = own ?? samplesFor(node.type)[0]?.payload ?? {};
  return JSON.stringify(payload, null, 2);
}

interface Props {
  /** The saved flow (Run now runs the saved revision, never the canvas). */
  flow: Flow;
  revision: number;
  onClose: () => void;
}

/**
 * Runs the saved flow for real from one of its sources a person starts (trigger `manual`), with a JSON payload that
 * becomes the run's `event`. Unlike the Test panel, actions are executed.
 */
export function RunNowDialog({ flow, revision, onClose }: Props) {
  const id = useId();
  const sources = manualSources(flow);
  const [nodeId, setNodeId] = useState(sources[0]?.id ?? '');
  const [text, setText] = useState(() => (sources[0] ? initialPayload(sources[0]) : '{}'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[] | null>(null);

  const choose = (next: string) => {
    setNodeId(next);
    const node = sources.find((n) => n.id === next);
    if (node) setText(initialPayload(node));
    setError(null);
  };

  const run = async () => {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (e) {
      setError([`The payload is not valid JSON: ${(e as Error).message}`]);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const started = await call(api.flows[':id'].run.$post({ ...idParam(flow.id), json: { payload, sourceNodeId: nodeId } }));
      onClose();
      toast(`Started a run of “${flow.name}” (revision ${started.flowRevision}).`, 'success', {
        href: hrefFor({ page: 'run', id: started.executionId }),
        label: 'Open the run',
      });
    } catch (e) {
      const issues = e instanceof ApiError ? e.issues : [];
      setError(issues.length > 0 ? issues.map((i) => `${formatPath(i.path)}: ${i.message}`) : [(e as Error).message]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Run “${flow.name}” now`}
      onClose={onClose}
      wide
      testId="run-now-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => void run()} disabled={busy || !nodeId} data-testid="run-now-submit">
            <Play size={15} aria-hidden="true" /> {busy ? 'Starting…' : 'Run'}
          </button>
        </>
      }
    >
      <p className="muted small" style={{ marginTop: 0 }}>
        Runs revision {revision} for real: actions are executed and approvals are asked for
        {flow.enabled ? '' : ' (the flow is disabled, but a run started by hand still runs)'}. The payload becomes the run’s{' '}
        <code>event</code>; its <code>name</code>, <code>severity</code>, <code>summary</code> and <code>labels</code> make the alert.
      </p>
      {sources.length > 1 && (
        <div className="field">
          <label htmlFor={`${id}-source`}>Start from</label>
          <select id={`${id}-source`} value={nodeId} onChange={(e) => choose(e.target.value)} data-testid="run-now-source">
            {sources.map((n) => (
              <option key={n.id} value={n.id}>
                {n.label ? `${n.label} (${n.id})` : n.id}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-payload`}>Payload (JSON object)</label>
        <textarea
          id={`${id}-payload`}
          rows={12}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          data-testid="run-now-payload"
        />
      </div>
      {error && (
        <div className="banner error" role="alert" data-testid="run-now-error">
          {error.length === 1 ? (
            error[0]
          ) : (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {error.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}
