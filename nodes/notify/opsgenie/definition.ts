import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema, serviceUrlSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { OpsgenieOutputSchema, presentOpsgenieOutput } from './output.js';

/** Opsgenie's API (US instance); EU accounts use https://api.eu.opsgenie.com. */
const OPSGENIE_API_URL = 'https://api.opsgenie.com';

/** Opsgenie's limit on an alert's message: longer ones are refused, so a rendered one is cut. */
export const MESSAGE_MAX = 130;

/** Opsgenie's priorities; `from-alert` maps the alert's severity (critical → P1, high → P2, …). */
const PRIORITIES = ['from-alert', 'P1', 'P2', 'P3', 'P4', 'P5'] as const;

/** Fields only `create` sends: on another action they would be ignored, so they are refused. */
const CREATE_ONLY = ['message', 'description', 'tags', 'details'] as const;

export const OpsgenieNotifyConfigSchema = z
  .strictObject({
    /** create opens an alert (or adds to the open one with the same alias); the others act on that alert. */
    action: z.enum(['create', 'acknowledge', 'close', 'note'], { error: 'must be create, acknowledge, close or note' }).default('create'),
    /** An API key of an API integration (`Authorization: GenieKey <key>`). A secret only. */
    apiKey: SecretRefSchema,
    /** Where Opsgenie's API is, written out (no templates), so an alert never chooses where the key goes. */
    baseUrl: serviceUrlSchema('https://api.eu.opsgenie.com').default(OPSGENIE_API_URL),
    /**
     * Template. Default: the alert's fingerprint. Opsgenie keeps one open alert per alias, so a
     * repeated create adds to it, and acknowledge, close and note reach the alert create opened.
     */
    alias: z.string().trim().min(1, 'must not be empty').max(512).optional(),
    /** Template, the alert's title. Default: `<alert name>: <alert summary>`. Cut at 130 characters. */
    message: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(1000)
      .refine((m) => m.includes('{{') || m.length <= MESSAGE_MAX, `must be at most ${MESSAGE_MAX} characters (Opsgenie’s limit; a template’s result is cut to it)`)
      .optional(),
    /** Template. Default: the alert's summary and description. A line linking the run is always added. */
    description: z.string().trim().min(1, 'must not be empty').max(15_000).optional(),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` }).default('from-alert'),
    /** Templates. Opsgenie keeps 20 tags of up to 50 characters; longer ones are cut. */
    tags: z.array(z.string().trim().min(1, 'a tag must not be empty').max(200)).max(20, 'at most 20 tags (Opsgenie’s limit)').optional(),
    /** Key → value (templates). Default: the alert's labels and, under `salve.*`, the flow, execution and run. */
    details: z
      .record(z.string().trim().min(1, 'a detail needs a key').max(100), z.string().max(8000))
      .refine((d) => Object.keys(d).length <= 50, 'at most 50 details')
      .optional(),
    /** Shown as the alert's (or the action's) source in Opsgenie. */
    source: z.string().trim().min(1, 'must not be empty').max(100).default('salve'),
    /**
     * Template (acknowledge, close, note): the note added to the alert. Required for note. The
     * run's link and the step's marker are added after it.
     */
    note: z.string().trim().min(1, 'must not be empty').max(20_000).optional(),
    /** The display name Opsgenie shows as who acted. */
    user: z.string().trim().min(1, 'must not be empty').max(100).default('salve'),
    timeoutSeconds: secondsSchema(1, 120).default(10),
  })
  .superRefine((config, ctx) => {
    if (config.action === 'note' && config.note === undefined) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'note needs the text to add, e.g. Salve freed {{ steps.clean_disk.stdout }}' });
    }
    if (config.action === 'create' && config.note !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'note is for acknowledge, close and note; a new alert’s text goes in description' });
    }
    if (config.action !== 'create') {
      for (const field of CREATE_ONLY) {
        if (config[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is sent only by create (${config.action} sends the alias, note, user and source)` });
      }
    }
  });
export type OpsgenieNotifyConfig = z.infer<typeof OpsgenieNotifyConfigSchema>;

/** Creates, acknowledges, closes or adds a note to an Opsgenie alert (Alert API v2), keyed by alias. */
export const opsgenieNotify = defineNodeType({
  type: 'notify.opsgenie',
  category: 'action',
  label: 'Opsgenie alert',
  defaultId: 'page_opsgenie',
  description: 'Creates, acknowledges, closes or adds a note to an Opsgenie alert (Alert API v2), keyed by an alias from the alert so later steps act on the same one.',
  icon: 'opsgenie',
  configSchema: OpsgenieNotifyConfigSchema,
  outputSchema: OpsgenieOutputSchema,
  outputs: ['ok', 'error'],
  // Opsgenie keeps one open alert per alias (a repeated create adds to it), and acknowledging or
  // closing twice changes nothing. A repeated note is looked for by its marker first; the rare
  // repeat left is said in the notes.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) =>
    templatesIn({ alias: config.alias, message: config.message, description: config.description, tags: config.tags, details: config.details, note: config.note }),
  summary: (config) => `${config.action}${config.baseUrl === OPSGENIE_API_URL ? '' : ` · ${config.baseUrl}`}`,
  commandLine: (config) => {
    const text = config.action === 'create' ? config.message : config.note;
    return `Opsgenie ${config.action}${text ? `: ${text}` : ''}`;
  },
  present: presentOpsgenieOutput,
  portHelp: {
    ok: 'Opsgenie accepted the request (202; it processes it a moment later)',
    error: 'Opsgenie refused it (422 with its reasons, 401/403 for the key, 429 rate limited for longer than the timeout: a Retry-After that fits is waited out, up to three tries, 5xx), a timeout, a refused destination or a network error',
  },
  notes: [
    'Calls Opsgenie’s [Alert API v2](https://docs.opsgenie.com/docs/alert-api) at `baseUrl` (`https://api.opsgenie.com`, or `https://api.eu.opsgenie.com` for the EU instance) with `Authorization: GenieKey <apiKey>`. **create** posts `/v2/alerts`; **acknowledge**, **close** and **note** post `/v2/alerts/<alias>/acknowledge`, `/close` and `/notes` with `identifierType=alias`. The alias defaults to the alert’s fingerprint, so a flow that opens an Opsgenie alert on a firing alert and a flow (or later step) that closes it on the resolved notification act on the same one.',
    'A create comes from the alert unless the config says otherwise: message `<name>: <summary>` cut at 130 characters, description the alert’s summary and description, priority mapped (critical → P1, high → P2, warning → P3, info → P5, unknown → P3), the alert’s labels as details plus `salve.flow`, `salve.execution` and `salve.run`, and `source` and `user` (default `salve`). Every description and note ends with a line linking the run in Salve’s editor (its execution id when `SALVE_PUBLIC_ORIGIN` is not set). Values are cut to Opsgenie’s limits (description 15,000, tags 20 × 50, details 8,000 characters in all, note 25,000).',
    '**API key.** A secret only, e.g. `{ "secret": "OPSGENIE_API_KEY" }` with `SALVE_SECRET_OPSGENIE_API_KEY=<key of an API integration>` and `SALVE_SECRET_OPSGENIE_API_KEY_HOSTS=api.opsgenie.com` (or `api.eu.opsgenie.com`): it is sent only to the hosts listed there, and the host is checked by the destination policy, as for HTTP requests. It is never stored in the step’s output.',
    'Opsgenie answers 202 and processes the request a moment later: an acknowledge, close or note for an alias with no open alert is accepted, then dropped (Opsgenie’s logs, or `GET /v2/alerts/requests/<requestId>` with the output’s `requestId`, say so).',
    '**After a crash the step is retried.** A repeated create adds to the open alert with the same alias (Opsgenie counts it), and acknowledging or closing again changes nothing. A note carries the marker `[salve <execution>:<node>]`; a retried note step first reads the alert’s notes and adds none when one carries its marker. A note can still repeat when the crash fell between Opsgenie accepting it and processing it, as the retry cannot see it yet: the repeat carries the same marker.',
  ],
  ui: {
    action: { widget: 'select', help: 'create opens (or adds to) the alert; acknowledge, close and note act on the open alert with the same alias.' },
    apiKey: { widget: 'secret', label: 'API key', help: 'The key of an API integration in Opsgenie (sent as GenieKey).' },
    baseUrl: { widget: 'text', label: 'API URL', help: 'https://api.opsgenie.com, or https://api.eu.opsgenie.com for the EU instance.' },
    alias: { widget: 'expression', language: 'template', help: 'Default: the alert’s fingerprint, so a close step reaches the alert the create opened.' },
    message: { widget: 'expression', language: 'template', help: 'create: the alert’s title, up to 130 characters. Default: alert name: summary.' },
    description: { widget: 'expression', language: 'template', help: 'create: the alert’s text. Default: the alert’s summary and description.' },
    priority: { widget: 'select', help: 'create: from-alert maps critical → P1, high → P2, warning → P3, info → P5, unknown → P3.' },
    tags: { widget: 'list', help: 'create: tags (templates), up to 20.' },
    details: { widget: 'keyValue', help: 'create: key = value (templates). Default: the alert’s labels and the run.' },
    source: { widget: 'text' },
    note: { widget: 'expression', language: 'template', help: 'acknowledge, close, note: the note added to the alert (required for note).' },
    user: { widget: 'text', help: 'The name Opsgenie shows as who acted.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
