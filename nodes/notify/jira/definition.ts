import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema, serviceUrlSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { JiraOutputSchema, presentJiraOutput } from './output.js';

/** A Jira project key as Jira's default key format allows it: a capital letter, then 1–9 capitals, digits or _. */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]{1,9}$/;

/** A value the config writes out: who Salve signs in as and what it files must not come from an alert. */
const writtenOut = (v: string) => !v.includes('{{');

/** A token field: a secret reference only (a token is never written in a flow), said so when it is not one. */
const secretOnly = (example: string) =>
  z.strictObject(SecretRefSchema.shape, {
    error: (issue) => (issue.code === 'invalid_type' ? `must be a secret reference, e.g. {"secret":"${example}"}: a token is never written in a flow` : undefined),
  });

/**
 * How the step signs in. Jira Cloud: an Atlassian account's email and an API token (HTTP basic).
 * Jira Data Center: a personal access token (bearer). The token is a secret only.
 */
const JiraAuthSchema = z.discriminatedUnion(
  'type',
  [
    z
      .strictObject({
        type: z.literal('basic'),
        /** The Atlassian account the API token belongs to; written out. */
        email: z
          .string({ error: 'email is required: the Atlassian account the API token belongs to' })
          .trim()
          .max(254)
          .refine(writtenOut, 'must be written out (no templates)')
          .refine((v) => /^[^\s@:]+@[^\s@:]+$/.test(v), 'must be the email address of the Atlassian account the API token belongs to'),
        apiToken: secretOnly('JIRA_API_TOKEN'),
      })
      .describe('basic: Jira Cloud, with an Atlassian account’s email and API token.'),
    z
      .strictObject({
        type: z.literal('bearer'),
        /** A Data Center personal access token. */
        token: secretOnly('JIRA_PAT'),
      })
      .describe('bearer: Jira Data Center, with a personal access token.'),
  ],
  {
    error: (issue) => {
      if (issue.input === null || typeof issue.input !== 'object') {
        return 'auth is required, e.g. {"type":"basic","email":"ops@example.com","apiToken":{"secret":"JIRA_API_TOKEN"}} (Cloud) or {"type":"bearer","token":{"secret":"JIRA_PAT"}} (Data Center)';
      }
      if (issue.code === 'invalid_union') return 'must be basic (Jira Cloud: email and API token) or bearer (Jira Data Center: personal access token)';
      return undefined;
    },
  },
).describe('How the step signs in to Jira.');

export const JiraNotifyConfigSchema = z.strictObject({
  /** The Jira site (https://example.atlassian.net) or a Data Center base URL with its path; written out. */
  url: serviceUrlSchema('https://example.atlassian.net'),
  auth: JiraAuthSchema,
  /** The project's key, written out: an alert never chooses where its issue is filed. */
  project: z
    .string({ error: 'project is required: the project key, e.g. OPS' })
    .trim()
    .regex(PROJECT_KEY, 'must be a Jira project key: a capital letter then 1–9 capitals, digits or _, e.g. OPS'),
  /** The issue type's name as the project knows it. */
  issueType: z.string().trim().min(1, 'must not be empty').max(100).refine(writtenOut, 'must be written out (no templates)').default('Task'),
  /** Template. Default: `<alert name>: <alert summary>`. One line, cut at 255 characters (Jira's limit). */
  summary: z.string().trim().min(1, 'must not be empty').max(2000).optional(),
  /** Template. Default: the alert (summary, description, labels, start) and the run's link. */
  description: z.string().trim().min(1, 'must not be empty').max(16_384).optional(),
  /** Templates; Jira labels hold no spaces, so each space becomes `-`. A label empty once rendered is left out. */
  labels: z.array(z.string().trim().min(1, 'must not be empty').max(255)).max(20, 'at most 20 labels').default([]),
  /** The priority's name (e.g. High), written out; default: the project's default priority. */
  priority: z.string().trim().min(1, 'must not be empty').max(100).refine(writtenOut, 'must be written out (no templates)').optional(),
  /** 3 (Jira Cloud; the description in Atlassian Document Format) or 2 (Data Center, or Cloud; plain text). */
  apiVersion: z.enum(['2', '3'], { error: 'must be "3" (Jira Cloud) or "2" (Jira Data Center)' }).default('3'),
  timeoutSeconds: secondsSchema(1, 120).default(10),
});
export type JiraNotifyConfig = z.infer<typeof JiraNotifyConfigSchema>;

/** Files a Jira issue about the run's alert. */
export const jiraNotify = defineNodeType({
  type: 'notify.jira',
  category: 'action',
  label: 'Jira issue',
  defaultId: 'file_jira_issue',
  description: 'Creates a Jira issue (REST API v3 or v2) with the alert and a link to the run; a retry after a crash finds the issue it created instead of filing another.',
  icon: 'jira',
  configSchema: JiraNotifyConfigSchema,
  outputSchema: JiraOutputSchema,
  outputs: ['ok', 'error'],
  // Every issue carries a label derived from the step's key; a retried step searches for it and
  // keeps the issue its first try created.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ summary: config.summary, description: config.description, labels: config.labels }),
  summary: (config) => `${config.project} · ${config.issueType} · ${config.url}`,
  commandLine: (config) => `create Jira ${config.issueType} in ${config.project} at ${config.url}${config.summary ? `: ${truncate(config.summary, 80)}` : ''}`,
  present: presentJiraOutput,
  portHelp: {
    ok: 'Jira created the issue (201; its key and link are in the output), or a retry found the one an earlier try created',
    error: 'Jira refused it (400 with the fields it objects to, 401/403 credentials or permissions, 404, 429 rate limited for longer than the timeout: a Retry-After that fits is waited out, up to three tries, 5xx), a timeout, a refused destination or a network error',
  },
  notes: [
    'Posts one issue to `<url>/rest/api/<apiVersion>/issue`: project `project`, type `issueType`, the summary (default `<alert name>: <summary>`, on one line, cut at 255 characters), the description (default: the alert’s summary and description, its status, severity, labels and start, its runbook and dashboard links, and the run’s link when `SALVE_PUBLIC_ORIGIN` is set, else the execution id), `labels` and `priority`. The output has `issueKey` and `issueUrl` (`<url>/browse/<key>`) for later steps: `{{ steps.file_jira_issue.issueKey }}`.',
    '**API version.** `3` (default) is Jira Cloud’s: the description is sent in Atlassian Document Format, one paragraph per line of text. `2` takes it as plain text; Jira Data Center has only `2`. The URL may have a path (`https://jira.example.com/jira`).',
    '**Sign-in.** Jira Cloud: `auth: { "type": "basic", "email": "ops@example.com", "apiToken": { "secret": "JIRA_API_TOKEN" } }` (an API token of that Atlassian account). Data Center: `auth: { "type": "bearer", "token": { "secret": "JIRA_PAT" } }` (a personal access token). Set `SALVE_SECRET_<NAME>_HOSTS` to the Jira host: like every secret, the token is sent only there, and the host is checked by the destination policy as for HTTP requests. It is never stored in the output or shown in a message.',
    '**Labels.** Jira labels cannot hold spaces: each run of spaces in a rendered label becomes `-`. Salve adds one label of its own, `salve-<12 hex digits>`, derived from the step’s key (execution and node).',
    '**Retries.** After a crash the step is retried; before creating again it searches for an issue of the project with its `salve-…` label and keeps it (`reused: true`). The search is `GET /rest/api/3/search/jql` with apiVersion 3 (Jira Cloud removed `/rest/api/3/search`), and `GET /rest/api/2/search` with apiVersion 2 (Data Center’s), falling back to `/rest/api/2/search/jql` when Jira Cloud answers 404 or 410. When the search itself fails the step creates the issue anyway: a duplicate issue is a lesser harm than none. Jira Cloud’s search may take a few seconds to see a new issue.',
    'Jira’s refusals reach the output in its words: a 400 lists the fields it objects to (`fields` in the output, e.g. `priority: Priority name ‘Urgent’ is not valid`), a 401 means the token or email was refused, a 403 that the account may not create issues in the project, a 429 that Jira rate limited the step for longer than its timeout (a `Retry-After` that fits is waited out, up to three tries).',
  ],
  ui: {
    url: { widget: 'text', label: 'Jira URL', help: 'The site, e.g. https://example.atlassian.net, or a Data Center base URL with its path. Written out.' },
    'auth.type': { widget: 'select', label: 'Authentication', help: 'basic: Jira Cloud (email + API token); bearer: Jira Data Center (personal access token).' },
    'auth.email': { widget: 'text', label: 'Email', help: 'The Atlassian account the API token belongs to.' },
    'auth.apiToken': { widget: 'secret', label: 'API token', help: 'An API token of that account; set its _HOSTS to the Jira host.' },
    'auth.token': { widget: 'secret', label: 'Personal access token', help: 'A Data Center personal access token; set its _HOSTS to the Jira host.' },
    project: { widget: 'text', label: 'Project key', help: 'e.g. OPS' },
    issueType: { widget: 'text', label: 'Issue type', help: 'As the project names it: Task, Bug, Incident…' },
    summary: { widget: 'expression', language: 'template', help: 'One line, at most 255 characters. Default: the alert’s name and summary.' },
    description: { widget: 'expression', language: 'template', help: 'Default: the alert, its labels and the run’s link.' },
    labels: { widget: 'list', help: 'Templates; spaces become -. Salve adds its own salve-… label.', templates: true },
    priority: { widget: 'text', help: 'A priority name, e.g. High. Empty: the project’s default.' },
    apiVersion: { widget: 'select', label: 'API version', help: '3 for Jira Cloud; 2 for Jira Data Center.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
