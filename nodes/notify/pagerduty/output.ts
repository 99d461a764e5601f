import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/**
 * What a `notify.pagerduty` step records: the event sent (without the routing key), PagerDuty's
 * answer (`status` null when none came), and the dedup key the incident goes by.
 */
export const PagerDutyOutputSchema = z.object({
  action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedupKey: z.string(),
  status: z.int().nullable(),
  /** PagerDuty's `message` ("Event processed"), or why the request failed. */
  message: z.string(),
  /** PagerDuty's list of what was wrong with the event (400 answers). */
  errors: z.array(z.string()).optional(),
  durationMs: z.number().optional(),
});
export type PagerDutyOutput = z.infer<typeof PagerDutyOutputSchema>;

export function presentPagerDutyOutput(output: PagerDutyOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Action', text: output.action });
  view.facts.push({ label: 'Dedup key', text: output.dedupKey, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.status === 202 ? 'ok' : 'error', status: true });
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  const failed = output.status !== 202;
  view.blocks.push({ kind: 'note', text: output.message, tone: failed ? 'error' : 'muted' });
  for (const error of output.errors ?? []) view.blocks.push({ kind: 'note', text: error, tone: 'error' });
  return view;
}
