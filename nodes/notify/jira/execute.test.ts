import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { startTarget, type ReceivedRequest, type Target } from '../../../test/kit/target.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { jiraNotify, JiraNotifyConfigSchema, type JiraNotifyConfig } from './definition.js';
import { executeJiraNotify } from './execute.js';
import type { JiraOutput } from './output.js';

/**
 * A loopback stand-in for Jira's REST API (there is no Jira to run in a test). It answers the
 * way Atlassian documents: `POST /rest/api/{2,3}/issue` → 201 `{ id, key, self }`, or 400
 * `{ errorMessages, errors: { field: message } }` for fields it refuses; the search by JQL
 * (`/rest/api/3/search/jql` on Cloud, `/rest/api/2/search` on Data Center, the latter 410 Gone
 * on Cloud) → `{ issues: [{ id, key }] }`. It serves the REST API both at the root (Cloud) and
 * under `/jira` (a Data Center context path), and keeps the issues it created with their labels.
 */
const API_TOKEN = 'ATATT3xFfGF0-api-token-value';
const PAT = 'NjQ2OTk0-personal-access-token';
const EMAIL = 'ops@example.com';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`;
const RUN_URL = 'https://salve.example/#/runs/ex_test';

interface Issue {
  key: string;
  labels: string[];
}
let issues: Issue[] = [];
/** `cloud`: the classic /rest/api/2/search answers 410 Gone, as on Jira Cloud since 2025. */
let flavour: 'cloud' | 'datacenter' = 'cloud';
/** An answer the stand-in gives to every request instead (Jira down, rate limiting, a proxy…). */
let forced: { status: number; body: string; only?: 'search' } | undefined;
let hang: Promise<void> | undefined;

const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });

function answer(req: ReceivedRequest): { status: number; body?: string } | Promise<{ status: number; body?: string }> {
  const url = new URL(req.url, 'http://jira');
  const path = url.pathname.replace(/^\/jira(?=\/rest\/)/, '');
  const isSearch = path.includes('/search');
  if (hang) return hang.then(() => json(503, {}));
  if (forced && (!forced.only || isSearch)) return { status: forced.status, body: forced.body };
  if (req.headers.authorization !== BASIC && req.headers.authorization !== `Bearer ${PAT}`) {
    return json(401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'] });
  }
  if (req.method === 'POST' && (path === '/rest/api/3/issue' || path === '/rest/api/2/issue')) {
    const { fields } = JSON.parse(req.body) as { fields: { project: { key: string }; priority?: { name: string }; labels: string[]; summary: string } };
    const errors: Record<string, string> = {};
    if (fields.project.key !== 'OPS') errors.project = 'valid project is required';
    if (fields.priority && fields.priority.name !== 'High') errors.priority = `Priority name '${fields.priority.name}' is not valid`;
    if (Object.keys(errors).length > 0) return json(400, { errorMessages: [], errors });
    const id = String(10_000 + issues.length);
    const key = `OPS-${issues.length + 1}`;
    issues.push({ key, labels: fields.labels });
    return json(201, { id, key, self: `http://jira${path}/${id}` });
  }
  if (req.method === 'GET' && (path === '/rest/api/3/search/jql' || path === '/rest/api/2/search/jql' || path === '/rest/api/2/search')) {
    if (path === '/rest/api/2/search' && flavour === 'cloud') {
      return json(410, { errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'] });
    }
    if (path.endsWith('/search/jql') && flavour === 'datacenter') return { status: 404, body: '<html><body>Not found</body></html>' };
    const label = /labels = "([^"]+)"/.exec(url.searchParams.get('jql') ?? '')?.[1];
    const found = issues.filter((i) => label !== undefined && i.labels.includes(label)).slice(0, Number(url.searchParams.get('maxResults') ?? 50));
    const page = found.map((i) => ({ id: i.key.replace('OPS-', '1000'), key: i.key }));
    return json(200, path === '/rest/api/2/search' ? { startAt: 0, maxResults: 1, total: found.length, issues: page } : { issues: page, isLast: true });
  }
  return { status: 404, body: '<html><body>Oops, you&#39;ve found a dead link.</body></html>' };
}

let jira: Target;
beforeAll(async () => {
  jira = await startTarget(answer);
});
afterAll(async () => {
  await jira.close();
});
beforeEach(() => {
  issues = [];
  flavour = 'cloud';
  forced = undefined;
  jira.requests.length = 0;
});

const CLOUD_AUTH = { type: 'basic', email: EMAIL, apiToken: { secret: 'JIRA_API_TOKEN' } };
const DC_AUTH = { type: 'bearer', token: { secret: 'JIRA_PAT' } };

/**
 * Runs one step as the runner would: the config parsed, its templates rendered against the run,
 * the token resolved (written straight in), through a destination policy allowing the stand-in.
 */
async function step(
  input: Record<string, unknown> = {},
  options: { attempt?: number; idempotencyKey?: string; allowed?: string[]; tokenHosts?: string[]; runUrl?: string | null; token?: string } = {},
) {
  const secret = (input.auth as { type?: string } | undefined)?.type === 'bearer' ? 'JIRA_PAT' : 'JIRA_API_TOKEN';
  const policy = new DestinationPolicy({
    allowedTargets: options.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_<NAME>_HOSTS: where the token may be sent.
    secretHosts: (name) => (name === secret ? (options.tokenHosts ?? ['127.0.0.1']) : undefined),
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const ctx: ExecContext = testContext({
    attempt: options.attempt ?? 1,
    idempotencyKey: options.idempotencyKey ?? 'ex_test:file_jira_issue',
    ...(options.runUrl === null ? {} : { runUrl: options.runUrl ?? RUN_URL }),
    secrets: [{ name: secret, path: ['auth', secret === 'JIRA_PAT' ? 'token' : 'apiToken'] }],
    network: policy.forStep({ secrets: [secret] }),
  });
  const parsed = JiraNotifyConfigSchema.parse({ url: jira.url, auth: CLOUD_AUTH, project: 'OPS', ...input });
  const rendered = renderConfig(parsed, jiraNotify.expressions(parsed), ctx.vars).value as Resolved<JiraNotifyConfig>;
  const auth =
    rendered.auth.type === 'basic' ? { ...rendered.auth, apiToken: options.token ?? API_TOKEN } : { ...rendered.auth, token: options.token ?? PAT };
  const outcome = await executeJiraNotify({ ...rendered, auth }, ctx);
  return { outcome, output: (outcome as { output: JiraOutput }).output };
}

const labelOf = (key: string) => `salve-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
const LABEL = labelOf('ex_test:file_jira_issue');
const paragraph = (text: string) => ({ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] });
/** The default description of testAlert() in a run with RUN_URL, line by line. */
const DEFAULT_LINES = [
  'Disk almost full on db1',
  '',
  'Alert: DiskFull (firing, severity critical)',
  'Started: 2026-11-24T01:00:00.000Z',
  'Labels: alertname=DiskFull, instance=db1:9100, service=postgresql, severity=critical',
  '',
  `Salve run: ${RUN_URL}`,
];

describe('notify.jira against a stand-in Jira', () => {
  it('creates the issue on Jira Cloud (API v3): basic auth, the description in Atlassian Document Format, the step’s label', async () => {
    const { outcome, output } = await step();
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(output).toEqual({ issueKey: 'OPS-1', issueUrl: `${jira.url}/browse/OPS-1`, status: 201, message: 'created OPS-1', label: LABEL, durationMs: expect.any(Number) });
    expect(LABEL).toMatch(/^salve-[0-9a-f]{12}$/);

    expect(jira.requests).toHaveLength(1);
    const [sent] = jira.requests;
    expect(sent).toMatchObject({ method: 'POST', url: '/rest/api/3/issue' });
    expect(sent!.headers).toMatchObject({ authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' });
    expect(JSON.parse(sent!.body)).toEqual({
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Task' },
        summary: 'DiskFull: Disk almost full on db1',
        description: { version: 1, type: 'doc', content: DEFAULT_LINES.map(paragraph) },
        labels: [LABEL],
      },
    });
    // The token never reaches the output.
    expect(JSON.stringify(outcome)).not.toContain(API_TOKEN);
  });

  it('creates it on Data Center (API v2) under a context path: bearer token, plain text, templates rendered, labels without spaces', async () => {
    const { outcome, output } = await step({
      url: `${jira.url}/jira/`,
      auth: DC_AUTH,
      apiVersion: '2',
      issueType: 'Incident',
      priority: 'High',
      summary: `{{ alert.labels.service }} on {{ alert.labels.instance }}:\n{{ alert.summary }} ${'x'.repeat(300)}`,
      description: 'Disk full on {{ alert.labels.instance }}.\nSee {{ alert.labels.service }}.',
      labels: ['team {{ alert.labels.service }}', 'auto  remediation', '{{ alert.description }}', LABEL],
    });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { issueKey: 'OPS-1', issueUrl: `${jira.url}/jira/browse/OPS-1`, status: 201 } });
    expect(output.label).toBe(LABEL);
    const [sent] = jira.requests;
    expect(sent).toMatchObject({ method: 'POST', url: '/jira/rest/api/2/issue' });
    expect(sent!.headers.authorization).toBe(`Bearer ${PAT}`);
    const body = JSON.parse(sent!.body) as { fields: Record<string, unknown> };
    const summary = body.fields.summary as string;
    // One line (Jira refuses line breaks in a summary), cut at Jira's 255 characters.
    expect(summary).toHaveLength(255);
    expect(summary.startsWith('postgresql on db1:9100: Disk almost full on db1 xxx')).toBe(true);
    expect(summary.endsWith('x…')).toBe(true);
    expect(body.fields).toEqual({
      project: { key: 'OPS' },
      issuetype: { name: 'Incident' },
      summary,
      description: 'Disk full on db1:9100.\nSee postgresql.',
      // Spaces become '-', an empty label is left out, Salve's label is not repeated.
      labels: ['team-postgresql', 'auto-remediation', LABEL],
      priority: { name: 'High' },
    });
    expect(JSON.stringify(outcome)).not.toContain(PAT);
  });

  it('describes the run by its execution when Salve does not know its public address', async () => {
    await step({ apiVersion: '2' }, { runUrl: null });
    const description = (JSON.parse(jira.requests[0]!.body) as { fields: { description: string } }).fields.description;
    expect(description.split('\n').at(-1)).toBe('Salve execution ex_test of flow disk-full');
  });

  it('puts Jira’s own words in the output when it refuses the issue, naming the fields', async () => {
    const { outcome, output } = await step({ project: 'NOPE', priority: 'Urgent' });
    expect(outcome).toMatchObject({
      type: 'fail',
      port: 'error',
      error: "Jira answered 400: project: valid project is required; priority: Priority name 'Urgent' is not valid",
    });
    expect(output).toMatchObject({
      issueKey: null,
      issueUrl: null,
      status: 400,
      fields: { project: 'valid project is required', priority: "Priority name 'Urgent' is not valid" },
    });
  });

  it('says what a refused token, a forbidden project, a wrong URL, rate limiting and a failing Jira mean', async () => {
    const wrongToken = await step({}, { token: 'not-the-token' });
    expect(wrongToken.outcome).toMatchObject({
      type: 'fail',
      port: 'error',
      error: 'Jira answered 401: You are not authenticated. Authentication required to perform this operation. (check the email and the API token)',
      output: { status: 401, issueKey: null },
    });
    expect(JSON.stringify(wrongToken.outcome)).not.toContain('not-the-token');
    const wrongPat = await step({ auth: DC_AUTH }, { token: 'stale' });
    expect((wrongPat.outcome as { error: string }).error).toMatch(/\(check the personal access token\)$/);

    forced = json(403, { errorMessages: ['You do not have permission to create issues in this project.'] });
    expect((await step()).outcome).toMatchObject({
      error: 'Jira answered 403: You do not have permission to create issues in this project. (may the account create Task issues in project OPS?)',
      output: { status: 403 },
    });

    // A URL that is not Jira: its HTML page is left out of the message.
    forced = undefined;
    const notJira = await step({ url: `${jira.url}/wiki` });
    expect(notJira.outcome).toMatchObject({
      type: 'fail',
      error: `Jira answered 404: no reason given (is ${jira.url}/wiki the Jira site, with API v3 (Data Center has only 2)?)`,
      output: { status: 404 },
    });

    forced = { status: 429, body: '' };
    expect((await step()).outcome).toMatchObject({ type: 'fail', port: 'error', error: 'rate limited by Jira (429); try again later: no reason given', output: { status: 429 } });

    forced = json(503, { message: 'Service Unavailable' });
    expect((await step()).outcome).toMatchObject({ type: 'fail', port: 'error', error: 'Jira answered 503: Service Unavailable', output: { status: 503 } });
    expect(issues).toHaveLength(0);
  });

  it('fails when Jira says it created something but names no issue', async () => {
    forced = json(201, {});
    expect((await step()).outcome).toMatchObject({ type: 'fail', port: 'error', error: 'Jira answered 201: no issue key in its answer', output: { status: 201, issueKey: null } });
  });
});

describe('notify.jira retried after a crash', () => {
  it('finds the issue its first try created by its label (Cloud: /rest/api/3/search/jql) and creates no second one', async () => {
    const first = await step();
    expect(first.output.issueKey).toBe('OPS-1');
    jira.requests.length = 0;

    const retried = await step({}, { attempt: 2 });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(retried.output).toEqual({
      issueKey: 'OPS-1',
      issueUrl: `${jira.url}/browse/OPS-1`,
      status: 200,
      message: 'kept OPS-1, created by an earlier try of this step',
      label: LABEL,
      reused: true,
      durationMs: expect.any(Number),
    });
    expect(jira.requests).toHaveLength(1);
    const [search] = jira.requests;
    expect(search!.method).toBe('GET');
    expect(search!.headers.authorization).toBe(BASIC);
    const url = new URL(search!.url, 'http://jira');
    expect(url.pathname).toBe('/rest/api/3/search/jql');
    expect(Object.fromEntries(url.searchParams)).toEqual({ jql: `project = "OPS" AND labels = "${LABEL}"`, maxResults: '1', fields: 'key' });
    expect(issues).toHaveLength(1);
  });

  it('creates the issue when the search finds none (another step’s issue does not count); a first try never searches', async () => {
    await step({}, { idempotencyKey: 'ex_other:file_jira_issue' });
    jira.requests.length = 0;
    const retried = await step({}, { attempt: 3 });
    expect(retried.output).toMatchObject({ issueKey: 'OPS-2', status: 201, message: 'created OPS-2', label: LABEL });
    expect(retried.output.reused).toBeUndefined();
    expect(jira.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual(['GET /rest/api/3/search/jql', 'POST /rest/api/3/issue']);

    jira.requests.length = 0;
    await step({}, { idempotencyKey: 'ex_third:file_jira_issue' });
    expect(jira.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('searches Data Center’s /rest/api/2/search with API v2, and /rest/api/2/search/jql where Jira Cloud answers 410', async () => {
    flavour = 'datacenter';
    await step({ url: `${jira.url}/jira`, auth: DC_AUTH, apiVersion: '2' });
    jira.requests.length = 0;
    const onDataCenter = await step({ url: `${jira.url}/jira`, auth: DC_AUTH, apiVersion: '2' }, { attempt: 2 });
    expect(onDataCenter.output).toMatchObject({ issueKey: 'OPS-1', issueUrl: `${jira.url}/jira/browse/OPS-1`, reused: true });
    expect(jira.requests.map((r) => r.url.split('?')[0])).toEqual(['/jira/rest/api/2/search']);

    flavour = 'cloud';
    jira.requests.length = 0;
    const onCloud = await step({ apiVersion: '2' }, { attempt: 2 });
    expect(onCloud.output).toMatchObject({ issueKey: 'OPS-1', reused: true });
    expect(jira.requests.map((r) => r.url.split('?')[0])).toEqual(['/rest/api/2/search', '/rest/api/2/search/jql']);
    expect(new URL(jira.requests[1]!.url, 'http://jira').searchParams.get('jql')).toBe(`project = "OPS" AND labels = "${LABEL}"`);
    expect(issues).toHaveLength(1);
  });

  it('still files the issue when the search fails, and says so', async () => {
    forced = { ...json(500, { errorMessages: ['Internal server error'] }), only: 'search' };
    const retried = await step({}, { attempt: 2 });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(retried.output.message).toBe('created OPS-1 (could not look for an issue from an earlier try: Jira\'s search answered 500: Internal server error)');
  });
});

describe('notify.jira when Jira cannot be reached', () => {
  it('sends nothing where the destination policy forbids the host, nor where the token may not go', async () => {
    const forbidden = await step({}, { allowed: [] });
    expect(forbidden.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, issueKey: null } });
    expect((forbidden.outcome as { error: string }).error).toContain('127.0.0.1');
    // The token is bound to the real Jira site: this host may not receive it.
    const tokenBound = await step({}, { tokenHosts: ['example.atlassian.net'] });
    expect(tokenBound.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect((tokenBound.outcome as { error: string }).error).toContain('secret JIRA_API_TOKEN may not be sent');
    expect(jira.requests).toHaveLength(0);
  });

  it('gives up at its timeout when Jira does not answer', async () => {
    let release!: () => void;
    hang = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const { outcome } = await step({ timeoutSeconds: 1 });
      expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, issueKey: null } });
      expect((outcome as { error: string }).error).toMatch(/timed out after 1 s/);
    } finally {
      release();
      hang = undefined;
    }
  });

  it('reports a refused connection', async () => {
    const gone = await startTarget();
    await gone.close();
    const { outcome } = await step({ url: gone.url });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect((outcome as { error: string }).error).toMatch(/ECONNREFUSED|refused/i);
  });
});

// The default description carries what the alert links to when those are web links.
describe('the default description', () => {
  it('lists the alert’s description and its runbook and dashboard links (web links only)', async () => {
    const links = { runbook: 'https://wiki.example/disk', dashboard: 'javascript:alert(1)' };
    const policy = new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: () => ['127.0.0.1'], resolver: async () => [] });
    const ctx = testContext({
      network: policy.forStep({ secrets: ['JIRA_PAT'] }),
      vars: { alert: testAlert({ description: 'Two lines\nof description', links }) },
    });
    const config = { ...JiraNotifyConfigSchema.parse({ url: jira.url, auth: DC_AUTH, project: 'OPS', apiVersion: '2' }), auth: { type: 'bearer' as const, token: PAT } };
    await executeJiraNotify(config, ctx);
    const description = (JSON.parse(jira.requests[0]!.body) as { fields: { description: string } }).fields.description;
    expect(description.split('\n')).toEqual([
      'Disk almost full on db1',
      '',
      'Two lines',
      'of description',
      '',
      'Alert: DiskFull (firing, severity critical)',
      'Started: 2026-11-24T01:00:00.000Z',
      'Labels: alertname=DiskFull, instance=db1:9100, service=postgresql, severity=critical',
      'Runbook: https://wiki.example/disk',
      '',
      'Salve execution ex_test of flow disk-full',
    ]);
  });
});
