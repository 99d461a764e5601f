import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** What a `grafana.annotate` step records: the annotation, and Grafana's answer. */
export const AnnotationOutputSchema = z.object({
  /** The annotation added (or found again after a crash); null when none was. */
  annotationId: z.int().nullable(),
  /** Grafana's HTTP status; null when no answer came (or nothing was sent). */
  status: z.int().nullable(),
  /** What happened, in words: Grafana's reason when it refused. */
  message: z.string(),
  /** The dashboard and panel it belongs to; null for an organization annotation. */
  dashboardUid: z.string().nullable(),
  panelId: z.int().nullable(),
  /** The tags sent, the step's own marker tag last. */
  tags: z.array(z.string()).optional(),
  /** When it is (ms since the epoch), and where its region ends. */
  time: z.number().optional(),
  timeEnd: z.number().optional(),
  /** Retried after a crash: the annotation the first try added was found and kept. */
  reused: z.boolean().optional(),
  durationMs: z.number().optional(),
});
export type AnnotationOutput = z.infer<typeof AnnotationOutputSchema>;

export function presentAnnotationOutput(output: AnnotationOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  const done = output.annotationId !== null;
  if (done) view.facts.push({ label: 'Annotation', text: String(output.annotationId), mono: true });
  view.facts.push({ label: 'Dashboard', text: output.dashboardUid ?? 'organization annotation', mono: output.dashboardUid !== null });
  if (output.panelId !== null) view.facts.push({ label: 'Panel', text: String(output.panelId), mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.status === 200 ? 'ok' : 'error', status: true });
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  if (output.tags && output.tags.length > 0) view.blocks.push({ kind: 'text', title: 'Tags', text: output.tags.join('\n') });
  view.blocks.push({ kind: 'note', text: output.message, tone: done ? 'muted' : 'error' });
  return view;
}
