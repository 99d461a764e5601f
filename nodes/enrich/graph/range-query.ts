import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import type { ExecContext } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { describeTarget, MAX_RESPONSE_BYTES, probeChecked } from '../../http-request.js';
import { parseJsonText } from '../../json-api.js';
import { PrometheusAnswerSchema } from '../../prometheus-answer.js';

/**
 * One PromQL range query (`GET <url>/api/v1/query_range`) and the reading of its answer: a
 * matrix of series, each its labels and its samples as numbers, NaN and infinities as gaps.
 * The answer is untrusted (a proxy's page, a hostile or broken server): it is bounded in size by
 * the HTTP helpers, checked against Prometheus's envelope, and refused when a series holds more
 * samples than Prometheus itself would ever answer.
 */

/** Points a chart aims for: the step is chosen so the range holds about this many. */
const TARGET_POINTS = 240;

/** Prometheus refuses a range query with more points per series than this; an answer with more is not Prometheus's. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Steps a person would choose (1 s … 1 h): the chart's points fall on round times. */
const STEPS_SECONDS = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 600, 900, 1200, 1800, 3600];

/** The smallest round step giving at most 240 points (plus the last) over `rangeSeconds`: 15 s for an hour, 6 min for a day. */
export function chooseStep(rangeSeconds: number): number {
  const wanted = rangeSeconds / TARGET_POINTS;
  return STEPS_SECONDS.find((s) => s >= wanted) ?? Math.ceil(wanted / 3600) * 3600;
}

/**
 * Prometheus's own `timeout` for the query: a little less than the step's, so an expensive
 * expression is stopped at Prometheus before Salve gives up on the answer (`14s` for 15 s, `500ms` for 1 s).
 */
export function prometheusTimeout(timeoutSeconds: number): string {
  const ms = timeoutSeconds * 1000 - Math.min(1000, (timeoutSeconds * 1000) / 2);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A time as Prometheus reads it: Unix seconds, milliseconds after the point when there are any. */
function unixSeconds(time: Date): string {
  return String(time.getTime() / 1000);
}

export interface RangeRequest {
  /** Prometheus's base URL (written out in the config), maybe with a path prefix. */
  url: string;
  headers: Record<string, string>;
  query: string;
  from: Date;
  to: Date;
  stepSeconds: number;
  timeoutSeconds: number;
}

/** `<base>/api/v1/query_range?query=…&start=…&end=…&step=…&timeout=…`, below the base URL's path. */
export function rangeQueryUrl(request: Omit<RangeRequest, 'headers'>): URL {
  const url = serviceEndpoint(request.url, '/api/v1/query_range');
  url.searchParams.set('query', request.query);
  url.searchParams.set('start', unixSeconds(request.from));
  url.searchParams.set('end', unixSeconds(request.to));
  url.searchParams.set('step', String(request.stepSeconds));
  url.searchParams.set('timeout', prometheusTimeout(request.timeoutSeconds));
  return url;
}

/** One series of the answer: its labels, and its samples in time order (`v` null for NaN and ±Inf: a gap). */
export interface MatrixSeries {
  metric: Record<string, string>;
  points: { t: number; v: number | null }[];
}

/** What came back: the series, or why there are none to draw (`status` null when no answer came). */
export type RangeAnswer =
  | { ok: true; status: number; series: MatrixSeries[]; warnings: string[] }
  | { ok: false; status: number | null; message: string; error?: { type: string; message: string } };

/**
 * A range vector: series with labels and `[<unix time>, "<value>"]` samples. A native histogram
 * series has `histograms` instead of `values`: it has no value to draw.
 */
const MatrixSchema = z.array(
  z.object({
    metric: z.record(z.string(), z.string()),
    values: z.array(z.tuple([z.number(), z.string()])).optional(),
  }),
);

/** A sample value as Prometheus writes it: a decimal number, or NaN / ±Inf (read as a gap). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A sample's value, or null when there is nothing to draw (NaN, ±Inf, anything that is not a number). */
function sampleValue(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The answer's body read as a range query result, or why it is not one. */
export function readRangeAnswer(target: string, status: number, body: string): RangeAnswer {
  const answer = PrometheusAnswerSchema.safeParse(parseJsonText(body));
  if (!answer.success) {
    return { ok: false, status, message: `${target} answered ${status}, not with a Prometheus query result: ${JSON.stringify(truncate(body, 200))}` };
  }
  const { data } = answer.data;
  if (answer.data.status === 'error' || status < 200 || status > 299 || !data) {
    const error = { type: answer.data.errorType ?? 'unknown', message: truncate(answer.data.error ?? '', 2000) };
    return { ok: false, status, error, message: `Prometheus refused the query (${status} ${error.type}): ${error.message || 'no message'}` };
  }
  if (data.resultType !== 'matrix') {
    return { ok: false, status, message: `${target} answered with a ${JSON.stringify(truncate(data.resultType, 40))} result, not a matrix (what a range query gives)` };
  }
  const matrix = MatrixSchema.safeParse(data.result);
  if (!matrix.success) return { ok: false, status, message: `the matrix in the answer is not a list of series with labels and [time, value] samples` };
  const series: MatrixSeries[] = [];
  for (const s of matrix.data) {
    const values = s.values ?? [];
    if (values.length > MAX_POINTS_PER_SERIES) {
      return { ok: false, status, message: `the answer has a series of ${values.length} samples; a range query gives at most ${MAX_POINTS_PER_SERIES.toLocaleString('en-US')} per series` };
    }
    series.push({ metric: s.metric, points: values.map(([t, v]) => ({ t: Math.round(t * 1000), v: sampleValue(v) })) });
  }
  return { ok: true, status, series, warnings: (answer.data.warnings ?? []).slice(0, 20).map((w) => truncate(w, 500)) };
}

/**
 * Sends the range query through `ctx.network` (the destination policy and the secrets' host
 * lists are checked before anything connects) and reads the answer. Rejects with RequestFailure,
 * DestinationRefused or ResolveFailed when no answer came (see isCallFailure).
 */
export async function queryRange(ctx: Pick<ExecContext, 'network' | 'signal'>, request: RangeRequest): Promise<RangeAnswer> {
  const url = rangeQueryUrl(request);
  const target = describeTarget('GET', url);
  const res = await probeChecked(ctx, { method: 'GET', url, headers: { 'User-Agent': 'salve', Accept: 'application/json', ...request.headers }, timeoutSeconds: request.timeoutSeconds });
  if (res.truncated) {
    return {
      ok: false,
      status: res.status,
      message: `${target} answered with more than ${MAX_RESPONSE_BYTES / 1048576} MiB; narrow the query (a label matcher, topk, or an aggregation such as max by (instance))`,
    };
  }
  return readRangeAnswer(target, res.status, res.body.toString('utf8'));
}
