import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** What a `notify.jira` step records: the issue (key and link), and Jira's answer. */
export const JiraOutputSchema = z.object({
  /** The issue created (or found again after a crash), e.g. OPS-123; null when none was. */
  issueKey: z.string().nullable(),
  /** `<url>/browse/<key>`: where people open the issue; null when none was created. */
  issueUrl: z.string().nullable(),
  /** Jira's HTTP status; null when no answer came (or nothing was sent). */
  status: z.int().nullable(),
  /** What happened, in words: Jira's own when it refused. */
  message: z.string(),
  /** A 400's objections, field → Jira's message (e.g. `priority`: "Priority name 'Urgent' is not valid"). */
  fields: z.record(z.string(), z.string()).optional(),
  /** The label that ties the issue to this step (`salve-<12 hex>`), searched for on a retry. */
  label: z.string(),
  /** Retried after a crash: the issue an earlier try created was found and kept. */
  reused: z.boolean().optional(),
  durationMs: z.number().optional(),
});
export type JiraOutput = z.infer<typeof JiraOutputSchema>;

export function presentJiraOutput(output: JiraOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  if (output.issueKey) view.facts.push({ label: 'Issue', text: output.issueKey, mono: true });
  if (output.issueUrl) view.facts.push({ label: 'Link', text: output.issueUrl, mono: true });
  const ok = output.issueKey !== null;
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: ok ? 'ok' : 'error', status: true });
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  view.blocks.push({ kind: 'note', text: output.message, tone: ok ? 'muted' : 'error' });
  for (const [field, message] of Object.entries(output.fields ?? {})) view.blocks.push({ kind: 'note', text: `${field}: ${message}`, tone: 'error' });
  return view;
}
