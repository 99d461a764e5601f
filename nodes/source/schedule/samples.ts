import type { NodeSample } from '../../definition.js';

/**
 * What a `source.schedule` tick looks like as `event` (Salve writes it; nothing is posted):
 * which schedule fired and for which scheduled time.
 */
export interface TickPayload {
  flowId: string;
  flowName: string;
  nodeId: string;
  cron: string;
  timezone: string;
  /** The tick's scheduled time (RFC 3339, UTC): the alert's `startsAt`. */
  scheduledAt: string;
  /** When Salve handled it: a moment after `scheduledAt`, later after a restart. */
  firedAt: string;
}

/** Test payloads for `source.schedule`: a tick as a run sees it in `event`. */
export const scheduleSamples: readonly NodeSample[] = [
  {
    name: 'Nightly tick',
    description: 'The tick of a "0 3 * * *" schedule in Europe/Berlin on 24 November 2026 (02:00 UTC), as a run sees it in event.',
    payload: {
      flowId: 'nightly-disk-check',
      flowName: 'Nightly disk check',
      nodeId: 'nightly',
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      scheduledAt: '2026-11-24T02:00:00.000Z',
      firedAt: '2026-11-24T02:00:00.004Z',
    } satisfies TickPayload,
  },
];
