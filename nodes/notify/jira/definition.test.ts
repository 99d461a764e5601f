import { describe, expect, it } from 'vitest';
import { jiraNotify, JiraNotifyConfigSchema } from './definition.js';

const CLOUD = { url: 'https://example.atlassian.net', auth: { type: 'basic', email: 'ops@example.com', apiToken: { secret: 'JIRA_API_TOKEN' } }, project: 'OPS' };
const DATA_CENTER = { url: 'https://jira.example.com/jira', auth: { type: 'bearer', token: { secret: 'JIRA_PAT' } }, project: 'OPS_2', apiVersion: '2' };

const messages = (input: unknown) => {
  const parsed = JiraNotifyConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('notify.jira config', () => {
  it('takes a Cloud site with email and API token, and a Data Center URL with a path and a personal access token', () => {
    expect(JiraNotifyConfigSchema.parse(CLOUD)).toEqual({ ...CLOUD, issueType: 'Task', labels: [], apiVersion: '3', timeoutSeconds: 10 });
    expect(messages(DATA_CENTER)).toEqual([]);
    expect(messages({ ...CLOUD, summary: '{{ alert.name }}', description: 'On {{ alert.labels.instance }}', labels: ['team {{ alert.labels.team }}'], priority: 'High', issueType: 'Bug' })).toEqual([]);
  });

  it('refuses a URL an alert could choose, or one with credentials or a query', () => {
    expect(messages({ ...CLOUD, url: 'https://{{ alert.labels.jira }}' })[0]).toMatch(/^url: must be written out/);
    expect(messages({ ...CLOUD, url: 'https://ops:pw@example.atlassian.net' })[0]).toMatch(/^url: must not carry credentials/);
    expect(messages({ ...CLOUD, url: 'https://example.atlassian.net/?x=1' })[0]).toMatch(/^url: must have no query/);
    expect(messages({ ...CLOUD, url: undefined })[0]).toMatch(/^url: url is required, e\.g\. https:\/\/example\.atlassian\.net/);
  });

  it('takes tokens only as secrets, and names what is wrong with auth', () => {
    expect(messages({ ...CLOUD, auth: { type: 'basic', email: 'ops@example.com', apiToken: 'ATATT3x-plain' } })).toEqual([
      'auth.apiToken: must be a secret reference, e.g. {"secret":"JIRA_API_TOKEN"}: a token is never written in a flow',
    ]);
    expect(messages({ ...CLOUD, auth: { type: 'bearer', token: 'NjQ2-plain' } })).toEqual([
      'auth.token: must be a secret reference, e.g. {"secret":"JIRA_PAT"}: a token is never written in a flow',
    ]);
    expect(messages({ ...CLOUD, auth: undefined })[0]).toMatch(/^auth: auth is required, e\.g\. \{"type":"basic"/);
    expect(messages({ ...CLOUD, auth: { type: 'oauth' } })).toEqual([
      'auth.type: must be basic (Jira Cloud: email and API token) or bearer (Jira Data Center: personal access token)',
    ]);
    expect(messages({ ...CLOUD, auth: { type: 'basic', apiToken: { secret: 'JIRA_API_TOKEN' } } })).toEqual([
      'auth.email: email is required: the Atlassian account the API token belongs to',
    ]);
    expect(messages({ ...CLOUD, auth: { ...CLOUD.auth, email: '{{ alert.labels.owner }}' } })[0]).toBe('auth.email: must be written out (no templates)');
    expect(messages({ ...CLOUD, auth: { ...CLOUD.auth, email: 'ops' } })[0]).toBe('auth.email: must be the email address of the Atlassian account the API token belongs to');
  });

  it('takes a project key as Jira writes them, written out', () => {
    const keyProblem = 'project: must be a Jira project key: a capital letter then 1–9 capitals, digits or _, e.g. OPS';
    for (const project of ['ops', 'O', '1OPS', 'OPS-1', 'ABCDEFGHIJK', '{{ alert.labels.project }}']) expect(messages({ ...CLOUD, project }), project).toEqual([keyProblem]);
    expect(messages({ ...CLOUD, project: 'AB' })).toEqual([]);
    expect(messages({ ...CLOUD, project: 'ABCDEFGHIJ' })).toEqual([]);
    expect(messages({ ...CLOUD, project: undefined })).toEqual(['project: project is required: the project key, e.g. OPS']);
  });

  it('names the field: a templated issue type or priority, an unknown API version, too many labels, an empty one, a timeout out of range', () => {
    expect(messages({ ...CLOUD, issueType: '{{ alert.labels.type }}' })).toEqual(['issueType: must be written out (no templates)']);
    expect(messages({ ...CLOUD, priority: '{{ alert.severity }}' })).toEqual(['priority: must be written out (no templates)']);
    expect(messages({ ...CLOUD, apiVersion: '4' })).toEqual(['apiVersion: must be "3" (Jira Cloud) or "2" (Jira Data Center)']);
    expect(messages({ ...CLOUD, apiVersion: 3 })).toEqual(['apiVersion: must be "3" (Jira Cloud) or "2" (Jira Data Center)']);
    expect(messages({ ...CLOUD, labels: Array.from({ length: 21 }, (_, i) => `l${i}`) })).toEqual(['labels: at most 20 labels']);
    expect(messages({ ...CLOUD, labels: ['ok', ' '] })).toEqual(['labels.1: must not be empty']);
    expect(messages({ ...CLOUD, summary: '' })).toEqual(['summary: must not be empty']);
    expect(messages({ ...CLOUD, timeoutSeconds: 0 })).toEqual(['timeoutSeconds: must be between 1 and 120 seconds']);
    expect(messages({ ...CLOUD, assignee: 'me' })[0]).toMatch(/^: Unrecognized key/);
  });
});

describe('the notify.jira definition', () => {
  it('lists the templates in summary, description and labels (where and as whom are written out: the schema refuses templates there)', () => {
    const config = JiraNotifyConfigSchema.parse({ ...CLOUD, summary: '{{ alert.name }}', description: 'd {{ alert.summary }}', labels: ['plain', 'team-{{ alert.labels.team }}'] });
    expect(jiraNotify.expressions(config).map((e) => [e.path.join('.'), e.kind])).toEqual([
      ['summary', 'template'],
      ['description', 'template'],
      ['labels.1', 'template'],
    ]);
  });

  it('says on the canvas and in approvals where the issue goes', () => {
    const config = JiraNotifyConfigSchema.parse({ ...DATA_CENTER, issueType: 'Incident', summary: 'Disk full on db1' });
    expect(jiraNotify.summary(config)).toBe('OPS_2 · Incident · https://jira.example.com/jira');
    expect(jiraNotify.commandLine!(config)).toBe('create Jira Incident in OPS_2 at https://jira.example.com/jira: Disk full on db1');
    expect(jiraNotify.idempotent).toBe(true);
  });
});
