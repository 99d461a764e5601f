import { z } from 'zod';
import { defineNodeType } from '../../node-type.js';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { templatesIn } from '../../definition.js';
import { isHeaderName, StringOrSecretSchema, secondsSchema } from '../../fields.js';
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
    /**
     * Template, e.g. `http://agent.example.internal:9100/cleanup?host={{ alert.labels.instance }}`,
     * rendered per URL component: the scheme is always written out, a value in the host may
     * only be a host name or IP address (and port), values elsewhere are percent-encoded.
     */
    url: z
      .string({ error: 'url is required' })
      .trim()
      .min(1, 'url is required')
      .max(8192)
      .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https:// written out (a template cannot choose the scheme)'),
    /** Values are templates or secret references. */
    headers: z
      .record(z.string(), StringOrSecretSchema)
      .default({})
      .superRefine((headers, ctx) => {
        for (const name of Object.keys(headers)) {
          if (!isHeaderName(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not an HTTP header name (letters, digits and "-")` });
          } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by Salve and cannot be configured` });
          }
        }
      }),
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
  ui: {
    method: { widget: 'select' },
    url: {
      widget: 'expression',
      language: 'url',
      label: 'URL',
      help: 'http:// or https://, written out. Alert values are safest in the path or query (http://agent.internal/cleanup?host={{ alert.labels.instance }}); a value in the host may only be a host name or IP address.',
    },
    headers: { widget: 'keyValue', help: 'Values are text (templates allowed) or secrets. Salve adds Idempotency-Key itself.' },
    body: { widget: 'json', help: 'JSON to send; strings inside may use templates. Leave empty to send no body.' },
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
