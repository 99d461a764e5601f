import { z } from 'zod';
import { evaluateCelBool } from '../../../shared/expr/index.js';
import { truncate } from '../../../shared/text.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { describeTarget, MAX_RESPONSE_BYTES, parseHttpUrl, probeChecked, RequestFailure } from '../../http-request.js';
import { DestinationRefused, ResolveFailed } from '../../network.js';
import { prometheusCheck } from './definition.js';
import { MAX_RECORDED_SERIES, type PrometheusCheckOutput, type PromSeries } from './output.js';
import { PrometheusAnswerSchema } from '../../prometheus-answer.js';

/** A sample as Prometheus writes it: `[<unix time>, "<value>"]`. */
const SampleSchema = z.tuple([z.number(), z.string()]);

/** An instant vector. A native histogram sample has `histogram` instead of `value`: its value reads as "". */
const VectorSchema = z.array(z.object({ metric: z.record(z.string(), z.string()), value: SampleSchema.optional() }));

/** The result as `expect` reads it, or why it cannot be read. */
function readResult(resultType: string, result: unknown): PromSeries[] | string {
  if (resultType === 'vector') {
    const vector = VectorSchema.safeParse(result);
    if (!vector.success) return 'the vector in the answer is not a list of series with labels and a sample';
    return vector.data.map((s) => ({ metric: s.metric, value: s.value?.[1] ?? '' }));
  }
  if (resultType === 'scalar' || resultType === 'string') {
    const sample = SampleSchema.safeParse(result);
    if (!sample.success) return `the ${resultType} in the answer is not a [time, value] sample`;
    return [{ metric: {}, value: sample.data[1] }];
  }
  if (resultType === 'matrix') return 'the query gave a range vector (matrix); a check needs an instant vector or a scalar, e.g. max_over_time(up[5m]) instead of up[5m]';
  return `the answer has an unknown result type ${JSON.stringify(truncate(resultType, 40))}`;
}

/** The request: `<base>/api/v1/query?query=…`, below the base URL's path (a Prometheus behind a prefix). */
function queryUrl(base: URL, query: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  url.hash = '';
  url.searchParams.set('query', query);
  return url;
}

/** What the result was, for a reason: "no series", "3 series", "scalar 0.5". */
function describeResult(resultType: string, result: PromSeries[]): string {
  if (resultType !== 'vector') return `${resultType} ${truncate(result[0]?.value ?? '', 40)}`;
  return result.length === 0 ? 'no series' : `${result.length} series`;
}

/**
 * Runs `check.prometheus`: one instant query, through `ctx.network` (the destination policy and
 * the secrets' host lists are checked before anything connects), then `expect` over the result.
 * The check passing or not is the result, not an error: `pass` or `fail`, the step succeeds
 * either way, exactly as `check.http` does.
 */
export const executePrometheusCheck = defineExecutor(prometheusCheck, async (config, ctx): Promise<StepOutcome<PrometheusCheckOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const notPassed = (reason: string, answer: Partial<PrometheusCheckOutput> = {}): StepOutcome<PrometheusCheckOutput> => ({
    type: 'next',
    port: 'fail',
    output: { status: null, resultType: null, result: [], seriesTotal: 0, ...answer, passed: false, durationMs: elapsed(), reason },
  });

  const base = parseHttpUrl(config.url);
  if (typeof base === 'string') return notPassed(base);
  const url = queryUrl(base, config.query);
  const target = describeTarget('GET', url);
  try {
    const res = await probeChecked(ctx, { method: 'GET', url, headers: { 'User-Agent': 'salve', Accept: 'application/json', ...config.headers }, timeoutSeconds: config.timeoutSeconds });
    const status = res.status;
    if (res.truncated) {
      return notPassed(`${target} answered with more than ${MAX_RESPONSE_BYTES / 1048576} MiB; narrow the query (a label matcher, topk, or an aggregation such as max)`, { status });
    }
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const answer = PrometheusAnswerSchema.safeParse(json);
    if (!answer.success) {
      return notPassed(`${target} answered ${status}, not with a Prometheus query result: ${JSON.stringify(truncate(text, 200))}`, { status });
    }
    const warnings = answer.data.warnings?.length ? { warnings: answer.data.warnings.slice(0, 20) } : {};
    if (answer.data.status === 'error' || status < 200 || status > 299 || !answer.data.data) {
      const error = { type: answer.data.errorType ?? 'unknown', message: truncate(answer.data.error ?? '', 2000) };
      return notPassed(`Prometheus refused the query (${status} ${error.type}): ${error.message || 'no message'}`, { status, error, ...warnings });
    }
    const { resultType } = answer.data.data;
    const result = readResult(resultType, answer.data.data.result);
    if (typeof result === 'string') return notPassed(result, { status, resultType, ...warnings });
    const recorded = { status, resultType, result: result.slice(0, MAX_RECORDED_SERIES), seriesTotal: result.length, ...warnings };
    let passed: boolean;
    try {
      passed = evaluateCelBool(config.expect, ctx.vars, { locals: { result, resultType } });
    } catch (error) {
      return notPassed(`the expectation could not be evaluated: ${(error as Error).message}`, recorded);
    }
    if (!passed) return notPassed(`the expectation was false: ${config.expect} (the query gave ${describeResult(resultType, result)})`, recorded);
    return { type: 'next', port: 'pass', output: { ...recorded, passed: true, durationMs: elapsed() } };
  } catch (error) {
    if (error instanceof RequestFailure || error instanceof DestinationRefused || error instanceof ResolveFailed) return notPassed(error.message);
    throw error;
  }
});
