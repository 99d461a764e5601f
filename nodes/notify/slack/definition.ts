import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { templatesIn } from '../../definition.js';
import { attachSchema, secondsSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { presentSlackOutput, SlackOutputSchema } from './output.js';

/** Slack's Web API (chat.postMessage lives under it). */
const SLACK_API_URL = 'https://slack.com/api';

/**
 * How the step reaches Slack. A bot token posts with chat.postMessage, to any channel the bot is
 * in, and can reply in threads; an incoming webhook posts to the one channel it was made for and
 * cannot thread. Both credentials are secrets: the webhook URL is itself the credential.
 */
const SlackAuthSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('bot'),
      /** A bot token (`xoxb-…`) with the `chat:write` scope. */
      token: SecretRefSchema,
      /** Template: `#ops`, or a channel id (`C0123456789`). */
      channel: z.string().trim().min(1, 'channel is required, e.g. #ops or C0123456789').max(256),
    }).describe('bot: chat.postMessage with a bot token, to the channel named here; later Slack steps of the run can reply in its thread.'),
    z.strictObject({
      type: z.literal('webhook'),
      /** The incoming-webhook URL (`https://hooks.slack.com/services/…`). */
      url: SecretRefSchema,
    }).describe('webhook: an incoming webhook posts to the one channel it was made for, and cannot reply in threads.'),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'auth is required: {"type":"bot","token":{"secret":"SLACK_BOT_TOKEN"},"channel":"#ops"} or {"type":"webhook","url":{"secret":"SLACK_WEBHOOK_URL"}}'
        : undefined,
  },
).describe('How the step posts: with a bot token, or with an incoming webhook.');

export const SlackNotifyConfigSchema = z.strictObject({
  auth: SlackAuthSchema,
  /** Template: the message. Default: `[<severity>] <alert name>: <alert summary>`. */
  text: z.string().trim().min(1).max(4000).optional(),
  /**
   * `auto`: reply in the thread of the first earlier notify.slack step of this execution that
   * posted to the same channel with a bot token. `new`: always a new message.
   */
  thread: z.enum(['auto', 'new'], { error: 'must be auto or new' }).default('auto'),
  /**
   * The id of an approval.request node of this flow: the message gets Approve and Reject
   * buttons that decide that approval (the Slack app's interactivity must point at Salve).
   */
  approvalButtons: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the id of an approval step of this flow, e.g. approval')
    .optional(),
  /**
   * Where Slack's Web API is (bot only; a webhook posts to its own URL). Written out (no
   * templates), so an alert can never choose where the token is sent; it still passes the
   * destination policy.
   */
  apiUrl: z
    .string()
    .trim()
    .refine(
      (u) => /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?(\/api)?\/?$/i.test(u),
      'must be http:// or https:// and a host (and port), optionally followed by /api, e.g. https://slack.com/api',
    )
    .default(SLACK_API_URL),
  /** Ids of earlier enrich.logs / enrich.graph steps: their files go into the message's thread (bot only). */
  attach: attachSchema,
  timeoutSeconds: secondsSchema(1, 120).default(10),
}).superRefine((config, ctx) => {
  if (config.attach && config.attach.length > 0 && config.auth.type !== 'bot') {
    ctx.addIssue({ code: 'custom', path: ['attach'], message: 'needs a bot token: an incoming webhook cannot upload files' });
  }
});
export type SlackNotifyConfig = z.infer<typeof SlackNotifyConfigSchema>;

/** Posts the alert (or a reply in its thread) to a Slack channel. */
export const slackNotify = defineNodeType({
  type: 'notify.slack',
  category: 'action',
  label: 'Slack message',
  defaultId: 'tell_slack',
  description: 'Posts the alert to a Slack channel with a bot token or an incoming webhook; later Slack steps of the same run reply in its thread.',
  icon: 'slack',
  configSchema: SlackNotifyConfigSchema,
  outputSchema: SlackOutputSchema,
  outputs: ['ok', 'error'],
  // Slack has no idempotency key: a step repeated after a crash may post twice. A duplicate chat
  // message is harmless, and stopping the run for a human over one would be worse.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ auth: config.auth, text: config.text }),
  summary: (config) => {
    const where = config.auth.type === 'bot' ? config.auth.channel : 'webhook';
    return `${where}${config.thread === 'new' ? ' · new message' : ''}${config.approvalButtons ? ` · buttons for ${config.approvalButtons}` : ''}${config.apiUrl === SLACK_API_URL ? '' : ` · ${config.apiUrl}`}`;
  },
  commandLine: (config) => `Slack ${config.auth.type === 'bot' ? config.auth.channel : 'webhook'}${config.text ? `: ${config.text}` : ''}`,
  present: presentSlackOutput,
  portHelp: {
    ok: 'Slack took the message (chat.postMessage answered ok, or the webhook answered "ok")',
    error: 'Slack refused it (its error code, e.g. channel_not_found or invalid_auth), rate limited it for longer than the timeout leaves, a timeout, a refused destination or a network error',
  },
  notes: [
    'With a **bot token** (`auth.type: bot`) the step calls [chat.postMessage](https://api.slack.com/methods/chat.postMessage) at `<apiUrl>/chat.postMessage` with `Authorization: Bearer <token>`; the bot needs the `chat:write` scope and must be a member of the channel. With an **incoming webhook** (`auth.type: webhook`) it posts to the webhook’s URL, which belongs to one channel. Slack’s `ok: false` (e.g. `channel_not_found`, `not_in_channel`, `invalid_auth`) and a webhook’s error text (e.g. `no_service`) go to the `error` port with Slack’s words.',
    'The message is Block Kit built from the alert: a header with the alert’s name; the text (default `[<severity>] <name>: <summary>`, plus the alert’s description); fields for severity, status, the `instance` or `host` label and the flow; buttons for the run in Salve’s editor (when `SALVE_PUBLIC_ORIGIN` says where people reach it) and for the alert’s runbook, dashboard and source links when they are http(s); and a context line with the execution id and the steps the run took so far. `text` is also the notification text. Alert text is sent as plain text: `&`, `<` and `>` are escaped, so an alert cannot mention `@channel` or disguise a link.',
    '**Threads.** With `thread: auto` (default), a step replies in the thread of the first earlier notify.slack step of the same execution that posted with a bot token to the same channel (its output keeps Slack’s `channel` and `ts`); a reply carries the text and the context line only. `thread: new` always starts a new message. Incoming webhooks cannot thread: their messages are always new, and they cannot be replied to.',
    '**Rate limits.** When Slack answers 429, the step waits the `Retry-After` seconds it asks for and tries again, as long as the wait fits in the timeout; otherwise it fails saying how long Slack asked to wait. The file methods of `attach` do the same within what is left of the timeout.',
    '**Credentials.** Secrets only, e.g. `{ "secret": "SLACK_BOT_TOKEN" }` with `SALVE_SECRET_SLACK_BOT_TOKEN=xoxb-…` and `SALVE_SECRET_SLACK_BOT_TOKEN_HOSTS=slack.com`, or `{ "secret": "SLACK_WEBHOOK_URL" }` with `SALVE_SECRET_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/…` and `SALVE_SECRET_SLACK_WEBHOOK_URL_HOSTS=hooks.slack.com`. Like every secret it is sent only to the hosts listed there, and the host is checked by the destination policy, as for HTTP requests. Neither is stored in the step’s output or shown in its messages.',
    'Slack has no idempotency key: a crash while the message is being posted may post it twice when the step is retried.',
    '**Approve/Reject buttons.** With `approvalButtons: <id of an approval.request node>` the message gets Approve and Reject buttons for that approval (of the same run, and the same loop item). A click reaches Salve at `POST /api/slack/interactions` (the Slack app’s interactivity URL), signed by Slack (`SLACK_SIGNING_SECRET`); Salve finds the Salve user with the Slack user’s verified email (`users.info` with `SLACK_BOT_TOKEN`, scope `users:read.email`), applies the same rules as any decision (the approver role in the flow’s team, quorum, no self-approval) and updates the message with who decided; a refused click gets a message only its clicker sees, saying why. A click before the approval step has started is refused too: put the approval beside or before the message. See operations.md, “Slack buttons”.',
    '**Attachments.** `attach` lists the ids of earlier steps that made a file — a log (Attach logs) or a chart (Graph) — at most 5. After the message is posted, each file is uploaded into its thread with Slack’s external upload (`files.getUploadURLExternal`, the bytes to the upload URL Slack gives — on `files.slack.com` only, without the token —, then `files.completeUploadExternal`); the bot token needs the `files:write` scope. A bot token is required: an incoming webhook cannot upload files. A listed step that has not run or made no file fails the step before anything is posted. A failed upload goes to `error` after the message was posted; the output says so (`ts` is set), and a retry posts the message again.',
  ],
  ui: {
    'auth.token': { widget: 'secret', label: 'Bot token', help: 'A bot token (xoxb-…) with the chat:write scope; invite the bot to the channel.' },
    'auth.channel': { widget: 'expression', language: 'template', label: 'Channel', help: '#ops, or a channel id like C0123456789.' },
    'auth.url': { widget: 'secret', label: 'Webhook URL', help: 'The incoming-webhook URL (https://hooks.slack.com/services/…): it is the credential.' },
    text: { widget: 'expression', language: 'template', help: 'The message and its notification text. Default: [severity] alert name: summary.' },
    thread: { widget: 'select', help: 'auto replies in the thread of this run’s first Slack message in the same channel (bot only); new always posts a new message.' },
    apiUrl: { widget: 'text', label: 'Slack API URL', help: 'https://slack.com/api; change it only for a proxy or a test stand-in.' },
    attach: { widget: 'list', label: 'Attach', help: 'Ids of earlier Attach logs or Graph steps, one per line: their log or chart goes into the message’s thread (bot token with files:write).' },
    approvalButtons: { widget: 'text', label: 'Approval buttons for', help: 'The id of an approval step of this flow: the message gets Approve and Reject buttons for it.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
