import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { startTarget, type ReceivedRequest, type Target } from '../../../test/kit/target.js';
import type { Resolved } from '../../executor.js';
import { teamsNotify, TeamsNotifyConfigSchema, type TeamsNotifyConfig } from './definition.js';
import { executeTeamsNotify } from './execute.js';
import type { TeamsOutput } from './output.js';

/**
 * A loopback stand-in for a Teams workflow (“When a Teams webhook request is received”): there
 * is no Teams to run in a test. It answers the way Power Automate does: 202 for a message it
 * takes, 401 with Azure's `{ error: { code, message } }` for a wrong `sig`, 400 for a body the
 * trigger's schema refuses, 429 when throttled. `answer` overrides it for one test.
 */
const SECRET = 'TEAMS_WEBHOOK_URL';
const SIG = 'Zm9vYmFyLXNpZ25hdHVyZS0xMjM0NTY3ODkw';
const PATH = '/workflows/6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f/triggers/manual/paths/invoke';
const QUERY = `api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;

let target: Target;
let answer: ((req: ReceivedRequest) => { status: number; body?: string } | Promise<{ status: number; body?: string }>) | undefined;

function workflow(req: ReceivedRequest): { status: number; body?: string } {
  const url = new URL(req.url, 'http://stand-in');
  if (url.pathname !== PATH) return { status: 404, body: JSON.stringify({ error: { code: 'TriggerNotFound', message: 'The workflow trigger could not be found.' } }) };
  if (url.searchParams.get('sig') !== SIG) {
    return { status: 401, body: JSON.stringify({ error: { code: 'DirectApiInvalidAuthorizationSignature', message: 'The provided authorization signature is invalid.' } }) };
  }
  const body = JSON.parse(req.body) as { type?: string; attachments?: { contentType?: string }[] };
  if (body.type !== 'message' || body.attachments?.[0]?.contentType !== 'application/vnd.microsoft.card.adaptive') {
    return { status: 400, body: JSON.stringify({ error: { code: 'TriggerInputSchemaMismatch', message: "The input body for trigger 'manual' of type 'Request' did not match its schema definition." } }) };
  }
  return { status: 202, body: '' };
}

beforeAll(async () => {
  target = await startTarget((req) => (answer ?? workflow)(req));
});
afterAll(async () => {
  await target.close();
});
beforeEach(() => {
  answer = undefined;
});

const workflowUrl = (base = target.url, sig = SIG) => `${base}${PATH}?${QUERY.replace(SIG, sig)}`;

/**
 * One step as the runner makes it: the config parsed, its templates rendered and the secret
 * resolved to `url`, with a network that allows the loopback peer (and the secret there) unless
 * told otherwise.
 */
async function step(input: Record<string, unknown> = {}, opts: { url?: string; allowed?: string[]; secretHosts?: string[]; runUrl?: string; alert?: ReturnType<typeof testAlert> } = {}) {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_TEAMS_WEBHOOK_URL_HOSTS: where the workflow URL may be sent.
    secretHosts: (name) => (name === SECRET ? (opts.secretHosts ?? ['127.0.0.1']) : undefined),
  });
  const base = testContext({
    network: policy.forStep({ secrets: [SECRET] }),
    ...(opts.runUrl ? { runUrl: opts.runUrl } : {}),
    ...(opts.alert ? { vars: { alert: opts.alert } } : {}),
  });
  const config = TeamsNotifyConfigSchema.parse({ webhookUrl: { secret: SECRET }, ...input });
  const url = opts.url ?? workflowUrl();
  const rendered = renderConfig(config, teamsNotify.expressions(config), base.vars, (name) => (name === SECRET ? url : undefined));
  const outcome = await executeTeamsNotify(rendered.value as Resolved<TeamsNotifyConfig>, { ...base, secrets: rendered.secrets });
  return { outcome, output: (outcome as { output: TeamsOutput }).output, error: (outcome as { error?: string }).error };
}

/** Nothing the step recorded holds the workflow URL's path or its signature. */
function expectUrlHidden(value: unknown) {
  const text = JSON.stringify(value);
  expect(text).not.toContain(SIG);
  expect(text).not.toContain('6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f');
  expect(text).not.toContain('sig=');
}

describe('notify.teams executor', () => {
  it('posts the card to the workflow URL as Power Automate documents it, and goes to ok on its 202', async () => {
    const { outcome } = await step({ title: '{{ alert.name }} on {{ alert.labels.instance }}', facts: { Service: '{{ alert.labels.service }}' } }, { runUrl: 'https://salve.example.internal/#/runs/ex_test' });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { to: target.url, ok: true, status: 202, message: 'the workflow took the card (202)' } });
    const sent = target.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`${PATH}?${QUERY}`);
    expect(sent.headers['content-type']).toBe('application/json');
    // The URL is the only credential: no Authorization header goes with it.
    expect(sent.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent.body)).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'DiskFull on db1:9100', weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: 'Disk almost full on db1', wrap: true },
              { type: 'FactSet', facts: [{ title: 'Service', value: 'postgresql' }] },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: 'https://salve.example.internal/#/runs/ex_test' }],
          },
        },
      ],
    });
    expectUrlHidden(outcome);
  });

  it('takes a 200 as success too (some workflows answer with one)', async () => {
    answer = () => ({ status: 200, body: '' });
    expect((await step()).outcome).toMatchObject({ type: 'next', port: 'ok', output: { status: 200, ok: true } });
  });

  it('goes to error with the workflow’s own words, and never shows the signature', async () => {
    const wrongSig = await step({}, { url: workflowUrl(target.url, 'd3JvbmctZWxzZXdoZXJlLXNpZ25hdHVyZQ') });
    expect(wrongSig.outcome).toMatchObject({ type: 'fail', port: 'error', output: { ok: false, status: 401 } });
    expect(wrongSig.error).toBe('the Teams workflow answered 401: DirectApiInvalidAuthorizationSignature: The provided authorization signature is invalid.');
    expect(JSON.stringify(wrongSig.outcome)).not.toContain('d3JvbmctZWxzZXdoZXJlLXNpZ25hdHVyZQ');

    answer = () => ({ status: 400, body: JSON.stringify({ error: { code: 'TriggerInputSchemaMismatch', message: "The input body for trigger 'manual' of type 'Request' did not match its schema definition." } }) });
    const refused = await step();
    expect(refused.error).toBe("the Teams workflow answered 400: TriggerInputSchemaMismatch: The input body for trigger 'manual' of type 'Request' did not match its schema definition.");
    expect(refused.output).toMatchObject({ status: 400, ok: false, message: refused.error });
  });

  it('says it was throttled on a 429, and reports a 5xx', async () => {
    answer = () => ({ status: 429, body: JSON.stringify({ error: { code: 'WorkflowTriggerIsThrottled', message: 'The workflow is being throttled; retry later.' } }) });
    const throttled = await step();
    expect(throttled.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 429 } });
    expect(throttled.error).toBe('rate limited by the Teams workflow (429); try again later: WorkflowTriggerIsThrottled: The workflow is being throttled; retry later.');

    answer = () => ({ status: 503, body: '' });
    expect((await step()).error).toBe('the Teams workflow answered 503');
  });

  it('takes the URL out of an answer that echoes it (a proxy’s error page)', async () => {
    answer = (req) => ({ status: 502, body: `Bad gateway: upstream refused POST ${target.url}${req.url} (path ${PATH}, signature ${SIG})` });
    const { error, output } = await step();
    expect(error).toBe(`the Teams workflow answered 502: Bad gateway: upstream refused POST ${target.url}/… (the rest of the workflow URL is secret) (path …, signature …)`);
    expectUrlHidden(output);
  });

  it('gives up at its timeout, and reports a refused connection, naming only the origin', async () => {
    let release: (() => void) | undefined;
    answer = () =>
      new Promise((resolve) => {
        release = () => resolve({ status: 202 });
      });
    try {
      const slow = await step({ timeoutSeconds: 1 });
      expect(slow.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, ok: false } });
      expect(slow.error).toBe(`POST ${target.url}/… (the rest of the workflow URL is secret) timed out after 1 s`);
    } finally {
      release?.();
    }

    const closed = await startTarget();
    await closed.close();
    const refused = await step({}, { url: workflowUrl(closed.url) });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, to: closed.url } });
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expectUrlHidden(refused.outcome);
  });

  it('sends nothing where the destination policy forbids, nor where the URL’s secret may not go', async () => {
    const before = target.requests.length;
    const forbidden = await step({}, { allowed: [] });
    expect(forbidden.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(forbidden.error).toContain('SALVE_ALLOWED_TARGETS');
    expectUrlHidden(forbidden.outcome);

    const keyBound = await step({}, { secretHosts: ['prod-12.westus.logic.azure.com'] });
    expect(keyBound.error).toMatch(/^secret TEAMS_WEBHOOK_URL may not be sent to 127\.0\.0\.1/);
    expectUrlHidden(keyBound.outcome);
    expect(target.requests.length).toBe(before);
  });

  it('refuses a URL that is not https (http only to loopback), or not a URL, before connecting, naming the secret', async () => {
    const before = target.requests.length;
    const plain = await step({}, { url: `http://prod-12.westus.logic.azure.com${PATH}?${QUERY}` });
    expect(plain.error).toBe('the Teams workflow URL (secret TEAMS_WEBHOOK_URL) must start with https:// (plain http only to a loopback test stand-in); it starts with http://');
    expect(plain.output).toMatchObject({ to: 'http://prod-12.westus.logic.azure.com', status: null, ok: false });
    expectUrlHidden(plain.outcome);

    const notUrl = await step({}, { url: `prod-12.westus.logic.azure.com${PATH}?${QUERY}` });
    expect(notUrl.error).toMatch(/^the Teams workflow URL \(secret TEAMS_WEBHOOK_URL\) is not a URL/);
    expectUrlHidden(notUrl.outcome);
    expect(target.requests.length).toBe(before);
  });

  it('sends an alert’s Markdown link broken up, even through a template', async () => {
    const alert = testAlert({ summary: 'Disk full: [open the runbook](https://evil.example/steal)' });
    const { outcome } = await step({ text: 'Salve is on it. {{ alert.summary }}' }, { alert });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    const body = target.requests.at(-1)!.body;
    const text = (JSON.parse(body) as { attachments: { content: { body: { text?: string }[] } }[] }).attachments[0]!.content.body[1]!.text;
    expect(text).toBe('Salve is on it. Disk full: [open the runbook]\u200B(https://evil.example/steal)');
    expect(body).not.toContain('](');
  });
});
