import type { FlowSummary } from '../../../shared/api-views.js';

interface Props {
  flow: FlowSummary;
  /** A request is in flight: the switch shows where it is going and ignores clicks. */
  pending?: boolean;
  onChange: (enabled: boolean) => void;
  /** Why the caller may not switch it (no operator role in the flow's team): shown, and clicks do nothing. */
  locked?: string;
}

/**
 * The flow's enabled state as a switch. It shows what the server has stored, not what was
 * clicked: the server validates the flow again before enabling it and may refuse. While busy it
 * is aria-disabled rather than disabled, so keyboard focus stays on it.
 */
export function EnabledSwitch({ flow, pending = false, onChange, locked }: Props) {
  const label = pending ? (flow.enabled ? 'Disabling…' : 'Enabling…') : flow.enabled ? 'Enabled' : 'Disabled';
  return (
    <span className="flow-switch-cell">
      <button
        type="button"
        role="switch"
        className="flow-switch"
        aria-checked={flow.enabled}
        aria-label={`Enable ${flow.name}`}
        aria-disabled={pending || locked !== undefined || undefined}
        title={locked}
        data-locked={locked !== undefined || undefined}
        aria-busy={pending || undefined}
        data-testid={`flow-toggle-${flow.id}`}
        onClick={() => {
          if (!pending && locked === undefined) onChange(!flow.enabled);
        }}
      >
        <span className="flow-switch-thumb" aria-hidden="true" />
      </button>
      <span className={`status${pending ? ' pending' : flow.enabled ? ' enabled' : ''}`} aria-hidden="true">
        {label}
      </span>
    </span>
  );
}
