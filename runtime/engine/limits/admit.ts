import type { FlowLimits, LimitName } from '../../../shared/flow/limits.js';
import type { NewExecution } from '../../store/executions-repo.js';
import type { StoreTx } from '../../store/tx.js';
import { formatDuration } from '../../../nodes/format.js';

/**
 * Guard rails, enforced where runs are created: every path that inserts an execution (webhook
 * deliveries, schedule ticks, manual runs, `flow.call` children, onHeld escalations) asks
 * `admitRun` in the SAME write transaction, just before its insert. The counts read the
 * executions table, so they include the runs inserted earlier in the same transaction (the other
 * alerts of one delivery) and survive restarts: nothing is kept in memory.
 *
 * What counts: a run counts unless it is held and was never released (a held run that was then
 * cancelled did nothing). The checks, in order (the first that refuses names the limit):
 * - `breaker`: the flow's circuit breaker is tripped (and the flow has `limits.breaker`);
 * - `maxRunsPerWindow`: the flow already has `runs` counted runs created within `window`;
 * - `cooldown`: a counted run with the same target key was created within `cooldown`;
 * - `maxConcurrent`: `maxConcurrent` runs with the same target key are active (queued, running, waiting);
 * - `blastRadius`: counted runs created within `window` already have `targets` distinct keys
 *   and this key is not one of them (a target already counted passes).
 * A duplicate (same dedup key) is decided before this and stays a duplicate, never held.
 */
export type Admission = { status: 'queued' } | { status: 'held'; limit: LimitName; reason: string };

/** How a reason says a duration in ms (`4 min 12 s`, `30 min`): whole seconds, as the rest of Salve words them. */
const spokenMs = (ms: number) => formatDuration(Math.round(ms / 1000), 's');

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Decides whether a new run of a flow with `limits` starts (`queued`) or is `held`. Call inside the inserting write. */
export async function admitRun(tx: StoreTx, run: { flowId: string; limits: FlowLimits | undefined; targetKey: string | null; now: number }): Promise<Admission> {
  const { flowId, limits, targetKey, now } = run;
  if (!limits) return { status: 'queued' };

  if (limits.breaker) {
    const breaker = await tx.breakers.get(flowId);
    if (breaker?.trippedAt != null) {
      return {
        status: 'held',
        limit: 'breaker',
        reason: `breaker: this flow's circuit breaker tripped ${spokenMs(now - breaker.trippedAt)} before this run (${limits.breaker.failures} failed runs within ${formatDuration(limits.breaker.window, 's')}); a person must reset it`,
      };
    }
  }

  const perWindow = limits.maxRunsPerWindow;
  if (perWindow) {
    const n = await tx.executions.countAdmittedSince(flowId, now - perWindow.window * 1000);
    if (n >= perWindow.runs) {
      return {
        status: 'held',
        limit: 'maxRunsPerWindow',
        reason: `maxRunsPerWindow: ${plural(n, 'run')} of this flow started in the last ${formatDuration(perWindow.window, 's')}; at most ${perWindow.runs} per ${formatDuration(perWindow.window, 's')}`,
      };
    }
  }

  const target = limits.target;
  if (target && targetKey !== null) {
    if (target.cooldown) {
      const last = await tx.executions.lastAdmittedForTarget(flowId, targetKey, now - target.cooldown * 1000);
      if (last) {
        return {
          status: 'held',
          limit: 'cooldown',
          reason: `cooldown: ${targetKey} was remediated ${spokenMs(now - last.createdAt)} before this run (run ${last.id}); cooldown ${formatDuration(target.cooldown, 's')}`,
        };
      }
    }
    if (target.maxConcurrent) {
      const active = await tx.executions.countActiveForTarget(flowId, targetKey);
      if (active >= target.maxConcurrent) {
        return {
          status: 'held',
          limit: 'maxConcurrent',
          reason: `maxConcurrent: ${plural(active, 'run')} for ${targetKey} ${active === 1 ? 'is' : 'are'} still active; at most ${target.maxConcurrent} at a time`,
        };
      }
    }
  }

  const blast = limits.blastRadius;
  if (blast && targetKey !== null) {
    const since = now - blast.window * 1000;
    // One more than the limit is enough to decide; the list names them in the reason.
    const seen = await tx.executions.targetsSince(flowId, since, blast.targets + 1);
    if (!seen.includes(targetKey) && seen.length >= blast.targets && !(await tx.executions.lastAdmittedForTarget(flowId, targetKey, since))) {
      const shown = seen.slice(0, 5).join(', ') + (seen.length > 5 ? ', …' : '');
      return {
        status: 'held',
        limit: 'blastRadius',
        reason: `blastRadius: ${plural(seen.length, 'target')} (${shown}) already acted on in the last ${formatDuration(blast.window, 's')}; at most ${blast.targets} per ${formatDuration(blast.window, 's')}, and ${targetKey} would be one more`,
      };
    }
  }
  return { status: 'queued' };
}

/** The columns of a new execution row for its admission. */
export function admissionColumns(admission: Admission, targetKey: string | null, now: number): Pick<NewExecution, 'status' | 'targetKey' | 'heldLimit' | 'heldReason' | 'heldAt'> {
  if (admission.status === 'queued') return { status: 'queued', targetKey };
  return { status: 'held', targetKey, heldLimit: admission.limit, heldReason: admission.reason, heldAt: now };
}
