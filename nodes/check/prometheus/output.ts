import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** Series kept in a check's output; `expect` reads all of them. */
export const MAX_RECORDED_SERIES = 100;

/** One series of the result as `expect` reads it: its labels and its sample value, as Prometheus writes it ("0.95", "NaN", "+Inf"). */
const PromSeriesSchema = z.object({
  metric: z.record(z.string(), z.string()),
  value: z.string(),
});
export type PromSeries = z.infer<typeof PromSeriesSchema>;

/**
 * What a `check.prometheus` step records: whether the check passed, what Prometheus answered
 * (`status` null when no answer came), the result (its first 100 series), and why it did not pass.
 */
export const PrometheusCheckOutputSchema = z.object({
  /** Whether `expect` gave true: the step went to `pass`. */
  passed: z.boolean(),
  /** The HTTP status of Prometheus's answer; null when no answer came (refused, network error, timeout). */
  status: z.int().nullable(),
  /** `vector`, `scalar` or `string` for a result; null when there is none. */
  resultType: z.string().nullable(),
  /** The result's first 100 series (a scalar or string is one series with no labels). */
  result: z.array(PromSeriesSchema),
  /** How many series the result had: more than `result` holds when it was cut at 100. */
  seriesTotal: z.int(),
  /** Prometheus's own error (`errorType` such as `bad_data`, `timeout`, `execution`, and its message). */
  error: z.object({ type: z.string(), message: z.string() }).optional(),
  /** Warnings Prometheus sent with the result. */
  warnings: z.array(z.string()).optional(),
  durationMs: z.number(),
  /** Why the check did not pass: the expectation was false or could not be evaluated, Prometheus refused the query, or no answer came. */
  reason: z.string().optional(),
});
export type PrometheusCheckOutput = z.infer<typeof PrometheusCheckOutputSchema>;

/** The run view's reading of a check: passed or not and why, status, series, time, then the result. */
export function presentPrometheusCheckOutput(output: PrometheusCheckOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Check', text: output.passed ? 'Passed' : 'Did not pass', tone: output.passed ? 'ok' : 'error' });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.status < 300 ? 'ok' : 'error', status: true });
  if (output.resultType !== null) {
    view.facts.push({ label: 'Result', text: `${output.resultType}, ${output.seriesTotal} series` });
  }
  view.facts.push({ label: 'Took', durationMs: output.durationMs });
  if (output.reason) view.blocks.push({ kind: 'note', text: output.reason, tone: 'error' });
  for (const warning of output.warnings ?? []) view.blocks.push({ kind: 'note', text: `Prometheus warned: ${warning}`, tone: 'muted' });
  if (output.resultType === null) return view;
  if (output.seriesTotal > output.result.length) {
    view.blocks.push({ kind: 'note', text: `The first ${output.result.length} of ${output.seriesTotal} series are shown.`, tone: 'muted' });
  }
  view.blocks.push({ kind: 'json', title: 'Result', value: output.result });
  return view;
}
