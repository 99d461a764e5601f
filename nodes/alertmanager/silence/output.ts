import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** What an `alertmanager.silence` step records: the silence, and Alertmanager's answer. */
export const SilenceOutputSchema = z.object({
  action: z.enum(['create', 'expire']),
  /** The silence created (or found again after a crash) or expired; null when none was. */
  silenceId: z.string().nullable(),
  /** Alertmanager's HTTP status; null when no answer came (or nothing was sent). */
  status: z.int().nullable(),
  /** What happened, in words: Alertmanager's reason when it refused. */
  message: z.string(),
  /** create: the silence's matchers (name = value) and when it ends. */
  matchers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  /** create with `untilRunEnds`: the silence is expired once the run ends. */
  untilRunEnds: z.boolean().optional(),
  /** create, retried after a crash: the silence the first try made was found and kept. */
  reused: z.boolean().optional(),
  durationMs: z.number().optional(),
});
export type SilenceOutput = z.infer<typeof SilenceOutputSchema>;

export function presentSilenceOutput(output: SilenceOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Action', text: output.action });
  if (output.silenceId) view.facts.push({ label: 'Silence', text: output.silenceId, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.status === 200 ? 'ok' : 'error', status: true });
  if (output.endsAt) view.facts.push({ label: 'Ends', text: output.untilRunEnds ? `when the run ends, at the latest ${output.endsAt}` : output.endsAt, mono: true });
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  if (output.matchers) view.blocks.push({ kind: 'text', title: 'Matchers', text: output.matchers.map((m) => `${m.name}="${m.value}"`).join('\n') });
  view.blocks.push({ kind: 'note', text: output.message, tone: output.silenceId && output.status === 200 ? 'muted' : 'error' });
  return view;
}
