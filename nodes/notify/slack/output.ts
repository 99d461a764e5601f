import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/**
 * What a `notify.slack` step records: how it posted, where the message is (bot posts only: Slack's
 * channel id and the message's `ts`, which later steps of the run reply to), and Slack's answer
 * (`status` null when none came). Never the token or the webhook URL.
 */
export const SlackOutputSchema = z.object({
  via: z.enum(['bot', 'webhook']),
  /** Bot posts: the channel as the config named it (`#ops`), to match later steps against. */
  to: z.string().optional(),
  /** Bot posts: Slack's id of the channel (`C0123456789`). */
  channel: z.string().optional(),
  /** Bot posts: the message's timestamp, Slack's id for it. */
  ts: z.string().optional(),
  /** The thread the message replied in (the first message's `ts`), when it was a reply. */
  threadTs: z.string().optional(),
  ok: z.boolean(),
  /** The files uploaded into the message's thread (`attach`), by name. */
  attached: z.array(z.string()).optional(),
  /** Slack's error code (`channel_not_found`), or why the request failed. */
  error: z.string().optional(),
  status: z.int().nullable(),
  durationMs: z.number(),
});
export type SlackOutput = z.infer<typeof SlackOutputSchema>;

export function presentSlackOutput(output: SlackOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Posted with', text: output.via === 'bot' ? 'bot token' : 'incoming webhook' });
  if (output.to) view.facts.push({ label: 'Channel', text: output.channel && output.channel !== output.to ? `${output.to} (${output.channel})` : output.to, mono: true });
  if (output.ts) view.facts.push({ label: 'Message ts', text: output.ts, mono: true });
  if (output.threadTs) view.facts.push({ label: 'Reply in thread', text: output.threadTs, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.ok ? 'ok' : 'error', status: true });
  if (output.attached && output.attached.length > 0) view.facts.push({ label: 'Attached', text: output.attached.join(', '), mono: true });
  view.facts.push({ label: 'Took', durationMs: output.durationMs });
  if (output.error) view.blocks.push({ kind: 'note', text: output.error, tone: 'error' });
  return view;
}
