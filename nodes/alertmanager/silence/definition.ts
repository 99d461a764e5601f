import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { requestHeadersSchema, secondsSchema, serviceUrlSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { PROMETHEUS_LABEL_NAME, SILENCE_ID } from './matchers.js';
import { presentSilenceOutput, SilenceOutputSchema } from './output.js';

// Set by Salve itself: the body is JSON it writes.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection']);

const LabelNameSchema = z.string().regex(PROMETHEUS_LABEL_NAME, 'must be a Prometheus label name (letters, digits and _, not starting with a digit)');

/** One week: Alertmanager takes longer silences, but a remediation that needs one is a person's decision. */
const MAX_DURATION_MINUTES = 7 * 24 * 60;

export const SilenceConfigSchema = z
  .strictObject({
    /** create silences the alert for `durationMinutes`; expire ends the silence `silenceId` names. */
    action: z.enum(['create', 'expire'], { error: 'must be create or expire' }).default('create'),
    /** Alertmanager's base URL, written out (an alert never chooses it); the API v2 is below it. */
    url: serviceUrlSchema('http://alertmanager.internal:9093'),
    /** Values are templates or secret references (e.g. `Authorization: Bearer …` for a proxy in front). */
    headers: requestHeadersSchema(RESERVED_HEADERS),
    /**
     * The alert's labels the silence matches, each equal to the alert's value. Default: every label
     * of the alert (the alert must then have `alertname`), as Alertmanager's "Silence" button does.
     */
    matchLabels: z.array(LabelNameSchema).min(1, 'list at least one label, or leave matchLabels out to match every label of the alert').max(64).optional(),
    /** More equality matchers: label name → value (a template), added to or replacing the alert's. */
    matchers: z
      .record(LabelNameSchema, z.string().min(1, 'must not be empty').max(1024))
      .refine((m) => Object.keys(m).length <= 64, 'at most 64 matchers')
      .optional(),
    durationMinutes: z
      .number({ error: 'must be a number of minutes' })
      .int('must be a whole number of minutes')
      .min(1, `must be between 1 and ${MAX_DURATION_MINUTES} minutes`)
      .max(MAX_DURATION_MINUTES, `must be between 1 and ${MAX_DURATION_MINUTES} minutes`)
      .default(60),
    /** Template. The run's link (or id) is appended, so whoever reads the silence finds the run. */
    comment: z.string().trim().min(1, 'must not be empty').max(1000).default('Salve is remediating {{ alert.name }}'),
    /** Who the silence says created it. */
    createdBy: z.string().trim().min(1, 'must not be empty').max(100).default('salve'),
    /**
     * create: expire the silence as soon as the run ends (whatever its outcome), not only when
     * `durationMinutes` pass; the duration stays the upper bound.
     */
    untilRunEnds: z.boolean({ error: 'must be true or false' }).default(false),
    /** Template (expire): the id a create step recorded, e.g. `{{ steps.silence_alert.silenceId }}`. */
    silenceId: z.string().trim().min(1).max(200).optional(),
    timeoutSeconds: secondsSchema(1, 120).default(10),
  })
  .superRefine((config, ctx) => {
    if (config.action === 'expire' && config.untilRunEnds) {
      ctx.addIssue({ code: 'custom', path: ['untilRunEnds'], message: 'only a create step can last until the run ends' });
    }
    if (config.action === 'expire' && config.silenceId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['silenceId'], message: 'expire needs silenceId, e.g. {{ steps.silence_alert.silenceId }}' });
    }
    if (config.action === 'expire' && config.silenceId !== undefined && !config.silenceId.includes('{{') && !SILENCE_ID.test(config.silenceId)) {
      ctx.addIssue({ code: 'custom', path: ['silenceId'], message: 'must be a silence id (a UUID) or a template giving one' });
    }
  });
export type SilenceConfig = z.infer<typeof SilenceConfigSchema>;

/** Silences the run's alert in Alertmanager while Salve works on it, or ends such a silence. */
export const alertmanagerSilence = defineNodeType({
  type: 'alertmanager.silence',
  category: 'action',
  label: 'Alertmanager silence',
  defaultId: 'silence_alert',
  description: 'Silences the alert in Alertmanager (API v2) for a while, with a comment linking the run, or expires a silence an earlier step created.',
  icon: 'silence',
  configSchema: SilenceConfigSchema,
  outputSchema: SilenceOutputSchema,
  outputs: ['ok', 'error'],
  // A retried create finds the silence its first try made (by the step's key in the comment);
  // expiring twice is what Alertmanager allows.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ matchers: config.matchers, comment: config.comment, silenceId: config.silenceId }),
  summary: (config) =>
    config.action === 'expire' ? `expire · ${config.url}` : `${config.untilRunEnds ? `until the run ends (≤ ${config.durationMinutes} min)` : `${config.durationMinutes} min`} · ${config.url}`,
  commandLine: (config) =>
    config.action === 'expire'
      ? `expire Alertmanager silence ${config.silenceId ?? ''} at ${config.url}`
      : `silence ${config.matchLabels ? config.matchLabels.join(', ') : 'every label of the alert'} for ${config.durationMinutes} min at ${config.url}: ${truncate(config.comment, 80)}`,
  present: presentSilenceOutput,
  portHelp: {
    ok: 'Alertmanager created the silence (its id is in the output) or expired it',
    error: 'Alertmanager refused (its reason), the alert lacks a label to match, a timeout, a refused destination or a network error',
  },
  notes: [
    '**create** posts a silence to `<url>/api/v2/silences`: equality matchers on the alert’s labels (every label by default, as Alertmanager’s own “Silence” button does, or the ones `matchLabels` names), plus `matchers` (values are templates), from now for `durationMinutes`. The comment is `comment` followed by the run’s link (its id when `SALVE_PUBLIC_ORIGIN` is not set) and the step’s key, so whoever finds the silence finds the run. The output has `silenceId` for a later step: `{{ steps.silence_alert.silenceId }}`.',
    '**expire** ends the silence `silenceId` names (`DELETE <url>/api/v2/silence/<id>`). Put one at the end of each path of the flow to lift the silence when the work is done; the silence still ends by itself after `durationMinutes` if a run never gets there. Expiring a silence that has already ended succeeds, and so does an empty `silenceId` (nothing to expire): write `{{ has(steps.silence_alert.silenceId) ? steps.silence_alert.silenceId : "" }}` where the create step may not have run or may have failed.',
    'Values from the alert are only ever label **values** of equality matchers, never regexes, so an alert cannot widen a silence with `.*`. Without `matchLabels` the alert must have `alertname`: a silence of whatever labels an alert happened to carry could hide other alerts. A label the silence needs that the alert lacks, or an alert label that is not a Prometheus label name, fails the step (→ `error`) before anything is sent.',
    'The URL is written out (an alert never chooses where Salve connects) and may include a path prefix (`http://monitoring.internal/alertmanager`). It passes the destination policy like an HTTP request (`SALVE_ALLOWED_TARGETS`, the flow’s `settings.allowedTargets`); a secret in `headers` (an `Authorization` for a proxy in front of Alertmanager) goes only to its `SALVE_SECRET_<NAME>_HOSTS`.',
    '**Until the run ends.** With `untilRunEnds: true` the silence is expired as soon as the run ends, whatever its outcome (succeeded, failed, cancelled, timed out, needs attention), so no expire step is needed on every path; `durationMinutes` stays its upper bound. The engine records this with the step’s success, in the same transaction, and expires the silence after the run has ended — also when Salve restarted in between. An Alertmanager that cannot be reached is tried again with backoff (30 s, doubling, at most 15 min apart) up to 12 times; after that the silence ends at its own end time, and the audit log has `step.after_run_failed`. Each expiry is audited as `step.after_run`.',
    'After a crash the step is retried: before creating again, it looks for an active silence whose comment carries its key, and keeps that one, so a retry never leaves two silences.',
  ],
  ui: {
    action: { widget: 'select', help: 'create silences the alert; expire ends a silence an earlier step created.' },
    url: { widget: 'text', label: 'Alertmanager URL', help: 'Written out, e.g. http://alertmanager.internal:9093 (the API v2 is below it).' },
    headers: { widget: 'keyValue', help: 'e.g. Authorization with a secret, when a proxy in front of Alertmanager asks for one.' },
    matchLabels: { widget: 'list', label: 'Match labels', help: 'The alert’s labels the silence matches. Empty: every label (the alert must have alertname).' },
    matchers: { widget: 'keyValue', label: 'Extra matchers', help: 'Label = value (a template), added to the alert’s.' },
    durationMinutes: { widget: 'number', label: 'Duration (minutes)', help: 'How long the silence lasts; with "Until the run ends", at most this long.' },
    untilRunEnds: { widget: 'boolean', label: 'Until the run ends', help: 'Expire the silence as soon as the run ends, whatever its outcome.' },
    comment: { widget: 'expression', language: 'template', help: 'Shown on the silence; the run’s link is added after it.' },
    createdBy: { widget: 'text', label: 'Created by' },
    silenceId: { widget: 'expression', language: 'template', label: 'Silence id', help: 'expire: e.g. {{ steps.silence_alert.silenceId }}' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
