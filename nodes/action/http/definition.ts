import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { defineNode, templatesIn } from '../../definition.js';

export const HttpConfigSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('POST'),
  /** http or https; may contain {{ }} templates. */
  url: z.string().min(1, 'url is required'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'), z.union([z.string(), SecretRefSchema])).default({}),
  /** JSON value sent as the body (strings inside are templates); with bodyType "text", a string. */
  body: z.unknown().optional(),
  bodyType: z.enum(['json', 'text']).default('json'),
  /** Statuses that count as success; any 2xx when absent. */
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).default(10),
});

/** Calls an HTTP endpoint; sends `Idempotency-Key` so a retry after a crash is safe. */
export const httpAction = defineNode({
  type: 'action.http',
  version: 1,
  category: 'action',
  label: 'HTTP request',
  description: 'Sends an HTTP request (with an Idempotency-Key); continues on "ok" for the expected status, else "error".',
  icon: 'globe',
  configSchema: HttpConfigSchema,
  outputs: ['ok', 'error'],
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (c) => [
    ...templatesIn(c.url, ['url']),
    ...templatesIn(c.headers, ['headers']),
    ...(c.body === undefined ? [] : templatesIn(c.body, ['body'])),
  ],
  summary: (c) => `${c.method} ${c.url.replace(/\{\{[^}]*\}\}/g, '{{…}}')}`,
  ui: {
    method: { widget: 'select' },
    url: { widget: 'expression', language: 'template' },
    headers: { widget: 'keyValue' },
    body: { widget: 'json' },
    bodyType: { widget: 'select' },
    timeoutSeconds: { widget: 'number' },
  },
});
