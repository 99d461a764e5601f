import { renderTemplateParts, templateParts } from '../../../shared/expr/template.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { exceedsBytes, truncate } from '../../../shared/text.js';

/** Recipients (To and Cc together) one message may have. */
export const MAX_RECIPIENTS = 50;
/** RFC 5322's limit for a line, which a subject must fit in. */
const SUBJECT_MAX = 998;
/** Each body (plain text, HTML) once rendered, in bytes of UTF-8. */
const BODY_MAX_BYTES = 256 * 1024;
/** RFC 5321: a path is at most 256 octets with its brackets, so an address 254. */
const ADDRESS_MAX = 254;
const LOCAL_PART_MAX = 64;

/**
 * One bare address (`oncall@example.com`): a dot-atom local part and a host name with a dot.
 * No display names, quotes, comments, brackets, spaces, commas or line breaks, so a value can
 * never be read as two addresses or as a header.
 */
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * Why `value` is not exactly one email address, or undefined when it is. The words say what was
 * found (a line break, a comma), so a refused recipient rendered from alert data reads as such.
 */
export function addressProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (/[\r\n]/.test(value)) return 'holds a line break';
  if (/[,;]/.test(value)) return 'holds a "," or ";" (one address per entry)';
  if ((value.match(/@/g) ?? []).length > 1) return 'holds more than one address';
  if (/[\s<>"()]/.test(value)) return 'must be a bare address like oncall@example.com (no name, spaces, quotes or brackets)';
  if (value.length > ADDRESS_MAX) return `is longer than ${ADDRESS_MAX} characters`;
  if (!ADDRESS.test(value) || value.split('@')[0]!.length > LOCAL_PART_MAX) return 'is not an email address like oncall@example.com';
  return undefined;
}

/** A display name as written in the config: one line of text. */
export function displayNameProblem(value: string): string | undefined {
  return /\p{Cc}/u.test(value) ? 'must be one line of text' : undefined;
}

/**
 * The subject as sent: line breaks and other control characters (which alert data may carry)
 * become spaces, so the subject stays one header line; cut to 998 characters.
 */
export function cleanSubject(subject: string): string {
  return truncate(subject.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim(), SUBJECT_MAX);
}

/** `&`, `<`, `>`, `"` and `'` as entities: text inserted into HTML stays text, in elements and attributes. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** The `{{ … }}` parts of an HTML template, checked at save like any expression (definition.ts). */
export function htmlTemplateExpressions(html: string): string[] {
  return templateParts(html).parts.flatMap((p) => (p.kind === 'expr' ? [p.source] : []));
}

/** Why an HTML template cannot be rendered (unbalanced braces), or undefined. */
export function htmlTemplateProblem(html: string): string | undefined {
  return templateParts(html).issues[0]?.message;
}

/**
 * The HTML body: the template's own text as written (the flow's author writes the markup), every
 * `{{ … }}` value HTML-escaped, so alert data cannot add markup, links or scripts. Rendered
 * here, not by the engine: the engine's templates insert values as they are.
 */
export function renderHtml(html: string, vars: Partial<ExprVars>): string {
  return renderTemplateParts(html, vars)
    .map((p) => (p.kind === 'text' ? p.text : escapeHtml(p.text)))
    .join('');
}

/** Why a rendered body is too big to send, or undefined. */
export function bodyProblem(field: string, body: string): string | undefined {
  return exceedsBytes(body, BODY_MAX_BYTES) ? `${field} is larger than ${BODY_MAX_BYTES / 1024} KiB once rendered; send less of the alert` : undefined;
}

/** The subject when the config has none: `[critical] DiskFull: Disk almost full on db1`. */
export function defaultSubject(alert: ExprVars['alert']): string {
  const state = alert.status === 'resolved' ? `${alert.severity}, resolved` : alert.severity;
  return `[${state}] ${alert.summary ? `${alert.name}: ${alert.summary}` : alert.name}`;
}

/**
 * The plain-text body when the config has none: what the alert says, its labels, its links and
 * where the run is, for an on-call person reading it on a phone.
 */
export function defaultText(vars: Pick<ExprVars, 'alert' | 'flow' | 'execution'>, runUrl?: string): string {
  const { alert } = vars;
  const lines = [defaultSubject(alert)];
  if (alert.description) lines.push('', alert.description);
  lines.push('', `Status: ${alert.status}`, `Severity: ${alert.severity}`);
  if (alert.startsAt) lines.push(`Started: ${alert.startsAt}`);
  const labels = Object.entries(alert.labels);
  if (labels.length > 0) lines.push('', 'Labels:', ...labels.map(([k, v]) => `  ${k}=${v}`));
  const links: [string, string | undefined][] = [
    ['Runbook', alert.links.runbook],
    ['Dashboard', alert.links.dashboard],
    ['Alert source', alert.links.source],
  ];
  const shown = links.filter((l): l is [string, string] => Boolean(l[1]));
  if (shown.length > 0 || runUrl) lines.push('');
  if (runUrl) lines.push(`Run in Salve: ${runUrl}`);
  for (const [label, href] of shown) lines.push(`${label}: ${href}`);
  lines.push('', `Sent by Salve, flow "${vars.flow.name || vars.flow.id}", execution ${vars.execution.id}.`);
  return lines.join('\n');
}
