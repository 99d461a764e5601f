import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/**
 * What a `notify.teams` step records: where the card went (the workflow URL's origin only: its
 * path and query are the credential), and the workflow's answer (`status` null when none came).
 */
export const TeamsOutputSchema = z.object({
  /** The workflow URL's origin, e.g. `https://prod-12.westus.logic.azure.com`. */
  to: z.string(),
  ok: z.boolean(),
  status: z.int().nullable(),
  /** What happened: the workflow's error code and message, or why the request failed. */
  message: z.string(),
  durationMs: z.number(),
});
export type TeamsOutput = z.infer<typeof TeamsOutputSchema>;

export function presentTeamsOutput(output: TeamsOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Workflow at', text: output.to, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.ok ? 'ok' : 'error', status: true });
  view.facts.push({ label: 'Took', durationMs: output.durationMs });
  view.blocks.push({ kind: 'note', text: output.message, tone: output.ok ? 'muted' : 'error' });
  return view;
}
