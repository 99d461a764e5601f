import { MAX_ATTACHMENT_BYTES } from '../../../shared/attachment.js';
import { truncate } from '../../../shared/text.js';
import { imageAttachment } from '../../attachments.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { isCallFailure } from '../../json-api.js';
import { chartLines, drawable, MAX_TITLE, renderChart } from './chart.js';
import { enrichGraph } from './definition.js';
import type { GraphOutput } from './output.js';
import { chooseStep, queryRange } from './range-query.js';

/** The longest expression taken from an alert's link, as long as a configured query may be. */
const MAX_QUERY = 8192;

/**
 * The alert's own expression: the `g0.expr` parameter of its source link (Alertmanager's
 * `generatorURL`, `http://prom:9090/graph?g0.expr=…&g0.tab=1`); undefined when there is none.
 * Only the parameter is read: the link's host is never contacted.
 */
export function alertExpression(source: string | undefined): string | undefined {
  if (!source) return undefined;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return undefined;
  }
  const expr = url.searchParams.get('g0.expr')?.trim();
  return expr ? expr : undefined;
}

/**
 * Runs `enrich.graph`: one range query through `ctx.network`, the answer drawn as a chart into
 * the output's `attachment`. No query, Prometheus's refusals, answers that are no range query
 * result, a chart too large, a timeout or a network error go to `error` with the reason.
 */
export const executeGraph = defineExecutor(enrichGraph, async (config, ctx): Promise<StepOutcome<GraphOutput>> => {
  const started = performance.now();
  const to = ctx.now();
  const from = new Date(to.getTime() - config.rangeMinutes * 60_000);
  const stepSeconds = chooseStep(config.rangeMinutes * 60);
  const alert = ctx.vars.alert;
  const query = config.query ?? (config.alertExpression ? alertExpression(alert.links.source) : undefined) ?? '';
  const base = { query, from: from.toISOString(), to: to.toISOString(), stepSeconds, series: 0, shown: 0, points: 0 };
  const failed = (message: string, answer: { status?: number | null; series?: number } = {}): StepOutcome<GraphOutput> => {
    const status = answer.status ?? undefined;
    const output = { ...base, ...(answer.series === undefined ? {} : { series: answer.series }), message, ...(status === undefined ? {} : { status }), durationMs: Math.round(performance.now() - started) };
    return { type: 'fail', port: 'error', error: message, output };
  };

  if (query === '') {
    return failed(
      alert.links.source
        ? 'no query: the alert’s source link has no expression (g0.expr); set query to the PromQL to chart'
        : 'no query: the alert has no source link with an expression (Alertmanager’s generatorURL); set query to the PromQL to chart',
    );
  }
  if (query.length > MAX_QUERY) return failed(`the alert’s expression is ${query.length} characters long, more than ${MAX_QUERY}; set query to the PromQL to chart`);

  let answer: Awaited<ReturnType<typeof queryRange>>;
  try {
    answer = await queryRange(ctx, { url: config.url, headers: config.headers, query, from, to, stepSeconds, timeoutSeconds: config.timeoutSeconds });
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message);
    throw error;
  }
  if (!answer.ok) return failed(answer.message, { status: answer.status });

  const lines = chartLines(answer.series, query, { from, to });
  // A title template may render empty: the default then.
  const title = drawable(config.title || alert.name || truncate(query, 80), MAX_TITLE);
  const chart = { title, from, to, stepSeconds, lines, total: answer.series.length };
  const drawn = { status: answer.status, series: answer.series.length };
  let rendered: Awaited<ReturnType<typeof renderChart>>;
  try {
    rendered = await renderChart(chart, config.format);
  } catch (error) {
    return failed(`the chart could not be drawn: ${truncate((error as Error).message, 500)}`, drawn);
  }
  if (rendered.bytes.byteLength > MAX_ATTACHMENT_BYTES) {
    return failed(`the chart is ${rendered.bytes.byteLength} bytes, more than an attachment may hold (${MAX_ATTACHMENT_BYTES})`, drawn);
  }
  const output: GraphOutput = {
    ...base,
    attachment: imageAttachment(title, rendered.mediaType, rendered.bytes),
    series: answer.series.length,
    shown: lines.length,
    points: lines.reduce((sum, line) => sum + line.points.filter((p) => p.v !== null).length, 0),
    ...(answer.warnings.length > 0 ? { message: `Prometheus warned: ${answer.warnings.join('; ')}` } : {}),
    status: answer.status,
    durationMs: Math.round(performance.now() - started),
  };
  return { type: 'next', port: 'ok', output };
});
