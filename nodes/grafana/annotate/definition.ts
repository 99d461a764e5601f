import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema, serviceUrlSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { AnnotationOutputSchema, presentAnnotationOutput } from './output.js';

/** A dashboard UID as Grafana allows it: letters, digits, `-` and `_`, at most 40. */
export const DASHBOARD_UID = /^[A-Za-z0-9_-]{1,40}$/;
/** A panel id: a whole number (Grafana numbers a dashboard's panels from 1). */
export const PANEL_ID = /^[0-9]{1,9}$/;

/** The longest text Salve writes (the run's line comes on top). */
export const MAX_TEXT_CHARS = 10_000;
/** Grafana keeps a tag's key and value (`key:value`) in columns of 100 characters each. */
export const MAX_TAG_CHARS = 100;

const isTemplate = (value: string) => value.includes('{{');

export const AnnotateConfigSchema = z
  .strictObject({
    /** Grafana's base URL, written out (an alert never chooses it), with its sub-path if it has one. */
    url: serviceUrlSchema('https://grafana.example.internal'),
    /** A service account token, sent as `Authorization: Bearer <token>`. A secret only. */
    token: SecretRefSchema,
    /**
     * Template: the dashboard the annotation belongs to. Default: the dashboard of a Grafana
     * alert's rule (its `__dashboardUid__` annotation, or the UID in its dashboard or panel
     * link); none: an organization annotation, shown where its tags are queried.
     */
    dashboardUid: z.string().trim().min(1, 'must not be empty (leave dashboardUid out to use the alert’s dashboard)').max(200).optional(),
    /**
     * Template: the panel of that dashboard. Default: the alert's panel (its `__panelId__`
     * annotation, or `viewPanel` in its panel link) when the dashboard is the alert's too.
     */
    panelId: z
      .string({ error: 'must be text: a panel id like "4", or a template' })
      .trim()
      .min(1, 'must not be empty (leave panelId out to use the alert’s panel)')
      .max(200)
      .optional(),
    /** Template: the annotation's text. The run's link is added after it. */
    text: z.string().trim().min(1, 'must not be empty').max(MAX_TEXT_CHARS).default('Salve ran {{ flow.name }}'),
    /** Templates: the annotation's tags (empty ones are dropped). Salve adds one tag of its own: the step's marker. */
    tags: z
      .array(z.string().trim().min(1, 'must not be empty').max(MAX_TAG_CHARS, `must be at most ${MAX_TAG_CHARS} characters`))
      .max(20, 'at most 20 tags')
      .default(['salve', '{{ alert.name }}']),
    /** point: at the step's time; since-alert: a region from when the alert started to the step's time. */
    span: z.enum(['point', 'since-alert'], { error: 'must be point or since-alert' }).default('point'),
    timeoutSeconds: secondsSchema(1, 120).default(10),
  })
  .superRefine((config, ctx) => {
    // Written-out values are checked now; templates once rendered, by the step.
    if (config.dashboardUid !== undefined && !isTemplate(config.dashboardUid) && !DASHBOARD_UID.test(config.dashboardUid)) {
      ctx.addIssue({ code: 'custom', path: ['dashboardUid'], message: 'must be a dashboard UID (letters, digits, - and _, at most 40) or a template giving one' });
    }
    if (config.panelId !== undefined && !isTemplate(config.panelId) && !PANEL_ID.test(config.panelId)) {
      ctx.addIssue({ code: 'custom', path: ['panelId'], message: 'must be a panel id (a whole number, e.g. "4") or a template giving one' });
    }
  });
export type AnnotateConfig = z.infer<typeof AnnotateConfigSchema>;

/** Marks the run on a Grafana dashboard (or organization-wide) with an annotation. */
export const grafanaAnnotate = defineNodeType({
  type: 'grafana.annotate',
  category: 'action',
  label: 'Grafana annotation',
  defaultId: 'annotate_grafana',
  description: 'Adds an annotation linking the run to the Grafana dashboard and panel of the alert, or an organization annotation with tags.',
  icon: 'annotation',
  configSchema: AnnotateConfigSchema,
  outputSchema: AnnotationOutputSchema,
  outputs: ['ok', 'error'],
  // A retried step looks for the annotation its first try added (by the step's marker tag) and keeps it.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ dashboardUid: config.dashboardUid, panelId: config.panelId, text: config.text, tags: config.tags }),
  summary: (config) => `${config.span === 'since-alert' ? 'region' : 'annotate'} · ${config.url}`,
  commandLine: (config) => `annotate Grafana at ${config.url}${config.dashboardUid ? ` (dashboard ${config.dashboardUid})` : ''}: ${truncate(config.text, 80)}`,
  present: presentAnnotationOutput,
  portHelp: {
    ok: 'Grafana added the annotation (its id is in the output), or a retry found the one its first try added',
    error: 'Grafana refused (its reason: a bad token, missing permissions, 5xx), a dashboard or panel that is not one, a timeout, a refused destination or a network error',
  },
  notes: [
    'Posts an annotation to `<url>/api/annotations` (Grafana’s annotations HTTP API): `text` followed by a line with the run’s link (its id when `SALVE_PUBLIC_ORIGIN` is not set), the `tags`, at the step’s time, or with `span: since-alert` as a region from when the alert started. The output has `annotationId`.',
    'The dashboard and panel come from the alert by default: a Grafana alert links its rule’s dashboard and panel (`dashboardURL`, `panelURL`; an alert of a Grafana-managed rule sent through Alertmanager keeps them as the `__dashboardUid__` and `__panelId__` annotations). Without a dashboard the annotation belongs to the organization: it shows on dashboards whose annotation query asks for its tags (e.g. `salve`). Set `dashboardUid` and `panelId` (templates) to choose; a panel is used only with a dashboard, and a rendered value that is not a UID or a whole number fails the step before anything is sent.',
    '**Token.** A secret only: a Grafana service account token with the annotations writer permissions (`annotations:create`, and `annotations:read` for the retry lookup), e.g. `{ "secret": "GRAFANA_TOKEN" }` with `SALVE_SECRET_GRAFANA_TOKEN_HOSTS=grafana.example.internal`, sent as `Authorization: Bearer <token>`: like every secret, only to the hosts listed there. The URL is written out and may include a sub-path (`https://example.internal/grafana`); it passes the destination policy like an HTTP request.',
    'After a crash the step is retried: every annotation carries a tag of the step’s own (`salve:` and 12 hex digits of the step’s key), and a retry first looks for an annotation with that tag and keeps it, so a retry never adds a second annotation.',
  ],
  ui: {
    url: { widget: 'text', label: 'Grafana URL', help: 'Written out, e.g. https://grafana.example.internal (with its sub-path, if any).' },
    token: { widget: 'secret', label: 'Service account token', help: 'A Grafana service account token that may create annotations, stored as a secret.' },
    dashboardUid: { widget: 'expression', language: 'template', label: 'Dashboard UID', help: 'Empty: the alert’s dashboard, else an organization annotation.' },
    panelId: { widget: 'expression', language: 'template', label: 'Panel id', help: 'Empty: the alert’s panel (with the alert’s dashboard).' },
    text: { widget: 'expression', language: 'template', help: 'Shown on the annotation; the run’s link is added after it.' },
    tags: { widget: 'list', templates: true, help: 'Templates; empty ones are dropped. Salve adds the step’s own tag.' },
    span: { widget: 'select', help: 'point: at the step’s time; since-alert: a region from when the alert started.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
