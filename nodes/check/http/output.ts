import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** Response bodies kept in a check's output; the expectation reads more (up to 1 MiB). */
export const MAX_RECORDED_BODY = 64 * 1024;

/**
 * What a `check.http` step records: whether the check passed, the answer (`status` null when none
 * came), and why it did not pass.
 */
export const HttpCheckOutputSchema = z.object({
  /** The answer's status; null when no answer came (refused, network error, timeout). */
  status: z.int().nullable(),
  /** Whether `expect` gave true: the step went to `pass`. */
  passed: z.boolean(),
  /** Only the content type: the rest is read by `expect`, not recorded. */
  headers: z.record(z.string(), z.string()),
  /** Parsed JSON when the response says it is JSON, otherwise text; null without an answer. Cut at 64 KiB. */
  body: z.unknown(),
  /** The body was longer than 64 KiB: `body` is its start, as text. */
  truncated: z.boolean().optional(),
  durationMs: z.number(),
  /** Why the check did not pass: the expectation was false or could not be evaluated, or no answer came. */
  reason: z.string().optional(),
});
export type HttpCheckOutput = z.infer<typeof HttpCheckOutputSchema>;

/** The run view's reading of a check: passed or not and why, status, time, content type, then the body. */
export function presentHttpCheckOutput(output: HttpCheckOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Check', text: output.passed ? 'Passed' : 'Did not pass', tone: output.passed ? 'ok' : 'error' });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.passed ? 'ok' : 'error', status: true });
  view.facts.push({ label: 'Took', durationMs: output.durationMs });
  const contentType = output.headers['content-type'];
  if (contentType) view.facts.push({ label: 'Content type', text: contentType, mono: true });
  if (output.reason) view.blocks.push({ kind: 'note', text: output.reason, tone: 'error' });
  if (output.status === null) return view;
  if (output.truncated) view.blocks.push({ kind: 'note', text: 'The response body is shown up to 64 KiB.', tone: 'muted' });
  view.blocks.push(
    typeof output.body === 'string' ? { kind: 'text', title: 'Response body', text: output.body } : { kind: 'json', title: 'Response body', value: output.body },
  );
  return view;
}
