import { z } from 'zod';
import type { Alert } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError } from '../../../shared/errors.js';
import type { SourceAdapter } from '../../source-adapter.js';
import { notStartedReasonFor } from '../common.js';
import type { ScheduleConfig } from './definition.js';
import type { TickPayload } from './samples.js';

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, `must be ${what}`).max(256);
const instant = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp, e.g. 2026-11-24T02:00:00.000Z' });

/** A tick as `event` holds it (see TickPayload); fields beyond these are allowed and ignored. */
const TickPayloadSchema = z.looseObject(
  {
    flowId: text('the flow id'),
    flowName: text('the flow name'),
    nodeId: text('the schedule node id'),
    cron: text('the cron expression'),
    timezone: text('a time zone name'),
    scheduledAt: instant,
    firedAt: instant.optional(),
  },
  { error: 'must be a JSON object: a schedule tick (see the source.schedule sample)' },
);

/** The tick Salve writes as `event` when a schedule fires at `scheduledAt` (epoch ms). */
export function tickPayload(
  config: Pick<ScheduleConfig, 'cron' | 'timezone'>,
  at: { flowId: string; flowName: string; nodeId: string; scheduledAt: number; firedAt: number },
): TickPayload {
  return {
    flowId: at.flowId,
    flowName: at.flowName,
    nodeId: at.nodeId,
    cron: config.cron,
    timezone: config.timezone,
    scheduledAt: new Date(at.scheduledAt).toISOString(),
    firedAt: new Date(at.firedAt).toISOString(),
  };
}

/**
 * The alert of one tick. `fingerprint` names the schedule (flow and node), so all runs of one
 * schedule are one alert; `dedupKey` names the tick (node and scheduled time), so a tick never
 * starts two runs, whichever process or restart sees it.
 */
export function scheduleAlert(config: ScheduleConfig, tick: TickPayload): Alert {
  return {
    source: 'schedule',
    status: 'firing',
    name: config.name ?? tick.flowName,
    severity: 'info',
    summary: `Scheduled run for ${tick.scheduledAt} (${tick.cron}, ${tick.timezone})`,
    description: '',
    labels: { ...config.labels },
    annotations: {},
    startsAt: tick.scheduledAt,
    endsAt: '',
    fingerprint: `${tick.flowId}/${tick.nodeId}`,
    dedupKey: `${tick.nodeId}@${tick.scheduledAt}`,
    links: {},
    raw: tick,
  };
}

/** Reads a tick payload (simulation, the Test panel); throws ValidationError naming the field. */
export function normalizeTick(config: ScheduleConfig, body: unknown): Alert[] {
  const parsed = TickPayloadSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('schedule tick is invalid', issuesFromZod(parsed.error.issues));
  return [scheduleAlert(config, { ...parsed.data, firedAt: parsed.data.firedAt ?? parsed.data.scheduledAt })];
}

/**
 * `source.schedule` takes no deliveries (its trigger is `schedule`, so the hook router never
 * routes to it): ticks come from the engine's schedule runner through trigger.ts; `normalize`
 * reads a tick payload for simulation and the Test panel.
 */
export const scheduleAdapter: SourceAdapter<ScheduleConfig> = {
  normalize: (config, body) => normalizeTick(config, body),
  accepts: () => true,
  notStartedReason: (_config, alert) => notStartedReasonFor(undefined, alert),
};
