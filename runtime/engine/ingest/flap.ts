import type { EventMatch } from '../../../shared/event-log.js';
import { formatDuration } from '../../../nodes/format.js';
import type { NewExecution } from '../../store/executions-repo.js';
import type { StoreTx } from '../../store/tx.js';
import type { HookRoute } from './hook-router.js';

/**
 * Flap protection (a flow's `settings.flapWindow`, in seconds): an alert that fires again within
 * the window after the run that handled it saw it resolve is the same incident, so no second
 * remediation starts. Decided in the delivery's commit, so two deliveries cannot both start.
 * Only alert deliveries are subject to it: a person's or a schedule's runs never pass here.
 */

/** Runs looked at per fingerprint: the newest run an alert started, past any started by resolutions. */
const LOOK_BACK = 5;

/**
 * Whether `row` (a planned run) repeats an incident its flow handled: the flow's newest run of
 * the fingerprint that a firing alert started, with its resolution at most `flapWindow` ago. Then
 * `match` says `flap`, why, and names that run; the caller creates nothing.
 */
export async function markFlap(tx: StoreTx, routes: readonly HookRoute[], row: NewExecution, match: EventMatch, now: number): Promise<boolean> {
  const window = routes.find((r) => r.flow.id === row.flowId)?.flow.settings?.flapWindow;
  if (window === undefined || !row.fingerprint || firedAlert(row.alert) === false) return false;
  const earlier = (await tx.executions.latestAlertRuns(row.flowId, row.fingerprint, LOOK_BACK)).find((e) => firedAlert(e.alert));
  if (earlier?.alertResolvedAt == null) return false;
  const since = Math.max(0, now - earlier.alertResolvedAt);
  if (since > window * 1000) return false;
  match.result = 'flap';
  match.executionId = earlier.id;
  match.reason = `same incident: fired again ${formatDuration(since, 'ms')} after it resolved (flap window ${formatDuration(window, 's')}); run ${earlier.id} handled it`;
  return true;
}

/** Whether a stored alert (JSON) was firing, not a resolution. */
function firedAlert(alert: string): boolean {
  return (JSON.parse(alert) as { status?: string }).status !== 'resolved';
}

/** The event's reason when every alert it would have started on was a flap: the first flap's. */
export function flapReason(matches: readonly EventMatch[]): string {
  const flaps = matches.filter((m) => m.result === 'flap');
  const first = flaps[0]?.reason ?? 'same incident';
  return flaps.length > 1 ? `${first} (and ${flaps.length - 1} more)` : first;
}
