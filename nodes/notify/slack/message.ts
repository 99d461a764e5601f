import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import { SlackOutputSchema } from './output.js';
import type { ButtonsBlock } from '../../../shared/slack/approval-buttons.js';
import { escapeMrkdwn } from '../../../shared/slack/mrkdwn.js';

/** Slack's limits (Block Kit, chat.postMessage): longer values are refused, so they are cut here. */
const TEXT_MAX = 4000;
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const BUTTON_URL_MAX = 3000;
/** Steps named in the context line; a long run lists the first ones and how many more. */
const STEPS_SHOWN = 10;

type Text = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'actions'; elements: { type: 'button'; text: Text; url: string; action_id: string }[] }
  | { type: 'context'; elements: Text[] }
  | ButtonsBlock;

/** A message's content: `text` is the notification (and fallback) text, `blocks` what Slack shows. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** `message` with `buttons` before its context line (the last block). */
export function withButtons(message: SlackMessage, buttons: ButtonsBlock | undefined): SlackMessage {
  if (!buttons) return message;
  const blocks = [...message.blocks];
  blocks.splice(Math.max(0, blocks.length - 1), 0, buttons);
  return { ...message, blocks };
}


const mrkdwn = (text: string, max = SECTION_MAX): Text => ({ type: 'mrkdwn', text: truncate(escapeMrkdwn(text), max) });
const isWebLink = (href: string | undefined): href is string => href !== undefined && /^https?:\/\//i.test(href) && href.length <= BUTTON_URL_MAX;

/** The text a step posts when its config has none: `[critical] DiskFull: Disk almost full on db1`. */
export function defaultText(alert: ExprVars['alert']): string {
  const state = alert.status === 'resolved' ? `${alert.severity}, resolved` : alert.severity;
  return `[${state}] ${alert.summary ? `${alert.name}: ${alert.summary}` : alert.name}`;
}

/**
 * The message a step posts: `text` (rendered from the config, else from the alert) and Block Kit
 * blocks for it. A new message shows the alert — header, text, fields, link buttons (the run in
 * Salve's editor first, when the server knows its public address), context; a
 * reply in a thread shows only the text and the context, as the alert is in the thread's first
 * message.
 */
export function slackMessage(
  text: string | undefined,
  vars: Pick<ExprVars, 'alert' | 'flow' | 'execution' | 'steps'>,
  reply: boolean,
  /** This run's page in the editor (ExecContext.runUrl), shown as the first button of a new message. */
  runUrl?: string,
): SlackMessage {
  const { alert } = vars;
  const message = text ?? defaultText(alert);
  const ran = Object.keys(vars.steps);
  const more = ran.length > STEPS_SHOWN ? ` and ${ran.length - STEPS_SHOWN} more` : '';
  const context: SlackBlock = {
    type: 'context',
    elements: [mrkdwn(`Salve execution ${vars.execution.id}${ran.length > 0 ? ` · steps so far: ${ran.slice(0, STEPS_SHOWN).join(', ')}${more}` : ''}`)],
  };
  const body: SlackBlock = { type: 'section', text: mrkdwn(message) };
  if (reply) return { text: truncate(escapeMrkdwn(message), TEXT_MAX), blocks: [body, context] };

  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(alert.name || 'Alert', HEADER_MAX), emoji: true } }, body];
  // With no text of its own the step shows what the alert says beyond its summary.
  if (text === undefined && alert.description) blocks.push({ type: 'section', text: mrkdwn(alert.description) });
  const instance = alert.labels.instance ?? alert.labels.host;
  const fields: [string, string | undefined][] = [
    ['Severity', alert.severity],
    ['Status', alert.status],
    [alert.labels.instance ? 'Instance' : 'Host', instance],
    ['Flow', vars.flow.name || vars.flow.id],
  ];
  blocks.push({
    type: 'section',
    fields: fields.filter((f): f is [string, string] => Boolean(f[1])).map(([label, value]) => mrkdwn(`*${label}*\n${value}`, FIELD_MAX)),
  });
  const links: [string, string, string | undefined][] = [
    ['runbook', 'Runbook', alert.links.runbook],
    ['dashboard', 'Dashboard', alert.links.dashboard],
    ['source', 'Alert source', alert.links.source],
  ];
  if (runUrl !== undefined) links.unshift(['run', 'Open the run in Salve', runUrl]);
  const buttons = links
    .filter((link): link is [string, string, string] => isWebLink(link[2]))
    .map(([id, label, url]) => ({ type: 'button' as const, text: { type: 'plain_text' as const, text: label }, url, action_id: id }));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push(context);
  return { text: truncate(escapeMrkdwn(message), TEXT_MAX), blocks };
}

/** The message a reply goes under: Slack's channel id and the thread's `ts`. */
export interface SlackThread {
  channel: string;
  ts: string;
}

/**
 * The thread `thread: auto` replies in: the first earlier notify.slack step of the execution (in
 * the order the steps ran) that posted with a bot token to `channel` — named as this step names
 * it, or by Slack's id. Outputs are told apart by the shape the definition records (its output
 * schema), as `steps` holds outputs only.
 */
export function earlierThread(steps: Record<string, unknown>, channel: string): SlackThread | undefined {
  for (const output of Object.values(steps)) {
    const parsed = SlackOutputSchema.safeParse(output);
    if (!parsed.success) continue;
    const earlier = parsed.data;
    if (earlier.via !== 'bot' || !earlier.ok || !earlier.channel || !earlier.ts) continue;
    if (earlier.to !== channel && earlier.channel !== channel) continue;
    return { channel: earlier.channel, ts: earlier.threadTs ?? earlier.ts };
  }
  return undefined;
}

/** Seconds Slack asks to wait in `Retry-After` (whole seconds); 1 when it says nothing usable. */
export function retryAfterSeconds(header: string | string[] | undefined): number {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(value) && value >= 1 ? Math.ceil(value) : 1;
}
