import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** A header not re-sent on a redirect hop, and why (a secret may not go there). */
const DroppedHeaderSchema = z.object({
  header: z.string(),
  /** `origin + path` of the hop it was not sent to. */
  to: z.string(),
  reason: z.string(),
});
export type DroppedHeader = z.infer<typeof DroppedHeaderSchema>;

/** With `followRedirects`: each redirect followed, and the headers dropped on the way. */
const redirectFields = {
  redirects: z.array(z.object({ status: z.int(), to: z.string() })).optional(),
  droppedHeaders: z.array(DroppedHeaderSchema).optional(),
};

/** An answer came: its status (expected or not), the headers worth keeping, the body. */
const HttpResponseOutputSchema = z.object({
  status: z.int(),
  /** Only the headers worth keeping: content-type and location. */
  headers: z.record(z.string(), z.string()),
  /** Parsed JSON when the response says it is JSON and is complete; otherwise text. */
  body: z.unknown(),
  truncated: z.boolean(),
  durationMs: z.number(),
  ...redirectFields,
});

/** No answer: a bad URL, a refused destination, a network error or a timeout. */
const HttpFailureOutputSchema = z.object({
  status: z.null(),
  error: z.string(),
  /** Absent when the URL could not even be read. */
  durationMs: z.number().optional(),
  ...redirectFields,
});

/** What an `action.http` step records as its output: `status` is null when no answer came. */
export const HttpOutputSchema = z.union([HttpResponseOutputSchema, HttpFailureOutputSchema]);
export type HttpOutput = z.infer<typeof HttpOutputSchema>;
export type HttpResponseOutput = z.infer<typeof HttpResponseOutputSchema>;

/** The run view's reading of an HTTP step: status, time, content type, location, then the error or the body. */
export function presentHttpOutput(output: HttpOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  if (output.status === null) {
    view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  } else {
    const ok = output.status >= 200 && output.status < 300;
    view.facts.push({ label: 'HTTP status', text: String(output.status), tone: ok ? 'ok' : 'error', status: true });
  }
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  if (output.status === null) {
    if (output.error) view.blocks.push({ kind: 'note', text: output.error, tone: 'error' });
    return view;
  }
  const contentType = output.headers['content-type'];
  if (contentType) view.facts.push({ label: 'Content type', text: contentType, mono: true });
  if (output.headers.location) view.facts.push({ label: 'Location', text: output.headers.location, mono: true });
  if (output.truncated) view.blocks.push({ kind: 'note', text: 'The response was cut at 1 MiB.', tone: 'muted' });
  view.blocks.push(
    typeof output.body === 'string'
      ? { kind: 'text', title: 'Response body', text: output.body }
      : { kind: 'json', title: 'Response body', value: output.body },
  );
  return view;
}
