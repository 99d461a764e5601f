import { z } from 'zod';
import type { CelDecl } from '../../../shared/expr/declared-types.js';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { checkPollFields, HttpUrlTemplateSchema, pollFields, pollPlanOf, requestHeadersSchema, secondsSchema } from '../../fields.js';
import { abbreviateTemplates } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { PrometheusCheckOutputSchema, presentPrometheusCheckOutput } from './output.js';

/**
 * What `expect` reads besides the alert and earlier steps: the query's result, one entry per
 * series (`metric`, its labels; `value`, its sample as Prometheus writes it, a string), and its
 * type. Declared so a typo (`reslt`) is refused when the flow is saved.
 */
const RESULT_LOCALS: Record<string, CelDecl> = { result: 'list<map<string, dyn>>', resultType: 'string' };

// Set by Salve itself: a query sends no body.
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

export const PrometheusCheckConfigSchema = z.strictObject({
  /** Prometheus's base URL; a template, rendered per URL component like an HTTP request's `url`. */
  url: HttpUrlTemplateSchema,
  /** A PromQL instant query; `{{ }}` parts only inside double-quoted strings, their values escaped. */
  query: z.string({ error: 'query is required' }).trim().min(1, 'query is required').max(8192),
  /** Values are templates or secret references (e.g. `Authorization: Bearer …`). */
  headers: requestHeadersSchema(RESERVED_HEADERS),
  /** A CEL condition over `result` and `resultType` (and the alert, the event, earlier steps). No default: what passes is the flow author's to say. */
  expect: z.string({ error: 'expect is required: a CEL condition over result, e.g. result.size() == 0' }).trim().min(1, 'expect is empty').max(4096),
  timeoutSeconds: secondsSchema(1, 300).default(10),
  ...pollFields,
}).superRefine(checkPollFields);
export type PrometheusCheckConfig = z.infer<typeof PrometheusCheckConfigSchema>;

/** Verifies that a remediation worked by asking Prometheus: one instant query, judged with a CEL condition. */
export const prometheusCheck = defineNodeType({
  type: 'check.prometheus',
  category: 'action',
  label: 'Prometheus check',
  defaultId: 'verify_metric',
  description: 'Verifies that a remediation worked by asking Prometheus: runs one PromQL instant query and evaluates a CEL condition over its result; continues on "pass" or "fail".',
  icon: 'metrics-check',
  configSchema: PrometheusCheckConfigSchema,
  outputSchema: PrometheusCheckOutputSchema,
  outputs: ['pass', 'fail'],
  // A query changes nothing: repeating it after a crash is harmless.
  idempotent: true,
  // It connects to a real service: simulation never does, and assumes the check passes.
  sideEffects: true,
  simulatePort: 'pass',
  poll: (config) => pollPlanOf(config, 'fail'),
  expressions: (config): ExpressionRef[] => [
    ...(typeof config.url === 'string' && config.url.includes('{{') ? [{ path: ['url'], kind: 'url' as const, source: config.url }] : []),
    ...(typeof config.query === 'string' && config.query.includes('{{') ? [{ path: ['query'], kind: 'promql' as const, source: config.query }] : []),
    ...templatesIn({ headers: config.headers }),
    { path: ['expect'], kind: 'cel', source: config.expect, returns: 'bool', locals: RESULT_LOCALS },
  ],
  summary: (config) => `${truncate(abbreviateTemplates(config.query), 50)} · ${truncate(config.expect, 40)}`,
  commandLine: (config) => `query ${config.url} for ${config.query} and expect ${config.expect}`,
  present: presentPrometheusCheckOutput,
  portHelp: {
    pass: '`expect` gave true for the result',
    fail: '`expect` gave false or could not be evaluated, Prometheus refused the query (its error, e.g. `bad_data`), the answer was over 1 MiB or not a query result, or no answer came (a timeout, a refused destination, a network error); the output’s `reason` says which',
  },
  notes: [
    'Sends one instant query (`GET <url>/api/v1/query?query=…`, evaluated at Prometheus’s current time) and evaluates `expect`, a CEL condition, over `result`: a list with one entry per series, each `{ metric, value }` where `metric` is the series’ labels (a map of strings) and `value` its sample as Prometheus writes it, a string (`"0.95"`, `"NaN"`, `"+Inf"`): compare it as `double(result[0].value)`. A scalar (or string) result is a list of one entry with no labels. `resultType` says which: `vector`, `scalar` or `string`. `expect` may read `alert`, `event` and earlier `steps` too, and has no default. Examples: `result.size() == 0` (the alert’s series is gone), `double(result[0].value) < 0.9`, `result.all(s, double(s.value) < 0.9)`.',
    'Alert values go into the query only inside double-quoted strings: `disk_used_ratio{instance="{{ alert.labels.instance }}"}`. A `{{ }}` part anywhere else (outside quotes, in single quotes or backticks, after a backslash, in a comment) is refused when the flow is saved. Each value is escaped for its string (backslash, double quote, line breaks and other control characters), so it stays one label value; in a regex matcher (`=~`, `!~`) it is also quoted for the regular expression and matches itself literally (`.*` matches only `.*`).',
    'A check that does not pass is an answer, not an error: an expectation that gives false, one that cannot be evaluated (e.g. `double(result[0].value)` when the result is empty), an error from Prometheus (a 4xx or 5xx with its `errorType` and message, recorded as `error`), a range vector (`up[5m]`: use an instant query such as `max_over_time(up[5m])`), an answer over 1 MiB, a timeout, a refused destination or a network error all go to `fail` with the `reason`, and the step succeeds. The output records the first 100 series of the result and `seriesTotal`, how many it had; `expect` reads all of them.',
    'The base URL is rendered per component, and where it may connect is checked exactly as for an HTTP request step (destination policy, `SALVE_ALLOWED_TARGETS`, the flow’s `settings.allowedTargets`; secrets in `headers`, such as `Authorization: Bearer …`, only to their `SALVE_SECRET_<NAME>_HOSTS`). A Prometheus behind a path prefix is written with it (`http://monitoring.internal/prometheus`). Redirects are not followed.',
    'Polling: with `every` and `within` (e.g. every 15 s within 300 s) a query whose result does not pass is sent again every `every` seconds until one passes (→ `pass`) or `within` seconds have passed since the first (→ `fail` with the last result). Between queries the run waits durably: no worker is held and a restart keeps the schedule. Without them the check queries once. A query changes nothing, so after a crash it is simply sent again.',
  ],
  ui: {
    url: {
      widget: 'expression',
      language: 'url',
      label: 'Prometheus URL',
      help: 'Base URL, http:// or https:// written out, e.g. http://prometheus.internal:9090 (the query goes to /api/v1/query below it).',
    },
    query: {
      widget: 'expression',
      language: 'promql',
      label: 'PromQL query',
      help: 'An instant query; alert values only inside double-quoted strings, e.g. disk_used_ratio{instance="{{ alert.labels.instance }}"}.',
    },
    headers: { widget: 'keyValue', templates: true, help: 'Values are text (templates allowed) or secrets, e.g. Authorization: Bearer with a secret.' },
    expect: {
      widget: 'expression',
      language: 'cel',
      label: 'Expect (CEL)',
      help: 'Must give true for the check to pass; reads result (a list of { metric, value }, value a string) and resultType, e.g. result.size() == 0 or double(result[0].value) < 0.9.',
    },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'No answer within this long: the check goes to "fail".' },
    every: { widget: 'number', label: 'Query every (seconds)', help: 'With "within": query again this often until the check passes. Leave both empty to query once.' },
    within: { widget: 'number', label: 'Give up after (seconds)', help: 'With "every": after this long since the first query, the last result decides (→ "fail").' },
  },
});
