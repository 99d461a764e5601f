import { useId } from 'react';
import type { NodeDefinition } from '../../../nodes/definition.js';
import { retryDelayMs, RetryPolicySchema, type RetryPolicy } from '../../../shared/flow/retry.js';
import { formatDuration } from '../../../nodes/format.js';

/** What a new policy starts with: the schema's defaults and three tries in all. */
const NEW_POLICY: RetryPolicy = RetryPolicySchema.parse({ attempts: 3 });

/** Whether a node of this type may have a retry policy (the flow validator's rule, shared/flow/validate.ts). */
export function canRetry(def: NodeDefinition): boolean {
  return def.category === 'action' && def.sideEffects;
}

/** "waits 10 s, then 20 s" for a policy (without jitter, which only ever shortens a wait). */
function waitsOf(policy: RetryPolicy): string {
  const waits = Array.from({ length: Math.min(policy.attempts - 1, 4) }, (_, i) => formatDuration(retryDelayMs({ ...policy, jitter: 0 }, i + 2, 0) / 1000, 's'));
  return `${waits.join(', then ')}${policy.attempts - 1 > 4 ? ', …' : ''}`;
}

/**
 * The node panel's Retry section: whether a failed step runs again, how often and after how
 * long. For a type whose repeat may do its work twice it asks, in words, for `retryUnsafe`.
 */
export function RetrySection({
  def,
  retry,
  retryUnsafe,
  onChange,
}: {
  def: NodeDefinition;
  retry: RetryPolicy | undefined;
  retryUnsafe: boolean | undefined;
  onChange: (retry: RetryPolicy | undefined, retryUnsafe: boolean | undefined) => void;
}) {
  const id = useId();
  const set = (patch: Partial<RetryPolicy>) => onChange({ ...(retry ?? NEW_POLICY), ...patch }, retryUnsafe);
  const number = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));
  return (
    <section className="retry-section stack" data-testid="retry-section">
      <label className="check-row">
        <input type="checkbox" checked={retry !== undefined} onChange={(e) => onChange(e.target.checked ? NEW_POLICY : undefined, e.target.checked ? retryUnsafe : undefined)} data-testid="retry-enabled" />
        <span>
          <strong>Retry when it fails</strong>
          <span className="field-help">
            {retry ? `Up to ${retry.attempts} tries in all; waits ${waitsOf(retry)} between them. Each wait is durable: a restart keeps it.` : 'Off: a failure takes the error path at once.'}
          </span>
        </span>
      </label>
      {retry && (
        <>
          {!def.idempotent && (
            <div className={`banner ${retryUnsafe ? 'info' : 'warning'} small`}>
              <label className="check-row">
                <input type="checkbox" checked={retryUnsafe === true} onChange={(e) => onChange(retry, e.target.checked || undefined)} data-testid="retry-unsafe" />
                <span>
                  <strong>Running it twice is safe</strong> — {def.label} is not idempotent: a try that failed may still have acted (e.g. it timed out after the
                  command ran), so a retry can do the work twice. Tick this only if that is harmless; the flow cannot be saved with retries otherwise.
                </span>
              </label>
            </div>
          )}
          <div className="retry-grid">
            <div className="field">
              <label htmlFor={`${id}-attempts`}>Tries in all</label>
              <input id={`${id}-attempts`} type="number" min={2} max={20} value={retry.attempts} onChange={(e) => set({ attempts: number(e.target.value) })} data-testid="retry-attempts" />
            </div>
            <div className="field">
              <label htmlFor={`${id}-backoff`}>Wait between tries</label>
              <select id={`${id}-backoff`} value={retry.backoff} onChange={(e) => set({ backoff: e.target.value as RetryPolicy['backoff'] })}>
                <option value="exponential">doubling each time</option>
                <option value="fixed">the same each time</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-initial`}>First wait (s)</label>
              <input id={`${id}-initial`} type="number" min={1} value={retry.initialDelay} onChange={(e) => set({ initialDelay: number(e.target.value) })} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-max`}>Longest wait (s)</label>
              <input id={`${id}-max`} type="number" min={1} value={retry.maxDelay} onChange={(e) => set({ maxDelay: number(e.target.value) })} disabled={retry.backoff === 'fixed'} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-jitter`}>Jitter (0–1)</label>
              <input id={`${id}-jitter`} type="number" min={0} max={1} step={0.1} value={retry.jitter} onChange={(e) => set({ jitter: number(e.target.value) })} />
            </div>
          </div>
          <p className="field-help">Jitter takes up to that fraction off each wait at random, so runs that failed on the same outage do not all retry at once.</p>
        </>
      )}
    </section>
  );
}
