import { truncate } from '../../../shared/text.js';
import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { callJsonApi, isCallFailure, type JsonAnswer } from '../../json-api.js';
import { jiraNotify, type JiraNotifyConfig } from './definition.js';
import { issueRequest, stepLabel } from './issue.js';
import type { JiraOutput } from './output.js';

type Config = Resolved<JiraNotifyConfig>;

/** `Authorization`: Cloud takes basic (email:API token), Data Center a personal access token as bearer. */
function authorization(auth: Config['auth']): string {
  return auth.type === 'basic' ? `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`, 'utf8').toString('base64')}` : `Bearer ${auth.token}`;
}

/**
 * Jira's words for a refusal: `{ errorMessages: [...], errors: { field: message } }`, the field
 * objections named. A body that is not Jira's JSON (a proxy's page) is quoted when it is short text.
 */
function jiraWords(answer: JsonAnswer): { text: string; fields?: Record<string, string> } {
  const json = (answer.json && typeof answer.json === 'object' ? answer.json : {}) as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const messages = Array.isArray(json.errorMessages) ? json.errorMessages.filter((m): m is string => typeof m === 'string' && m !== '').slice(0, 10) : [];
  if (typeof json.message === 'string' && json.message !== '') messages.push(json.message);
  const fields: Record<string, string> = {};
  if (json.errors && typeof json.errors === 'object' && !Array.isArray(json.errors)) {
    for (const [field, message] of Object.entries(json.errors).slice(0, 20)) {
      if (typeof message === 'string') fields[truncate(field, 100)] = truncate(message, 500);
    }
  }
  const parts = [...messages.map((m) => truncate(m, 500)), ...Object.entries(fields).map(([field, message]) => `${field}: ${message}`)];
  if (parts.length === 0 && answer.json === undefined && answer.text.trim() !== '' && !/^\s*</.test(answer.text)) parts.push(truncate(answer.text.trim(), 300));
  return { text: parts.join('; '), ...(Object.keys(fields).length > 0 ? { fields } : {}) };
}

/** What a status means, besides Jira's words: where to look. */
function hintOf(status: number, config: Config): string | undefined {
  if (status === 401) return config.auth.type === 'basic' ? 'check the email and the API token' : 'check the personal access token';
  if (status === 403) return `may the account create ${config.issueType} issues in project ${config.project}?`;
  if (status === 404) return `is ${config.url} the Jira site${config.apiVersion === '3' ? ', with API v3 (Data Center has only 2)' : ''}?`;
  return undefined;
}

/** A search's answer: `issues[0].key` (both the classic search and the enhanced /search/jql answer so). */
function firstKey(answer: JsonAnswer): string | undefined {
  const issues = (answer.json as { issues?: unknown } | undefined)?.issues;
  const key = Array.isArray(issues) ? (issues[0] as { key?: unknown } | undefined)?.key : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * The issue an earlier try of this step created, found by the step's label; `{ problem }` when
 * the search could not be made. API v3 is Jira Cloud's, whose search is `/search/jql` (the
 * classic `/search` is gone there). API v2 is Data Center's `/search`, or on Jira Cloud (which
 * answers 404 or 410 there) `/rest/api/2/search/jql`.
 */
async function findOwn(config: Config, ctx: ExecContext, label: string, headers: Record<string, string>): Promise<{ key?: string; problem?: string }> {
  const paths = config.apiVersion === '3' ? ['/rest/api/3/search/jql'] : ['/rest/api/2/search', '/rest/api/2/search/jql'];
  // Bounded by the project (Cloud refuses unbounded JQL); the key and label are [A-Z0-9_-] only.
  const jql = `project = "${config.project}" AND labels = "${label}"`;
  try {
    for (const [i, path] of paths.entries()) {
      const url = serviceEndpoint(config.url, path);
      url.searchParams.set('jql', jql);
      url.searchParams.set('maxResults', '1');
      url.searchParams.set('fields', 'key');
      const answer = await callJsonApi(ctx, { method: 'GET', url, headers, timeoutSeconds: config.timeoutSeconds });
      if ((answer.status === 404 || answer.status === 410) && i < paths.length - 1) continue;
      if (answer.status !== 200) {
        const words = jiraWords(answer).text;
        return { problem: `Jira's search answered ${answer.status}${words ? `: ${words}` : ''}` };
      }
      const key = firstKey(answer);
      return key ? { key } : {};
    }
    return {};
  } catch (error) {
    if (isCallFailure(error)) return { problem: error.message };
    throw error;
  }
}

/**
 * Runs `notify.jira`: one `POST <url>/rest/api/<v>/issue` through the destination policy (which
 * checks the host, and that the token may go there). Jira's 201 goes to `ok` with the issue's
 * key and link; a refusal (Jira's words, the fields named), a timeout or a network error to
 * `error`. A retried step first looks for the issue its earlier try created, by its label.
 */
export const executeJiraNotify = defineExecutor(jiraNotify, async (config, ctx): Promise<StepOutcome<JiraOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const label = stepLabel(ctx.idempotencyKey);
  const headers = { Authorization: authorization(config.auth) };
  const browse = (key: string) => serviceEndpoint(config.url, `/browse/${encodeURIComponent(key)}`).href;
  const failed = (message: string, status: number | null, fields?: Record<string, string>) =>
    ({
      type: 'fail',
      port: 'error',
      error: message,
      output: { issueKey: null, issueUrl: null, status, message, ...(fields ? { fields } : {}), label, durationMs: elapsed() },
    }) as const;

  let lookupProblem: string | undefined;
  if (ctx.attempt > 1) {
    const own = await findOwn(config, ctx, label, headers);
    if (own.key) {
      const message = `kept ${own.key}, created by an earlier try of this step`;
      return { type: 'next', port: 'ok', output: { issueKey: own.key, issueUrl: browse(own.key), status: 200, message, label, reused: true, durationMs: elapsed() } };
    }
    lookupProblem = own.problem;
  }

  const body = issueRequest(config, ctx.vars, { label, runUrl: ctx.runUrl });
  const url = serviceEndpoint(config.url, `/rest/api/${config.apiVersion}/issue`);
  try {
    const answer = await callJsonApi(ctx, { method: 'POST', url, headers, body, timeoutSeconds: config.timeoutSeconds });
    const key = (answer.json as { key?: unknown } | undefined)?.key;
    if (answer.status >= 200 && answer.status < 300 && typeof key === 'string' && key !== '') {
      // A duplicate is the lesser harm than no issue: say the search failed, but file it.
      const message = `created ${key}${lookupProblem ? ` (could not look for an issue from an earlier try: ${lookupProblem})` : ''}`;
      return { type: 'next', port: 'ok', output: { issueKey: key, issueUrl: browse(key), status: answer.status, message, label, durationMs: elapsed() } };
    }
    const words = jiraWords(answer);
    const why = answer.status === 429 ? 'rate limited by Jira (429); try again later' : `Jira answered ${answer.status}`;
    const hint = hintOf(answer.status, config);
    const detail = answer.status < 300 ? 'no issue key in its answer' : words.text || 'no reason given';
    return failed(`${why}: ${detail}${hint ? ` (${hint})` : ''}`, answer.status, words.fields);
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message, null);
    throw error;
  }
});
