import { z } from 'zod';
import { AttachmentSchema } from '../../../shared/attachment.js';
import type { OutputView } from '../../output-view.js';

/**
 * What an `enrich.graph` step records: what it asked Prometheus (the query, the range, the step),
 * how much came back and was drawn, and the chart as an attachment (on `ok`).
 */
export const GraphOutputSchema = z.object({
  /** The chart (PNG or SVG), on `ok`: `notify.slack` and `notify.email` attach it, the run view shows it. */
  attachment: AttachmentSchema.optional(),
  /** The PromQL sent: the config's `query` rendered, or the alert's own expression; empty when there was none. */
  query: z.string(),
  /** The range charted, RFC 3339 in UTC: `to` is when the step ran. */
  from: z.string(),
  to: z.string(),
  /** Seconds between points. */
  stepSeconds: z.int(),
  /** How many series the answer had. */
  series: z.int(),
  /** How many of them were drawn (at most 10, those with the highest maximum). */
  shown: z.int(),
  /** Samples drawn, over every line (NaN and infinities, drawn as gaps, not counted). */
  points: z.int(),
  /** What went wrong (on `error`), or what Prometheus warned of. */
  message: z.string().optional(),
  /** Prometheus's HTTP status; absent when no answer came (or nothing was sent). */
  status: z.int().optional(),
  durationMs: z.number(),
});
export type GraphOutput = z.infer<typeof GraphOutputSchema>;

/** The run view's reading: the query, the series drawn, the range, the time, then the chart. */
export function presentGraphOutput(output: GraphOutput): OutputView {
  const minutes = Math.round((Date.parse(output.to) - Date.parse(output.from)) / 60_000);
  const view: OutputView = {
    facts: [
      output.query ? { label: 'Query', text: output.query, mono: true } : { label: 'Query', missing: 'None' },
      {
        label: 'Series',
        text: output.series > output.shown ? `${output.shown} of ${output.series} drawn` : String(output.series),
        ...(output.attachment ? {} : { tone: 'error' as const }),
      },
      { label: 'Range', text: `${minutes} min to ${output.to}, step ${output.stepSeconds} s`, mono: true },
      { label: 'Took', durationMs: output.durationMs },
    ],
    blocks: [],
  };
  if (output.message) view.blocks.push({ kind: 'note', text: output.message, tone: output.attachment ? 'muted' : 'error' });
  if (output.attachment) view.blocks.push({ kind: 'attachment', attachment: output.attachment });
  return view;
}
