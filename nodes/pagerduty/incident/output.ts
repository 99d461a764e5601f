import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** What a `pagerduty.incident` step records: the incident, and PagerDuty's answer. */
export const PagerDutyIncidentOutputSchema = z.object({
  action: z.enum(['acknowledge', 'resolve', 'note']),
  /** The incident acted on; null when the run had none (nothing was sent). */
  incidentId: z.string().nullable(),
  /** PagerDuty's HTTP status; null when no answer came (or nothing was sent). */
  status: z.int().nullable(),
  /** What happened, in words: PagerDuty's reason when it refused. */
  message: z.string(),
  /** acknowledge and resolve: the incident's status in PagerDuty's answer. */
  incidentStatus: z.string().optional(),
  /** note: the note PagerDuty created (or found again after a crash). */
  noteId: z.string().optional(),
  /** note, retried after a crash: the note the first try posted was found and kept. */
  reused: z.boolean().optional(),
  /**
   * acknowledge and resolve: PagerDuty refused because the incident already was in that status
   * (a repeat after a crash, or a person was quicker), which counts as done.
   */
  already: z.boolean().optional(),
  /** PagerDuty's list of what was wrong (`error.errors` of a refusal). */
  errors: z.array(z.string()).optional(),
  durationMs: z.number().optional(),
});
export type PagerDutyIncidentOutput = z.infer<typeof PagerDutyIncidentOutputSchema>;

const succeeded = (output: PagerDutyIncidentOutput) => output.already === true || (output.status !== null && output.status >= 200 && output.status < 300);

export function presentPagerDutyIncidentOutput(output: PagerDutyIncidentOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Action', text: output.action });
  if (output.incidentId) view.facts.push({ label: 'Incident', text: output.incidentId, mono: true });
  if (output.incidentStatus) view.facts.push({ label: 'Incident status', text: output.incidentStatus });
  if (output.noteId) view.facts.push({ label: 'Note', text: output.noteId, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: succeeded(output) ? 'ok' : 'error', status: true });
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  view.blocks.push({ kind: 'note', text: output.message, tone: succeeded(output) ? 'muted' : 'error' });
  if (!output.already) for (const error of output.errors ?? []) view.blocks.push({ kind: 'note', text: error, tone: 'error' });
  return view;
}
