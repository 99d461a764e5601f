import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/**
 * What a `notify.opsgenie` step records: the action, the alias it acted on, and Opsgenie's
 * answer (`status` null when none came). Never the API key.
 */
export const OpsgenieOutputSchema = z.object({
  action: z.enum(['create', 'acknowledge', 'close', 'note']),
  alias: z.string(),
  /** Opsgenie's id of the request, to look up how it was processed (`GET /v2/alerts/requests/<id>`). */
  requestId: z.string().nullable(),
  status: z.int().nullable(),
  /** Opsgenie's `result` ("Request will be processed") or `message`, or why the request failed. */
  message: z.string(),
  /** Opsgenie's list of what was wrong with the request (422 answers), as `field: reason`. */
  errors: z.array(z.string()).optional(),
  /** note, retried after a crash: the note the first try added was found, and none was added. */
  reused: z.boolean().optional(),
  durationMs: z.number(),
});
export type OpsgenieOutput = z.infer<typeof OpsgenieOutputSchema>;

export function presentOpsgenieOutput(output: OpsgenieOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  const ok = output.status !== null && output.status >= 200 && output.status < 300;
  view.facts.push({ label: 'Action', text: output.action });
  view.facts.push({ label: 'Alias', text: output.alias, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: ok ? 'ok' : 'error', status: true });
  if (output.requestId) view.facts.push({ label: 'Request id', text: output.requestId, mono: true });
  view.facts.push({ label: 'Took', durationMs: output.durationMs });
  view.blocks.push({ kind: 'note', text: output.message, tone: ok ? 'muted' : 'error' });
  for (const error of output.errors ?? []) view.blocks.push({ kind: 'note', text: error, tone: 'error' });
  return view;
}
