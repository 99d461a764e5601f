import { useId } from 'react';
import type { NodeDefinition } from '../../../nodes/definition.js';
import { onResolvedDefault, type OnResolved } from '../../../shared/flow/on-resolved.js';
import type { SalveNodeData } from '../canvas/model.js';

/**
 * Whether a node's step can wait while its run's alert is still open, so `onResolved` means
 * something: a type that waits by itself (an approval, a delay), a check that polls, an action
 * with retries — read from the registry, never from type names. Also shown when the document
 * sets it already, so it can be cleared.
 */
export function canWaitOnAlert(def: NodeDefinition, data: Pick<SalveNodeData, 'config' | 'retry' | 'onResolved'>): boolean {
  if (onResolvedDefault(def) === undefined) return data.onResolved !== undefined;
  if (def.onResolvedDefault !== undefined || data.retry !== undefined || data.onResolved !== undefined) return true;
  if (!def.poll) return false;
  const parsed = def.configSchema.safeParse(data.config);
  return parsed.success && def.poll(parsed.data) !== undefined;
}

const CHOICES: Record<OnResolved, { label: string; help: string }> = {
  cancel: {
    label: 'Cancel the run',
    help: 'The run ends as cancelled, saying why; a pending approval closes and leaves the Approvals inbox. Nobody is asked to act on a problem that went away.',
  },
  continue: {
    label: 'Keep going',
    help: 'The run goes on as if nothing happened; approvers still decide, and see that the alert has resolved.',
  },
};

/** The node panel's "When the alert resolves" choice: cancel or continue, the type's default marked. */
export function OnResolvedSection({
  def,
  value,
  onChange,
}: {
  def: NodeDefinition;
  value: OnResolved | undefined;
  onChange: (value: OnResolved | undefined) => void;
}) {
  const id = useId();
  const fallback = onResolvedDefault(def);
  const current = value ?? fallback ?? 'continue';
  return (
    <section className="on-resolved-section stack" data-testid="on-resolved-section">
      <div className="field">
        <label htmlFor={`${id}-policy`}>When the alert resolves</label>
        <select
          id={`${id}-policy`}
          value={current}
          // The type's default is stored as no setting: a later default for the type applies.
          onChange={(e) => onChange(e.target.value === fallback ? undefined : (e.target.value as OnResolved))}
          aria-describedby={`${id}-policy-help`}
          data-testid="on-resolved"
        >
          {(['cancel', 'continue'] as const).map((p) => (
            <option key={p} value={p}>
              {CHOICES[p].label}
              {p === fallback ? ' (default)' : ''}
            </option>
          ))}
        </select>
        <div id={`${id}-policy-help`} className="field-help">
          If the alert that started the run resolves while this step waits{def.category === 'approval' ? ' for a decision' : ' (a delay, a retry or the next probe)'}, or had
          resolved before it began. {CHOICES[current].help}
        </div>
      </div>
    </section>
  );
}
