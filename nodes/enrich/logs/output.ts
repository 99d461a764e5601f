import { z } from 'zod';
import { AttachmentSchema } from '../../../shared/attachment.js';
import type { OutputView } from '../../output-view.js';

/** What an `enrich.logs` step records: where the log came from, and the log as an attachment. */
export const LogsOutputSchema = z.object({
  from: z.enum(['kubernetes', 'journal', 'file']),
  /** `pod web/api-0 on prod`, `journal of nginx.service on db1:22`. */
  target: z.string(),
  /** The log as a text file (on `ok`); `notify.slack` and `notify.email` attach it. */
  attachment: AttachmentSchema.optional(),
  /** Lines kept. */
  lines: z.int(),
  /** The log was longer than 256 KiB and was cut. */
  truncated: z.boolean(),
  /** What happened, in words: the refusal or the command's error when nothing was read. */
  message: z.string(),
  durationMs: z.number(),
});
export type LogsOutput = z.infer<typeof LogsOutputSchema>;

export function presentLogsOutput(output: LogsOutput): OutputView {
  const view: OutputView = {
    facts: [
      { label: 'Log', text: output.target, mono: true },
      { label: 'Lines', text: String(output.lines), ...(output.attachment ? {} : { tone: 'error' as const }) },
      { label: 'Took', durationMs: output.durationMs },
    ],
    blocks: [],
  };
  view.blocks.push({ kind: 'note', text: output.message, tone: output.attachment ? 'muted' : 'error' });
  if (output.attachment) view.blocks.push({ kind: 'attachment', attachment: output.attachment });
  return view;
}
