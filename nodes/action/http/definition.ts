import { z } from 'zod';
import { defineNodeType } from '../../node-type.js';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { templatesIn } from '../../definition.js';
import { HttpUrlTemplateSchema, requestHeadersSchema, secondsSchema } from '../../fields.js';
import { truncate } from '../../../shared/text.js';
import { abbreviateTemplates } from '../../format.js';
import { HttpOutputSchema, presentHttpOutput } from './output.js';

/** Redirects followed at most, when `followRedirects` is on. */
export const MAX_REDIRECTS = 5;

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

// Set by Salve itself: the body length is computed, and the idempotency key must stay stable.
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'idempotency-key', 'connection']);

export const HttpActionConfigSchema = z
  .strictObject({
    method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }).default('POST'),
    /** Template, rendered per URL component (nodes/fields.ts). */
    url: HttpUrlTemplateSchema,
    /** Values are templates or secret references. */
    headers: requestHeadersSchema(RESERVED_HEADERS),
    /** JSON to send; every string inside is a template. With `bodyType: text`, one template string. */
    body: z.json({ error: 'must be JSON (an object, a list or a string)' }).optional(),
    bodyType: z.enum(['json', 'text'], { error: 'must be "json" or "text"' }).default('json'),
    /** Statuses that count as success; when absent, any 2xx. */
    expectStatus: z
      .array(z.int('must be a whole number').min(100, 'must be an HTTP status (100-599)').max(599, 'must be an HTTP status (100-599)'))
      .min(1, 'list at least one status, or leave expectStatus out to accept any 2xx')
      .max(100)
      .optional(),
    timeoutSeconds: secondsSchema(1, 3600).default(10),
    /**
     * Follow up to MAX_REDIRECTS redirects. Each hop is checked by the destination policy like
     * the first request; secret-bearing headers go only where their secret may be sent.
     */
    followRedirects: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .superRefine((config, ctx) => {
    if (config.bodyType === 'text' && config.body !== undefined && typeof config.body !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'with bodyType "text" the body must be a string' });
    }
  });
export type HttpActionConfig = z.infer<typeof HttpActionConfigSchema>;

/** Calls an HTTP endpoint, e.g. a host agent's clean-up hook or a service's restart API. */
export const httpAction = defineNodeType({
  type: 'action.http',
  category: 'action',
  label: 'HTTP request',
  defaultId: 'http_call',
  description: 'Sends an HTTP request (with an Idempotency-Key so retries are safe) and continues on "ok" or "error".',
  icon: 'globe',
  configSchema: HttpActionConfigSchema,
  outputSchema: HttpOutputSchema,
  outputs: ['ok', 'error'],
  // Every attempt carries the same Idempotency-Key, so the target can drop a repeat after a crash.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config): ExpressionRef[] => [
    // The URL is rendered per component (shared/expr/url-template.ts), never as plain text.
    ...(typeof config.url === 'string' && config.url.includes('{{') ? [{ path: ['url'], kind: 'url' as const, source: config.url }] : []),
    ...templatesIn({ headers: config.headers, body: config.body }),
  ],
  summary: (config) => `${config.method} ${truncate(abbreviateTemplates(config.url), 80)}`,
  commandLine: (config) => `${config.method} ${config.url}`,
  present: presentHttpOutput,
  portHelp: {"ok": "the answer's status is expected (any 2xx, or one of `expectStatus`)", "error": "another status, a timeout, a refused destination or a network error"},
  notes: [
    "The URL is rendered per component: `http://` or `https://` written out; a value in the host may only be a host name or IP address (and `:port`); values in the path, query and fragment are percent-encoded ([details](flow-format.md#expressions)). `timeoutSeconds` covers resolving, connecting, headers and body (and every redirect hop).",
    "Sends `Idempotency-Key: <execution>:<node>`, the same on every retry, so a target can drop a repeat after Salve restarts mid-request. A JSON response is parsed; bodies are kept up to 1 MiB (`truncated: true` past that).",
    "**Where it connects.** Before anything is sent, the host is resolved and **every** address it resolves to is checked: public addresses are allowed; loopback (`localhost`, 127/8, ::1), private (RFC 1918, ULA), link-local and cloud metadata (169.254.169.254, fd00:ec2::254), carrier-grade NAT, multicast, reserved ranges and IPv4 inside IPv6 (`::ffff:127.0.0.1`, NAT64, 6to4) need an entry in `SALVE_ALLOWED_TARGETS`. The flow's own `settings.allowedTargets`, when set, narrows this further. The connection then uses exactly the addresses that were checked. A refusal fails the step on `error` before connecting:",
    "```\nrefused to connect to localhost at 127.0.0.1 (loopback) for http://localhost:9100/cleanup: non-public addresses need an entry in SALVE_ALLOWED_TARGETS (e.g. SALVE_ALLOWED_TARGETS=localhost:9100)\n```",
    "**Secrets** in `headers` (or the body) go only to hosts their `SALVE_SECRET_<NAME>_HOSTS` lists; otherwise the step fails before connecting: `secret AGENT_TOKEN may not be sent to evil.example at 203.0.113.7 (for http://evil.example/cleanup): it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS`.",
    "**Redirects** are not followed unless `followRedirects` is `true` (a 3xx is then the answer, reported with its `location`). When followed, at most 5 hops; each hop is checked by the same policy; only `http` and `https` locations, never one with user info; 303 (and 301/302 after a POST) become a GET without body; `Authorization`, `Proxy-Authorization` and `Cookie` written in the flow are not sent to another origin; a header holding a secret is re-sent only to hosts that secret allows, otherwise dropped. The output then adds `redirects: [{ status, to }]` and `droppedHeaders: [{ header, to, reason }]`. A secret in the body that may not go to the next hop fails the step instead.",
  ],
  ui: {
    method: { widget: 'select' },
    url: {
      widget: 'expression',
      language: 'url',
      label: 'URL',
      help: 'http:// or https://, written out. Alert values are safest in the path or query (http://agent.internal/cleanup?host={{ alert.labels.instance }}); a value in the host may only be a host name or IP address.',
    },
    headers: { widget: 'keyValue', templates: true, help: 'Values are text (templates allowed) or secrets. Salve adds Idempotency-Key itself.' },
    body: { widget: 'json', templates: true, help: 'JSON to send; strings inside may use templates. Leave empty to send no body.' },
    bodyType: { widget: 'select', label: 'Body type', help: 'json sends the body as JSON; text sends one template string.' },
    expectStatus: { widget: 'list', label: 'Expected status', help: 'Statuses that count as success, e.g. 200. Empty: any 2xx.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'The request is abandoned and the step fails on "error" after this long.' },
    followRedirects: {
      widget: 'boolean',
      label: 'Follow redirects',
      help: `Follow up to ${MAX_REDIRECTS} redirects, each checked like the first request. Off: a 3xx is the answer.`,
    },
  },
});
