import { z } from 'zod';
import type { CelDecl } from '../../../shared/expr/declared-types.js';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { checkPollFields, HttpUrlTemplateSchema, pollFields, pollPlanOf, requestHeadersSchema, secondsSchema } from '../../fields.js';
import { abbreviateTemplates } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { HttpCheckOutputSchema, presentHttpCheckOutput } from './output.js';

/** What `expect` gives when the config does not say: any 2xx answer passes. */
export const DEFAULT_EXPECT = 'response.status >= 200 && response.status < 300';

/**
 * `response` as `expect` reads it: the answer's status, every header (names in lower case), and
 * the body (parsed JSON when it is JSON, else text). Declared so typos (`response.stauts`) are
 * refused when the flow is saved.
 */
const RESPONSE_CEL_TYPE: Record<string, CelDecl> = { status: 'int', headers: 'map<string, string>', body: 'dyn' };

// Set by Salve itself: a probe sends no body.
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

export const HttpCheckConfigSchema = z.strictObject({
  /** Template, rendered per URL component, exactly like an HTTP request's `url`. */
  url: HttpUrlTemplateSchema,
  method: z.enum(['GET', 'HEAD'], { error: 'must be GET or HEAD' }).default('GET'),
  /** Values are templates or secret references. */
  headers: requestHeadersSchema(RESERVED_HEADERS),
  /** A CEL condition over `response` (and the alert, the event, earlier steps). */
  expect: z.string({ error: 'must be a CEL expression' }).trim().min(1, 'expect is empty').max(4096).default(DEFAULT_EXPECT),
  timeoutSeconds: secondsSchema(1, 300).default(10),
  ...pollFields,
}).superRefine(checkPollFields);
export type HttpCheckConfig = z.infer<typeof HttpCheckConfigSchema>;

/** Verifies that a remediation worked: probes a URL and judges the answer with a CEL condition. */
export const httpCheck = defineNodeType({
  type: 'check.http',
  category: 'action',
  label: 'HTTP check',
  defaultId: 'verify_http',
  description: 'Verifies that a remediation worked: probes a URL and evaluates a CEL condition over response.status, headers and body; continues on "pass" or "fail".',
  icon: 'health-check',
  configSchema: HttpCheckConfigSchema,
  outputSchema: HttpCheckOutputSchema,
  outputs: ['pass', 'fail'],
  // A GET or HEAD probe changes nothing: repeating it after a crash is harmless.
  idempotent: true,
  // It connects to a real service: simulation never does, and assumes the check passes.
  sideEffects: true,
  simulatePort: 'pass',
  poll: (config) => pollPlanOf(config, 'fail'),
  expressions: (config): ExpressionRef[] => [
    ...(typeof config.url === 'string' && config.url.includes('{{') ? [{ path: ['url'], kind: 'url' as const, source: config.url }] : []),
    ...templatesIn({ headers: config.headers }),
    { path: ['expect'], kind: 'cel', source: config.expect, returns: 'bool', locals: { response: RESPONSE_CEL_TYPE } },
  ],
  summary: (config) => `${config.method} ${truncate(abbreviateTemplates(config.url), 60)} · ${truncate(config.expect, 40)}`,
  commandLine: (config) => `${config.method} ${config.url} and expect ${config.expect}`,
  present: presentHttpCheckOutput,
  portHelp: {
    pass: '`expect` gave true for the answer',
    fail: '`expect` gave false or could not be evaluated, or no answer came (a timeout, a refused destination, a network error); the output’s `reason` says which',
  },
  notes: [
    'Sends one GET (or HEAD) to the URL and evaluates `expect`, a CEL condition, over `response`: `response.status` (an int), `response.headers` (every header, names in lower case, e.g. `response.headers["content-type"]`) and `response.body` (parsed JSON when the answer says it is JSON, else text; read up to 1 MiB). It may read `alert`, `event` and earlier `steps` too. Default: `response.status >= 200 && response.status < 300`. Example: `response.status == 200 && response.body.status == "ok"`.',
    'A check that does not pass is an answer, not an error: an expectation that gives false, one that cannot be evaluated (e.g. `response.body.status` when the body is text), a timeout, a refused destination or a network error all go to `fail` with the `reason`, and the step succeeds. The output records the status, `passed`, the content type and the body (cut at 64 KiB, then `truncated: true`).',
    'The URL is rendered per component, and where it may connect is checked exactly as for an HTTP request step (destination policy, `SALVE_ALLOWED_TARGETS`, the flow’s `settings.allowedTargets`; secrets in `headers` only to their `SALVE_SECRET_<NAME>_HOSTS`). Redirects are not followed: a 3xx is the answer.',
    'Polling: with `every` and `within` (e.g. every 15 s within 300 s) a probe that does not pass is sent again every `every` seconds until one passes (→ `pass`) or `within` seconds have passed since the first (→ `fail` with the last answer). Between probes the run waits durably: no worker is held and a restart keeps the schedule. The run view lists every probe. Without them the check probes once. A GET or HEAD changes nothing, so after a crash the probe is simply sent again.',
  ],
  ui: {
    url: {
      widget: 'expression',
      language: 'url',
      label: 'URL',
      help: 'http:// or https://, written out, e.g. http://{{ alert.labels.instance }}/health (a value in the host may only be a host name or IP address).',
    },
    method: { widget: 'select', help: 'GET reads the body; HEAD only the status and headers.' },
    headers: { widget: 'keyValue', templates: true, help: 'Values are text (templates allowed) or secrets.' },
    expect: {
      widget: 'expression',
      language: 'cel',
      label: 'Expect (CEL)',
      help: 'Must give true for the check to pass; reads response.status, response.headers and response.body, e.g. response.status == 200 && response.body.status == "ok".',
    },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'No answer within this long: the check goes to "fail".' },
    every: { widget: 'number', label: 'Probe every (seconds)', help: 'With "within": probe again this often until the check passes. Leave both empty to probe once.' },
    within: { widget: 'number', label: 'Give up after (seconds)', help: 'With "every": after this long since the first probe, the last answer decides (→ "fail").' },
  },
});
