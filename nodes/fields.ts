import { z } from 'zod';
import { SecretRefSchema } from '../shared/flow/schema.js';
import type { PollPlan } from './definition.js';

/** RFC 9110 token characters: what an HTTP header name may contain. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

/** Whether `name` is a valid HTTP header name. */
function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/** An HTTP header name (letters, digits and `-` in practice; RFC 9110 token characters allowed). */
export const HeaderNameSchema = z
  .string()
  .regex(HEADER_NAME, 'must be an HTTP header name (letters, digits and "-", e.g. X-Api-Key)');

/** A plain string, or `{ "secret": "NAME" }` resolved by the engine just before the step runs. */
export const StringOrSecretSchema = z.union([z.string().max(16_384), SecretRefSchema], {
  error: 'must be a string or a secret reference like {"secret":"API_TOKEN"}',
});

/** A whole number of seconds within `[min, max]`. */
export function secondsSchema(min: number, max: number) {
  return z
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(min, `must be between ${min} and ${max} seconds`)
    .max(max, `must be between ${min} and ${max} seconds`);
}

/**
 * An http(s) URL template, e.g. `http://agent.example.internal:9100/cleanup?host={{ alert.labels.instance }}`,
 * rendered per URL component: the scheme is always written out, a value in the host may only be
 * a host name or IP address (and port), values elsewhere are percent-encoded.
 */
export const HttpUrlTemplateSchema = z
  .string({ error: 'url is required' })
  .trim()
  .min(1, 'url is required')
  .max(8192)
  .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https:// written out (a template cannot choose the scheme)');

/**
 * The base URL of a service a node calls (Alertmanager, Grafana, Jira…), written out: http(s), a
 * host, an optional port and path prefix, no templates, credentials, query or fragment. An alert
 * never chooses where a node connects; the destination policy still checks the host.
 */
export function serviceUrlSchema(example: string) {
  return z
    .string({ error: `url is required, e.g. ${example}` })
    .trim()
    .min(1, `url is required, e.g. ${example}`)
    .max(2048)
    .superRefine((raw, ctx) => {
      const problem = serviceUrlProblem(raw);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}, e.g. ${example}` });
    });
}

function serviceUrlProblem(raw: string): string | undefined {
  if (raw.includes('{{')) return 'must be written out: an alert may not choose where Salve connects';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.username || url.password) return 'must not carry credentials (put them in a header with a secret)';
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) return 'must have no query or fragment';
  return undefined;
}

/** `base` (a serviceUrlSchema value) with `path` below its own path: `http://am/prefix` + `/api/v2/silences`. */
export function serviceEndpoint(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

/** Request headers: values are templates or secret references; `reserved` names (lower case) are set by Salve. */
export function requestHeadersSchema(reserved: ReadonlySet<string>) {
  return z
    .record(z.string(), StringOrSecretSchema)
    .default({})
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!isHeaderName(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not an HTTP header name (letters, digits and "-")` });
        } else if (reserved.has(name.toLowerCase())) {
          ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by Salve and cannot be configured` });
        }
      }
    });
}

/**
 * A check's polling fields: probe `every` seconds for up to `within` seconds until it passes.
 * Both or neither; leaving them out probes once. Spread into a check's config schema and refine
 * it with `pollRefinement`; the definition's `poll()` turns them into a PollPlan.
 */
export const pollFields = {
  every: secondsSchema(5, 3600).optional(),
  within: secondsSchema(10, 86_400).optional(),
};

/** Refuses half a polling plan, or a plan that never probes twice. */
export function checkPollFields(config: { every?: number; within?: number }, ctx: z.RefinementCtx): void {
  if ((config.every === undefined) !== (config.within === undefined)) {
    const missing = config.every === undefined ? 'every' : 'within';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'polling needs both every and within (e.g. every 15 s within 300 s); leave both out to probe once' });
    return;
  }
  if (config.every !== undefined && config.within !== undefined && config.every >= config.within) {
    ctx.addIssue({ code: 'custom', path: ['within'], message: `must be longer than every (${config.every} s), or the check probes only once` });
  }
}

/** The PollPlan of a check config with `pollFields`, on `port` (its "not yet" port). */
export function pollPlanOf(config: { every?: number; within?: number }, port: string): PollPlan | undefined {
  if (config.every === undefined || config.within === undefined) return undefined;
  return { everySeconds: config.every, withinSeconds: config.within, port };
}

/** Most attachments one message carries. */
const MAX_ATTACH = 5;

/**
 * `attach`: the ids of earlier steps of the run whose attachment (a log from enrich.logs, a chart
 * from enrich.graph) goes with the message, in this order. A listed step that did not run, or made
 * none, fails the step: a message that promises the logs should not quietly go without them.
 */
export const attachSchema = z
  .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be the id of an earlier step that makes an attachment, e.g. logs'), {
    error: 'must be a list of step ids, e.g. ["logs", "graph"]',
  })
  .max(MAX_ATTACH, `at most ${MAX_ATTACH} attachments`)
  .refine((ids) => new Set(ids).size === ids.length, 'lists a step twice')
  .optional();
