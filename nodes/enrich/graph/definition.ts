import { z } from 'zod';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { requestHeadersSchema, secondsSchema, serviceUrlSchema } from '../../fields.js';
import { abbreviateTemplates } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { GraphOutputSchema, presentGraphOutput } from './output.js';

// Set by Salve itself: a query sends no body.
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

export const GraphConfigSchema = z.strictObject({
  /** Prometheus's base URL, written out: an alert never chooses where Salve connects (nor where its expression runs). */
  url: serviceUrlSchema('http://prometheus.internal:9090'),
  /** Values are templates or secret references (e.g. `Authorization: Bearer …`). */
  headers: requestHeadersSchema(RESERVED_HEADERS),
  /**
   * PromQL; `{{ }}` parts only inside double-quoted strings, their values escaped (as for
   * `check.prometheus`). Left out: the alert's own expression (`g0.expr` of its source link).
   */
  query: z.string().trim().min(1, 'query is empty: write a PromQL query, or leave query out and set alertExpression to chart the alert’s own expression').max(8192).optional(),
  /**
   * Without `query`: chart the alert's own expression. Off unless asked for, because whoever can
   * send an alert then chooses what this Prometheus runs (read-only, bounded).
   */
  alertExpression: z.boolean({ error: 'must be true or false' }).default(false),
  /** The chart ends when the step runs and starts this long before. */
  rangeMinutes: z
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(5, 'must be between 5 and 1440 minutes')
    .max(1440, 'must be between 5 and 1440 minutes')
    .default(60),
  /** A template; default: the alert's name, else the query. */
  title: z.string().trim().min(1, 'title is empty: leave it out for the alert’s name').max(200).optional(),
  /** PNG by default: Slack and mail clients show PNG, not SVG. */
  format: z.enum(['png', 'svg'], { error: 'must be png or svg' }).default('png'),
  timeoutSeconds: secondsSchema(1, 60).default(15),
}).superRefine((config, ctx) => {
  if (config.query === undefined && !config.alertExpression) {
    ctx.addIssue({ code: 'custom', path: ['query'], message: 'query is required: write the PromQL to chart, or set alertExpression to chart the alert’s own expression' });
  }
  if (config.query !== undefined && config.alertExpression) {
    ctx.addIssue({ code: 'custom', path: ['alertExpression'], message: 'either query or alertExpression: the query given is what is charted' });
  }
});
export type GraphConfig = z.infer<typeof GraphConfigSchema>;

const describeQuery = (config: GraphConfig, show: (text: string) => string) => (config.query === undefined ? 'the alert’s expression' : show(config.query));

/** Charts a PromQL range query into the run, as a picture later messages attach. */
export const enrichGraph = defineNodeType({
  type: 'enrich.graph',
  category: 'action',
  label: 'Attach graph',
  defaultId: 'graph',
  description: 'Charts a PromQL range query — by default the alert’s own expression — over the last hour (or the range you set) into the run as a PNG that later Slack and email steps attach and the run view shows.',
  icon: 'graph',
  configSchema: GraphConfigSchema,
  outputSchema: GraphOutputSchema,
  outputs: ['ok', 'error'],
  // It only reads: querying again after a crash is harmless.
  idempotent: true,
  // It connects to a real service: simulation never does, and assumes the chart was made.
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config): ExpressionRef[] => [
    ...(typeof config.query === 'string' && config.query.includes('{{') ? [{ path: ['query'], kind: 'promql' as const, source: config.query }] : []),
    ...templatesIn({ headers: config.headers, title: config.title }),
  ],
  summary: (config) => `${truncate(describeQuery(config, abbreviateTemplates), 50)} · ${config.rangeMinutes} min`,
  commandLine: (config) => `chart ${describeQuery(config, (t) => t)} over the last ${config.rangeMinutes} min from ${config.url}`,
  present: presentGraphOutput,
  portHelp: {
    ok: 'the chart was made (an empty result too: the chart says “no data”); the output’s attachment holds it',
    error: 'no chart: Prometheus refused the query (its `errorType` and message), the answer was not a range query result or was over 1 MiB, a timeout, a refused destination or a network error, or there was no query (none set and the alert carries no expression); the output’s `message` says which',
  },
  notes: [
    'Sends one range query (`GET <url>/api/v1/query_range?query=…&start=…&end=…&step=…&timeout=…`) ending when the step runs and starting `rangeMinutes` before, and draws the answer as a line chart (800×320, time in UTC, a legend of the series’ labels). The chart becomes the step’s `attachment` (`format`: `png`, the default, which Slack and mail clients show, or `svg`), stored with the run: the run view shows it, and Slack message steps (bot token, scope `files:write`) and email steps attach it when their `attach` lists this step’s id.',
    'The step is a round number of seconds chosen for about 240 points (15 s for an hour, 6 min for a day), so drawing takes bounded time; an answer with more than 11,000 samples in a series is refused. At most 10 series are drawn, those with the highest maximum, and the chart says “10 of N series”; legend labels are the series’ labels, without the metric name when every series has the same one and without the labels every line drawn shares, cut to 60 characters. NaN and infinite samples are gaps. An empty result still makes a chart, saying “no data”.',
    'With `alertExpression: true` (and no `query`) the chart is of the alert’s own expression: the `g0.expr` parameter of its source link (`alert.links.source`, Alertmanager’s `generatorURL`, e.g. `http://prometheus:9090/graph?g0.expr=…`). It is sent only to `url`, never to the host in the link, but whoever can send an alert chooses that expression, and it runs with this Prometheus’s credentials (`headers`). It can only read, within the bounds above: the range and step, `timeoutSeconds` (passed to Prometheus as its own `timeout`, a little less, so an expensive expression is stopped there too) and an answer of at most 1 MiB. An alert without an expression there goes to `error`: set `query`.',
    'Alert values go into `query` only inside double-quoted strings, escaped, exactly as for the Prometheus check: `rate(http_requests_total{instance="{{ alert.labels.instance }}"}[5m])`. `title` is a template; by default it is the alert’s name.',
    'The URL is written out (an alert never chooses where Salve connects) and may include a path prefix (`http://monitoring.internal/prometheus`). It passes the destination policy like an HTTP request (`SALVE_ALLOWED_TARGETS`, the flow’s `settings.allowedTargets`); a secret in `headers` goes only to its `SALVE_SECRET_<NAME>_HOSTS`. Redirects are not followed. The chart is drawn in Salve (Vega-Lite and resvg, with a font shipped with Salve), with no browser and no request anywhere else.',
  ],
  ui: {
    url: { widget: 'text', label: 'Prometheus URL', help: 'Written out, e.g. http://prometheus.internal:9090 (the query goes to /api/v1/query_range below it).' },
    headers: { widget: 'keyValue', templates: true, help: 'Values are text (templates allowed) or secrets, e.g. Authorization: Bearer with a secret.' },
    query: {
      widget: 'expression',
      language: 'promql',
      label: 'PromQL query',
      help: 'Alert values only inside double-quoted strings, e.g. rate(http_requests_total{instance="{{ alert.labels.instance }}"}[5m]). Empty with “Alert’s expression” on: the alert’s own.',
    },
    alertExpression: { widget: 'boolean', label: 'Alert’s expression', help: 'Chart the PromQL the alert carries (its generatorURL) instead of a query: the alert then chooses what Prometheus runs.' },
    rangeMinutes: { widget: 'number', label: 'Range (minutes)', help: 'The chart ends now and starts this long before (5 to 1440).' },
    title: { widget: 'expression', language: 'template', label: 'Title', help: 'Empty: the alert’s name.' },
    format: { widget: 'select', help: 'png shows in Slack and mail clients; svg is smaller and sharp in a browser.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'No answer within this long: the step goes to "error".' },
  },
});
