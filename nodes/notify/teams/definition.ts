import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { presentTeamsOutput, TeamsOutputSchema } from './output.js';

/** Facts a card shows at most: a card is a glance, and Teams refuses messages over about 28 KB. */
export const MAX_FACTS = 12;

export const TeamsNotifyConfigSchema = z.strictObject({
  /**
   * The workflow's URL ("When a Teams webhook request is received"). A secret only: its `sig`
   * query parameter is the credential, so whoever has the URL can post to the channel.
   */
  webhookUrl: SecretRefSchema,
  /** Template: the card's bold first line. Default: `[<severity>] <alert name>` (`, resolved` when it is). */
  title: z.string().trim().min(1, 'must not be empty').max(1000).optional(),
  /** Template: the card's text. Default: the alert's summary, then its description. */
  text: z.string().trim().min(1, 'must not be empty').max(20_000).optional(),
  /**
   * Fact name → value (a template), shown as a two-column list. Default: the alert's severity,
   * status, instance (or host) and service labels, and the flow.
   */
  facts: z
    .record(z.string().trim().min(1, 'a fact needs a name').max(100), z.string().max(2000))
    .refine((facts) => Object.keys(facts).length <= MAX_FACTS, `at most ${MAX_FACTS} facts`)
    .optional(),
  timeoutSeconds: secondsSchema(1, 120).default(10),
});
export type TeamsNotifyConfig = z.infer<typeof TeamsNotifyConfigSchema>;

/** Posts the alert to a Microsoft Teams channel as an Adaptive Card, through a Workflows webhook. */
export const teamsNotify = defineNodeType({
  type: 'notify.teams',
  category: 'action',
  label: 'Teams message',
  defaultId: 'tell_teams',
  description: 'Posts the alert to a Microsoft Teams channel as an Adaptive Card, through a Workflows (Power Automate) webhook, with a button to the run.',
  icon: 'teams',
  configSchema: TeamsNotifyConfigSchema,
  outputSchema: TeamsOutputSchema,
  outputs: ['ok', 'error'],
  // Teams has no idempotency key: a step repeated after a crash could post the card twice, so an
  // interrupted step is left for a person (its execution stops in needs_attention).
  idempotent: false,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ title: config.title, text: config.text, facts: config.facts }),
  summary: (config) => (config.title ? `card: ${config.title}` : 'card from the alert'),
  commandLine: (config) => `Teams card${config.title ? `: ${config.title}` : ''}`,
  present: presentTeamsOutput,
  portHelp: {
    ok: 'The workflow took the card (202, or 200)',
    error: 'The workflow refused it (its error code and message), rate limited it (429) for longer than the timeout (a Retry-After that fits is waited out, up to three tries), a 5xx, a timeout, a refused destination or a network error',
  },
  notes: [
    'Posts one message to a Teams **Workflows** webhook: a workflow made in Teams from the template “Post to a channel when a webhook request is received” (trigger “When a Teams webhook request is received”). The body is `{"type":"message","attachments":[…]}` with one Adaptive Card (version 1.4): the title in bold, the text, the facts as a fact set, and an **Open the run** button to the run in Salve’s editor when `SALVE_PUBLIC_ORIGIN` says where people reach it. Workflows take Adaptive Cards only (not the old connectors’ MessageCard).',
    'Without a config of its own the card comes from the alert: title `[<severity>] <name>` (`[<severity>, resolved] <name>` once resolved), text the alert’s summary followed by its description, and facts for the severity, the status, the `instance` (or `host`) label, the `service` label and the flow. Title, text and fact values are templates. They are sent as text: Teams reads a little Markdown in cards, and a Markdown link (`[text](url)`) is broken up so an alert cannot disguise one (a bare URL still shows as itself). Long values are cut so the card stays within Teams’ message size.',
    '**The workflow URL is the credential.** A secret only, e.g. `{ "secret": "TEAMS_WEBHOOK_URL" }` with `SALVE_SECRET_TEAMS_WEBHOOK_URL=https://…/workflows/…/triggers/manual/paths/invoke?…&sig=…` and `SALVE_SECRET_TEAMS_WEBHOOK_URL_HOSTS` set to its host (e.g. `prod-12.westus.logic.azure.com` or `<environment>.environment.api.powerplatform.com`): it is sent only to the hosts listed there, and the host is checked by the destination policy, as for HTTP requests. It must be https (plain http only to a loopback test stand-in). Outputs and messages show only its origin, never its path or query (`sig=`).',
    'A 202 (or 200) means the workflow started, not that the card reached the channel: a workflow whose owner left, or that cannot post in a private channel, fails in Power Automate’s run history, not here.',
    'Teams has no idempotency key: a crash while the card is being posted would post it twice on a retry, so the step is **not** retried after a crash (its execution stops in `needs_attention` for a person), and a `retry` policy on it needs `retryUnsafe: true`.',
  ],
  ui: {
    webhookUrl: { widget: 'secret', label: 'Workflow URL', help: 'The URL of a Teams workflow “When a Teams webhook request is received”: it is the credential.' },
    title: { widget: 'expression', language: 'template', help: 'The card’s bold first line. Default: [severity] alert name.' },
    text: { widget: 'expression', language: 'template', help: 'The card’s text. Default: the alert’s summary and description.' },
    facts: { widget: 'keyValue', help: 'Name = value (a template), shown as a list on the card. Default: severity, status, instance, service, flow.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
