import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema, serviceUrlSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { PagerDutyIncidentOutputSchema, presentPagerDutyIncidentOutput } from './output.js';

/** PagerDuty's REST API (US service region); EU accounts use https://api.eu.pagerduty.com. */
const PAGERDUTY_API_URL = 'https://api.pagerduty.com';

/** An e-mail address as a `From` header carries it: no spaces or line breaks, one @. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The longest note Salve writes (the run's line and the step's marker come on top). */
export const MAX_NOTE_CHARS = 10_000;

export const PagerDutyIncidentConfigSchema = z
  .strictObject({
    /** acknowledge and resolve change the incident's status; note adds a note to its timeline. */
    action: z.enum(['acknowledge', 'resolve', 'note'], { error: 'must be acknowledge, resolve or note' }).default('acknowledge'),
    /** A REST API key (account or user token), sent as `Authorization: Token token=<key>`. A secret only. */
    token: SecretRefSchema,
    /**
     * The e-mail of the PagerDuty user the change is made as: the `From` header PagerDuty's REST
     * API requires for these writes. Written out (an alert never chooses who acts).
     */
    from: z
      .string({ error: 'from is required: the e-mail address of a PagerDuty user, e.g. oncall@example.com' })
      .trim()
      .max(254, 'must be at most 254 characters')
      .superRefine((value, ctx) => {
        if (value.includes('{{')) ctx.addIssue({ code: 'custom', message: 'must be written out: the e-mail address of a PagerDuty user, not a template' });
        else if (!EMAIL.test(value)) ctx.addIssue({ code: 'custom', message: 'must be the e-mail address of a PagerDuty user, e.g. oncall@example.com' });
      }),
    /**
     * Template: the incident to act on. Default: the incident of a run started by a PagerDuty
     * webhook (`source.pagerduty` keeps its id as the alert's fingerprint).
     */
    incidentId: z.string().trim().min(1, 'must not be empty (leave incidentId out to use the incident that started the run)').max(200).optional(),
    /** Template (note): the note's text. The run's link and the step's marker are added after it. */
    note: z.string().trim().min(1, 'must not be empty').max(MAX_NOTE_CHARS).default('Salve ran {{ flow.name }}'),
    /**
     * Where the REST API is: PagerDuty's US region by default. Written out (no templates), so an
     * alert never chooses where the API key is sent; it still passes the destination policy.
     */
    baseUrl: serviceUrlSchema(PAGERDUTY_API_URL).default(PAGERDUTY_API_URL),
    timeoutSeconds: secondsSchema(1, 120).default(10),
  });
export type PagerDutyIncidentConfig = z.infer<typeof PagerDutyIncidentConfigSchema>;

const incidentShown = (config: PagerDutyIncidentConfig) => config.incidentId ?? 'the run’s incident';

/** Acknowledges, resolves or adds a note to a PagerDuty incident through its REST API. */
export const pagerdutyIncident = defineNodeType({
  type: 'pagerduty.incident',
  category: 'action',
  label: 'PagerDuty incident',
  defaultId: 'update_incident',
  description: 'Acknowledges or resolves the PagerDuty incident that started the run, or adds a note linking the run (REST API v2).',
  icon: 'incident',
  configSchema: PagerDutyIncidentConfigSchema,
  outputSchema: PagerDutyIncidentOutputSchema,
  outputs: ['ok', 'error'],
  // Acknowledging or resolving twice leaves the incident as once; a retried note first looks
  // for the note its first try posted (by the step's marker) and keeps it.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  // The note is rendered only when it is sent: a leftover note cannot fail an acknowledge.
  expressions: (config) => templatesIn({ incidentId: config.incidentId, note: config.action === 'note' ? config.note : undefined }),
  summary: (config) => `${config.action} · ${incidentShown(config)}${config.baseUrl === PAGERDUTY_API_URL ? '' : ` · ${config.baseUrl}`}`,
  commandLine: (config) =>
    config.action === 'note'
      ? `PagerDuty note on incident ${incidentShown(config)} as ${config.from}: ${truncate(config.note, 80)}`
      : `PagerDuty ${config.action} incident ${incidentShown(config)} as ${config.from}`,
  present: presentPagerDutyIncidentOutput,
  portHelp: {
    ok: 'PagerDuty acknowledged or resolved the incident (or it already was), or took the note (its id is in the output)',
    error: 'PagerDuty refused (its reason: a bad key, an unknown user in from, an unknown incident, 429 rate limited for longer than the timeout: a Retry-After that fits is waited out, up to three tries, 5xx), the run has no incident to act on, a timeout, a refused destination or a network error',
  },
  notes: [
    'Acts on an incident through PagerDuty’s [REST API v2](https://developer.pagerduty.com/api-reference/): **acknowledge** and **resolve** send `PUT <baseUrl>/incidents/<id>` with the new status; **note** sends `POST <baseUrl>/incidents/<id>/notes`. The note is `note` (a template) followed by a line with the run’s link (its id when `SALVE_PUBLIC_ORIGIN` is not set) and the step’s key, so whoever reads the incident’s timeline finds the run.',
    'The incident is the one that started the run by default: a flow started by a PagerDuty webhook source keeps the incident’s id as the alert’s fingerprint. For a run started otherwise, set `incidentId` (a template), e.g. from an earlier step’s output; a run with no incident to act on fails the step (→ `error`) before anything is sent. The id is checked (letters and digits) and encoded in the path.',
    '**API key.** A secret only, e.g. `{ "secret": "PD_API_KEY" }` with `SALVE_SECRET_PD_API_KEY=<REST API key>` and `SALVE_SECRET_PD_API_KEY_HOSTS=api.pagerduty.com` (or `api.eu.pagerduty.com`), sent as `Authorization: Token token=<key>`: like every secret, only to the hosts listed there. `from` is the e-mail address of a PagerDuty user: PagerDuty records the change as theirs, and refuses an address it does not know.',
    'Acknowledging an incident that is already acknowledged, or resolving one already resolved, succeeds. Acknowledging a resolved incident fails (→ `error`): the incident is over, which the flow may want to know.',
    'After a crash the step is retried: acknowledge and resolve are repeated (PagerDuty ends in the same state); a note first looks through the incident’s notes for one carrying the step’s key, and keeps it, so a retry never posts the note twice.',
  ],
  ui: {
    action: { widget: 'select', help: 'acknowledge or resolve the incident, or add a note to its timeline.' },
    token: { widget: 'secret', label: 'API key', help: 'A PagerDuty REST API key (account or user token), stored as a secret.' },
    from: { widget: 'text', label: 'From (user e-mail)', help: 'The e-mail address of the PagerDuty user the change is made as.' },
    incidentId: {
      widget: 'expression',
      language: 'template',
      label: 'Incident id',
      help: 'Empty: the incident that started the run (a PagerDuty webhook source).',
    },
    note: { widget: 'expression', language: 'template', help: 'note: the text; the run’s link is added after it.' },
    baseUrl: { widget: 'text', label: 'REST API URL', help: 'https://api.pagerduty.com, or https://api.eu.pagerduty.com for the EU service region.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
