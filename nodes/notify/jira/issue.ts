import { createHash } from 'node:crypto';
import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import type { Resolved } from '../../executor.js';
import type { JiraNotifyConfig } from './definition.js';

/** Jira's limits: a longer summary or label is refused, a description past 32,767 characters too. */
const SUMMARY_MAX = 255;
const LABEL_MAX = 255;
const DESCRIPTION_MAX = 32_000;

/** A paragraph of Atlassian Document Format holding plain text (a text node may not be empty). */
interface AdfParagraph {
  type: 'paragraph';
  content: { type: 'text'; text: string }[];
}

/** The smallest Atlassian Document Format document: paragraphs of plain text. */
interface AdfDocument {
  version: 1;
  type: 'doc';
  content: AdfParagraph[];
}

/** The body of `POST /rest/api/{2|3}/issue`. */
export interface JiraIssueRequest {
  fields: {
    project: { key: string };
    issuetype: { name: string };
    summary: string;
    /** Plain text for API v2, a document for v3. */
    description: string | AdfDocument;
    labels: string[];
    priority?: { name: string };
  };
}

/**
 * The label that ties an issue to the step that created it: the same across the step's retries
 * (the idempotency key is `<execution>:<node>`), found again by a search after a crash. Hashed,
 * so it is a valid label whatever the ids hold, and short.
 */
export function stepLabel(idempotencyKey: string): string {
  return `salve-${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 12)}`;
}

/** A rendered label as Jira takes it: no spaces (each run of white space becomes `-`), at most 255 characters. */
function jiraLabel(text: string): string {
  return text.trim().replace(/\s+/g, '-').slice(0, LABEL_MAX);
}

/** Plain text as a document for API v3: one paragraph per line, an empty line an empty paragraph. */
function adfOf(text: string): AdfDocument {
  return {
    version: 1,
    type: 'doc',
    content: text.split(/\r?\n/).map((line) => ({ type: 'paragraph', content: line ? [{ type: 'text', text: line }] : [] })),
  };
}

const isWebLink = (href: string | undefined): href is string => href !== undefined && /^https?:\/\//i.test(href);

/** The default description: what happened (the alert, its labels and links) and where the run is. */
function defaultDescription(vars: Pick<ExprVars, 'alert' | 'flow' | 'execution'>, runUrl?: string): string {
  const { alert } = vars;
  const labels = Object.entries(alert.labels).map(([name, value]) => `${name}=${value}`);
  const lines = [
    alert.summary || alert.name,
    ...(alert.description ? ['', alert.description] : []),
    '',
    `Alert: ${alert.name} (${alert.status}, severity ${alert.severity})`,
    ...(alert.startsAt ? [`Started: ${alert.startsAt}`] : []),
    ...(labels.length > 0 ? [`Labels: ${labels.join(', ')}`] : []),
    ...(isWebLink(alert.links.runbook) ? [`Runbook: ${alert.links.runbook}`] : []),
    ...(isWebLink(alert.links.dashboard) ? [`Dashboard: ${alert.links.dashboard}`] : []),
    '',
    runUrl ? `Salve run: ${runUrl}` : `Salve execution ${vars.execution.id} of flow ${vars.flow.id}`,
  ];
  return lines.join('\n');
}

/**
 * The issue a step files, from its config (templates rendered) and, for what the config leaves
 * out, the run's alert. The summary is one line (Jira refuses line breaks in it); a summary that
 * rendered empty falls back to the default, so the issue is still filed. Salve's own label comes
 * last, after the config's (spaces replaced, empty ones left out, no repeats).
 */
export function issueRequest(
  config: Pick<Resolved<JiraNotifyConfig>, 'project' | 'issueType' | 'summary' | 'description' | 'labels' | 'priority' | 'apiVersion'>,
  vars: Pick<ExprVars, 'alert' | 'flow' | 'execution'>,
  at: { label: string; runUrl?: string | undefined },
): JiraIssueRequest {
  const { alert } = vars;
  const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const fallback = alert.summary ? `${alert.name}: ${alert.summary}` : alert.name;
  const summary = truncate(oneLine(config.summary ?? '') || oneLine(fallback) || 'Salve', SUMMARY_MAX);
  const text = truncate(config.description?.trim() || defaultDescription(vars, at.runUrl), DESCRIPTION_MAX);
  const labels = [...new Set([...config.labels.map(jiraLabel).filter((l) => l !== ''), at.label])];
  return {
    fields: {
      project: { key: config.project },
      issuetype: { name: config.issueType },
      summary,
      description: config.apiVersion === '3' ? adfOf(text) : text,
      labels,
      ...(config.priority ? { priority: { name: config.priority } } : {}),
    },
  };
}
