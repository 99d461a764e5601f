import { useId, useState } from 'react';
import { FlaskConical, X } from 'lucide-react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { hookPathOf } from '../../../nodes/trigger-spec.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { formatPath } from '../../../shared/errors.js';
import { api, ApiError, call, idParam } from '../api/client.js';
import type { SimulateResult, SimulatedStep } from '../../../shared/api-views.js';
import type { EventSummary } from '../../../shared/event-log.js';
import { hrefFor } from '../router.js';
import { deliveryLabel, deliveryTestInput, unusableBody } from '../events/test-payload.js';
import { DELIVERY_SAMPLE, type TestInput } from '../flow-editor/test-input.js';
import { samplesFor } from './simulation.js';
import { useLatestDeliveries } from './useLatestDeliveries.js';

export type { TestInput };

/** The sample select's value for a stored delivery. */
const DELIVERY_PREFIX = 'delivery:';

interface Props {
  flow: Flow;
  input: TestInput | null;
  onInput: (input: TestInput) => void;
  result: SimulateResult | null;
  /** True when the flow changed after the result was computed. */
  stale: boolean;
  alertIndex: number;
  onAlertIndex: (index: number) => void;
  onRun: () => Promise<void>;
  onClear: () => void;
  onSelectNode: (nodeId: string) => void;
}

/** The first sample of the first source node: what a new test starts with. */
export function defaultTestInput(flow: Flow): TestInput | null {
  const source = flow.nodes.find((n) => getNodeDefinition(n.type)?.category === 'source');
  if (!source) return null;
  const sample = samplesFor(source.type)[0];
  return { sourceNodeId: source.id, sample: sample?.name ?? 'custom', payloadText: sample ? JSON.stringify(sample.payload, null, 2) : '' };
}

/**
 * "Test before you ship": sends a sample alert through the runtime's simulation. Conditions are
 * evaluated for real; actions and approvals are only rendered. Nothing is executed.
 */
export function TestPanel({ flow, input, onInput, result, stale, alertIndex, onAlertIndex, onRun, onClear, onSelectNode }: Props) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const sources = flow.nodes.filter((n) => getNodeDefinition(n.type)?.category === 'source');

  if (sources.length === 0 || !input) {
    return (
      <div className="side-body">
        <h2>Test</h2>
        <p className="muted">Add an alert source to the flow first: the test sends a sample alert to it.</p>
      </div>
    );
  }
  const source = sources.find((n) => n.id === input.sourceNodeId) ?? sources[0]!;
  const samples = samplesFor(source.type);
  const hookPath = hookPathOf(getNodeDefinition(source.type), source.config);

  const chooseSource = (nodeId: string) => {
    const node = sources.find((n) => n.id === nodeId)!;
    const first = samplesFor(node.type)[0];
    onInput({ sourceNodeId: nodeId, sample: first?.name ?? 'custom', payloadText: first ? JSON.stringify(first.payload, null, 2) : '' });
  };
  const chooseSample = (name: string) => {
    const sample = samples.find((s) => s.name === name);
    onInput({ sourceNodeId: input.sourceNodeId, sample: name, payloadText: sample ? JSON.stringify(sample.payload, null, 2) : input.payloadText });
  };
  // A delivery's body is loaded when chosen: the list has only summaries.
  const chooseDelivery = async (eventId: string) => {
    setError(null);
    try {
      const event = await call(api.events[':id'].$get(idParam(eventId)));
      const chosen = deliveryTestInput(event, input.sourceNodeId);
      if ('reason' in chosen) setError(new Error(`This delivery cannot be a test payload: ${chosen.reason}.`));
      else onInput(chosen);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? new Error('That delivery is no longer stored.') : (err as Error));
    }
  };
  const choose = (value: string) => {
    if (value.startsWith(DELIVERY_PREFIX)) void chooseDelivery(value.slice(DELIVERY_PREFIX.length));
    else chooseSample(value);
  };

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onRun();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  const sim = result?.alerts[alertIndex];
  return (
    <div className="side-body" data-testid="test-panel">
      <div className="row" style={{ marginBottom: 8 }}>
        <h2>Test with an alert</h2>
      </div>
      <p className="muted small" style={{ marginTop: 0 }}>
        Conditions are evaluated; actions and approvals are only rendered. Nothing is run or stored, and nothing is sent except the dry runs of Kubernetes steps, which change nothing.
      </p>
      {sources.length > 1 && (
        <div className="field">
          <label htmlFor={`${id}-source`}>Alert source</label>
          <select id={`${id}-source`} value={source.id} onChange={(e) => chooseSource(e.target.value)}>
            {sources.map((n) => (
              <option key={n.id} value={n.id}>
                {n.id} ({getNodeDefinition(n.type)?.label})
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-sample`}>Payload from</label>
        <select
          id={`${id}-sample`}
          value={input.delivery ? `${DELIVERY_PREFIX}${input.delivery.eventId}` : input.sample}
          onChange={(e) => choose(e.target.value)}
          title={input.delivery?.label}
          data-testid="test-sample"
        >
          <optgroup label="Samples">
            {samples.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
            {/* A sample given from outside the source's own (a template's) is listed under its label. */}
            {input.sample !== 'custom' && input.sample !== DELIVERY_SAMPLE && !samples.some((s) => s.name === input.sample) && (
              <option value={input.sample}>{input.sample}</option>
            )}
            <option value="custom">Paste your own payload…</option>
          </optgroup>
          <DeliveryOptions hookPath={hookPath} chosen={input.delivery} />
        </select>
        <div className="field-help" data-testid="test-sample-help">
          {input.delivery ? (
            <>
              The body of this delivery as Salve stored it (
              <a href={hrefFor({ page: 'events', filters: { eventId: input.delivery.eventId } })} data-testid="test-delivery-link">
                see it on the Events page
              </a>
              ). Edit it below to try a variation.
            </>
          ) : (
            (samples.find((s) => s.name === input.sample)?.description ?? `The body ${getNodeDefinition(source.type)?.label ?? 'the source'} would POST.`)
          )}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-payload`}>Payload (JSON)</label>
        <textarea
          id={`${id}-payload`}
          rows={8}
          value={input.payloadText}
          onChange={(e) => onInput({ sourceNodeId: input.sourceNodeId, sample: 'custom', payloadText: e.target.value })}
          spellCheck={false}
          data-testid="test-payload"
        />
      </div>
      <div className="row">
        <button type="button" className="primary" onClick={run} disabled={busy} data-testid="run-test">
          <FlaskConical size={15} aria-hidden="true" />
          {busy ? 'Testing…' : 'Run test'}
        </button>
        {result && (
          <button type="button" onClick={onClear}>
            <X size={15} aria-hidden="true" /> Clear
          </button>
        )}
      </div>
      {error && <TestError error={error} />}
      {result && (
        <div className="side-section" data-testid="test-result">
          {stale && <p className="stale-note">The flow changed since this test. Run it again to see the current path.</p>}
          {result.alerts.length > 1 && (
            <div className="field">
              <label htmlFor={`${id}-alert`}>Alert in this delivery</label>
              <select id={`${id}-alert`} value={alertIndex} onChange={(e) => onAlertIndex(Number(e.target.value))}>
                {result.alerts.map((a, i) => (
                  <option key={i} value={i}>
                    {i + 1}. {a.alert.name} ({a.alert.status})
                  </option>
                ))}
              </select>
            </div>
          )}
          {result.alerts.length === 0 && <p className="muted">The payload holds no alert.</p>}
          {sim && (
            <>
              <dl className="kv" style={{ marginBottom: 10 }}>
                <dt>Alert</dt>
                <dd>
                  <strong>{sim.alert.name}</strong> · {sim.alert.severity} · <span className={`status ${sim.alert.status === 'firing' ? 'failed' : 'succeeded'}`}>{sim.alert.status}</span>
                </dd>
                <dt>Starts the flow</dt>
                <dd data-testid="test-starts">{sim.starts ? 'yes' : `no — the source does not start runs for ${sim.alert.status} alerts`}</dd>
              </dl>
              <h3 style={{ marginBottom: 6 }}>Path</h3>
              {sim.steps.map((step, i) => (
                <TestStep key={`${step.nodeId}-${i}`} step={step} onSelect={() => onSelectNode(step.nodeId)} />
              ))}
              {sim.skipped.length > 0 && (
                <p className="muted small" data-testid="test-skipped">
                  Not reached: {sim.skipped.join(', ')}
                </p>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * The latest deliveries to the source's hook path, as one group of the payload select. A body
 * that cannot be tested (cut, not stored, empty) is listed disabled with the reason; the chosen
 * delivery stays listed when newer ones have pushed it out of the latest few.
 */
function DeliveryOptions({ hookPath, chosen }: { hookPath: string | undefined; chosen: TestInput['delivery'] }) {
  const latest = useLatestDeliveries(hookPath);
  if (!hookPath) return null;
  const optionText = (e: EventSummary) => {
    const unusable = unusableBody(e);
    return unusable ? `${deliveryLabel(e)} (not offered: ${unusable})` : deliveryLabel(e);
  };
  const listed = latest.items.some((e) => e.id === chosen?.eventId);
  return (
    <optgroup label={`Latest deliveries on /hooks/${hookPath}`} data-testid="test-deliveries">
      {chosen && !listed && <option value={`${DELIVERY_PREFIX}${chosen.eventId}`}>{chosen.label}</option>}
      {latest.items.map((e) => (
        <option key={e.id} value={`${DELIVERY_PREFIX}${e.id}`} disabled={unusableBody(e) !== null}>
          {optionText(e)}
        </option>
      ))}
      {latest.items.length === 0 && !chosen && (
        <option value="" disabled>
          {latest.error ? `Could not load them: ${latest.error.message}` : 'None stored yet'}
        </option>
      )}
    </optgroup>
  );
}

function TestStep({ step, onSelect }: { step: SimulatedStep; onSelect: () => void }) {
  const def = getNodeDefinition(step.type);
  const isCondition = def?.category === 'condition';
  return (
    <div className="test-step" data-testid={`test-step-${step.nodeId}`}>
      <header>
        <button type="button" className="ghost small mono" onClick={onSelect} title="Select on the canvas">
          {step.nodeId}
        </button>
        <span className="muted small">{def?.label}</span>
        <span className="spacer" />
        <span className={`status ${step.status}`}>{step.status === 'error' ? 'error' : step.port}</span>
      </header>
      {step.error && <div className="field-error">{step.error}</div>}
      {isCondition && step.result !== undefined && (
        <div className="small">
          Result: <code>{JSON.stringify(step.result)}</code>
        </div>
      )}
      {step.assumed && <div className="small muted">Not run in a test: assumed to continue on “{step.port}”.</div>}
      {step.dryRun && (
        <div className="small muted" data-testid={`test-dry-run-${step.nodeId}`}>
          Checked with the cluster’s API server as a dry run: nothing was changed.
          {step.status === 'taken' && step.result !== undefined && <DryRunMessage result={step.result} />}
        </div>
      )}
      {step.wouldSend && (
        <div className="stack" data-testid={`test-would-send-${step.nodeId}`}>
          <div className="small">
            Would send: <code>{step.wouldSend.to}</code>
          </div>
          {step.wouldSend.body !== undefined && <pre className="code-block">{JSON.stringify(step.wouldSend.body, null, 2)}</pre>}
        </div>
      )}
      {step.rendered !== undefined && !isCondition && (
        <details open={!step.wouldSend}>
          <summary className="small">Rendered config</summary>
          <pre className="code-block" data-testid={`test-rendered-${step.nodeId}`}>
            {JSON.stringify(step.rendered, null, 2)}
          </pre>
        </details>
      )}
    </div>
  );
}

/** The checked step's own words (`would restart deployment web/api …`), when its output has them. */
function DryRunMessage({ result }: { result: unknown }) {
  const message = result && typeof result === 'object' && typeof (result as { message?: unknown }).message === 'string' ? (result as { message: string }).message : undefined;
  return message ? <div className="mono">{message}</div> : null;
}

function TestError({ error }: { error: Error }) {
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div className="banner error" style={{ marginTop: 10 }} role="alert">
      {error.message}
      {issues.length > 0 && (
        <ul className="issues">
          {issues.map((i, k) => (
            <li key={k}>
              <span className="issue-path">{formatPath(i.path)}</span> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
