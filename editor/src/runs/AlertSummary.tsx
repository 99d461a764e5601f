import { ExternalLink } from 'lucide-react';
import type { Alert } from '../../../shared/alert/schema.js';
import { alertLinks, displayLabels } from './alert-labels.js';
import { exactTime } from './time.js';

/** The alert's severity as a pill (`.severity.<level>` in runs.css). */
export function SeverityPill({ severity }: { severity: string }) {
  return <span className={`severity ${severity}`}>{severity}</span>;
}

/** `name=value` chips for alert labels. */
export function LabelChips({ labels }: { labels: [string, string][] }) {
  if (labels.length === 0) return null;
  return (
    <ul className="label-chips" aria-label="Alert labels">
      {labels.map(([name, value]) => (
        <li key={name} className="label-chip" title={`${name}=${value}`}>
          <span className="label-name">{name}</span>
          <span className="label-value">{value}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The alert's state now: `resolved` once a resolved delivery for it arrived (`resolvedAt`), even
 * though the run stored it as it was when the run started (firing). Never both words at once.
 */
export function AlertState({ alert, resolvedAt }: { alert: Pick<Alert, 'status'>; resolvedAt?: string | null }) {
  if (resolvedAt) {
    const title = alert.status === 'firing' ? `Firing when the run started; resolved at ${exactTime(resolvedAt)}` : `Resolved at ${exactTime(resolvedAt)}`;
    return (
      <span className="alert-state resolved" title={title} data-testid="alert-state">
        resolved
      </span>
    );
  }
  return (
    <span className={`alert-state ${alert.status}`} data-testid="alert-state">
      {alert.status}
    </span>
  );
}

/**
 * What the alert was: name, severity, firing or resolved (now: see AlertState), its summary
 * line, every label as a chip and its links (runbook, dashboard…) opening outside Salve.
 */
export function AlertSummary({ alert, resolvedAt }: { alert: Alert | null | undefined; resolvedAt?: string | null }) {
  if (!alert) return <div className="muted">No alert recorded.</div>;
  const links = alertLinks(alert);
  return (
    <div className="alert-summary" data-testid="alert-summary">
      <div className="row alert-title">
        <strong className="alert-name">{alert.name}</strong>
        <SeverityPill severity={alert.severity} />
        <AlertState alert={alert} resolvedAt={resolvedAt} />
      </div>
      {alert.summary && <div className="alert-text">{alert.summary}</div>}
      <LabelChips labels={displayLabels(alert)} />
      {links.length > 0 && (
        <div className="row alert-links">
          {links.map((l) => (
            <a key={l.label} href={l.href} target="_blank" rel="noreferrer" className="external">
              {l.label}
              <ExternalLink size={12} aria-hidden="true" />
              <span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          ))}
        </div>
      )}
    </div>
  );
}
