import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from '../../../test/kit/target.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { stepsRepo } from '../../store/steps-repo.js';
import type { Resolver } from '../../net/destination-policy.js';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import { simulateFlow } from '../flows/simulate.js';
import { testEngine, type TestEngineOptions, webhookDelivery } from '../../../test/kit/engine.js';
import { waitFor } from '../../../test/kit/wait.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';

/**
 * action.http inside the engine: alert data picks the host, the destination policy decides
 * whether Salve connects. The target listens on 127.0.0.1 and counts requests; names that
 * resolve to it come from an injected resolver (no network needed).
 */

let target: Target;
let port = 0;
beforeAll(async () => {
  target = await startTarget();
  port = Number(new URL(target.url).port);
});
afterAll(() => target.close());

const resolver: Resolver = async (host) => {
  if (host === 'rebind.example' || host === 'agent.example.internal') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

let fingerprint = 0;
/** One firing DiskFull alert for `instance` (a fresh fingerprint each time, so each runs). */
const alertFor = (instance: string) => amBody(`fp${++fingerprint}`, { instance });

/** Alertmanager → an action.http step `clean` with `config`. */
const flow = (config: Record<string, unknown>, settings?: Record<string, unknown>) =>
  flowDoc({ id: 'clean', settings, nodes: [{ id: 'clean', type: 'action.http', config }], edges: [{ source: 'am', target: 'clean' }] });

/** Runs the flow for one alert and returns the clean-up step once it has finished. */
async function runOnce(opts: TestEngineOptions, config: Record<string, unknown>, instance: string, settings?: Record<string, unknown>) {
  const { engine, store } = testEngine({ resolver, ...opts });
  await engine.start();
  await engine.flows.create(flow(config, settings), { name: 'test', via: 'token' });
  const res = await engine.ingest('infra', webhookDelivery(alertFor(instance)));
  const id = res.executions[0]!.id;
  await waitFor(() => ['succeeded', 'failed'].includes(executionsRepo.get(store.db, id)?.status ?? ''), 10_000);
  const step = stepsRepo.forExecution(store.db, id).find((s) => s.nodeId === 'clean')!;
  await engine.shutdown(0);
  store.close();
  return { status: step.status, error: step.error, config: JSON.parse(step.config ?? 'null') as Record<string, unknown> };
}

const HOST_URL = { url: 'http://{{ alert.labels.instance }}/cleanup' };

describe('action.http and the destination policy, in the engine', () => {
  it('refuses a host from an alert that resolves to loopback, and sends nothing', async () => {
    const before = target.requests.length;
    const step = await runOnce({}, HOST_URL, `rebind.example:${port}`);
    expect(step.status).toBe('failed');
    expect(step.error).toBe(
      `refused to connect to rebind.example at 127.0.0.1 (loopback) for http://rebind.example:${port}/cleanup: non-public addresses need an entry in SALVE_ALLOWED_TARGETS (e.g. SALVE_ALLOWED_TARGETS=rebind.example:${port})`,
    );
    expect(target.requests.length).toBe(before);
  });

  it('refuses a label that would rewrite the URL, naming the value', async () => {
    const before = target.requests.length;
    const step = await runOnce({ allowedTargets: ['127.0.0.1'] }, HOST_URL, `127.0.0.1:${port}/internal/admin?q=`);
    expect(step.status).toBe('failed');
    expect(step.error).toBe(
      `config.url: {{ alert.labels.instance }} gave "127.0.0.1:${port}/internal/admin?q=", which cannot be the URL's host: it contains "/", which would change the URL's path, query or fragment`,
    );
    expect(target.requests.length).toBe(before);
  });

  it('connects when SALVE_ALLOWED_TARGETS lists the destination', async () => {
    const before = target.requests.length;
    const step = await runOnce({ allowedTargets: ['127.0.0.1'] }, HOST_URL, `rebind.example:${port}`);
    expect(step.status).toBe('succeeded');
    expect(target.requests.slice(before).map((r) => r.url)).toEqual(['/cleanup']);
  });

  it('puts alert data in the path and query as encoded values, and records the URL it used', async () => {
    const before = target.requests.length;
    const config = { url: `http://agent.example.internal:${port}/hosts/{{ alert.labels.instance }}/cleanup?host={{ alert.labels.instance }}` };
    const step = await runOnce({ allowedTargets: ['agent.example.internal'] }, config, '../../admin?x=1#');
    expect(step.status).toBe('succeeded');
    const sent = `/hosts/..%2F..%2Fadmin%3Fx%3D1%23/cleanup?host=../../admin%3Fx%3D1%23`;
    expect(target.requests.slice(before).map((r) => r.url)).toEqual([sent]);
    expect(step.config.url).toBe(`http://agent.example.internal:${port}${sent}`);
  });

  it("narrows to the flow's settings.allowedTargets", async () => {
    const before = target.requests.length;
    const step = await runOnce({ allowedTargets: ['127.0.0.1'] }, HOST_URL, `127.0.0.1:${port}`, { allowedTargets: ['10.0.0.0/8'] });
    expect(step.status).toBe('failed');
    expect(step.error).toBe(`refused to connect to 127.0.0.1 for http://127.0.0.1:${port}/cleanup: not in this flow's settings.allowedTargets`);
    expect(target.requests.length).toBe(before);
    const listed = await runOnce({ allowedTargets: ['127.0.0.1'] }, HOST_URL, `127.0.0.1:${port}`, { allowedTargets: [`127.0.0.1:${port}`] });
    expect(listed.status).toBe('succeeded');
  });

  it('sends a secret only to a host its SALVE_SECRET_<NAME>_HOSTS lists, failing before connecting otherwise', async () => {
    const config = { ...HOST_URL, headers: { Authorization: { secret: 'AGENT_TOKEN' } } };
    const opts = { allowedTargets: ['127.0.0.1'], secrets: { AGENT_TOKEN: 'agent-token-value-1' } };
    const before = target.requests.length;
    const unbound = await runOnce(opts, config, `127.0.0.1:${port}`);
    expect(unbound.error).toBe(
      `secret AGENT_TOKEN may not be sent to 127.0.0.1 (for http://127.0.0.1:${port}/cleanup): SALVE_SECRET_AGENT_TOKEN_HOSTS is not set; set it to the hosts this secret may be sent to (or * for anywhere)`,
    );
    const elsewhere = await runOnce({ ...opts, secretHosts: { AGENT_TOKEN: 'agent.example.internal' } }, config, `rebind.example:${port}`);
    expect(elsewhere.error).toMatch(/^secret AGENT_TOKEN may not be sent to rebind\.example at 127\.0\.0\.1 .*: it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS$/);
    expect(target.requests.length).toBe(before);

    const bound = await runOnce({ ...opts, secretHosts: { AGENT_TOKEN: 'agent.example.internal' } }, config, `agent.example.internal:${port}`);
    expect(bound.status).toBe('succeeded');
    expect(target.requests.slice(before).map((r) => r.headers.authorization)).toEqual(['agent-token-value-1']);
    expect(bound.config.headers).toEqual({ Authorization: { secret: 'AGENT_TOKEN' } });
  });

  it('shows the URL rendered the same safe way in simulation', async () => {
    const checked = validateFlow(flow(HOST_URL), lookupNodeSpec);
    if (!checked.ok) throw new Error('the flow should be valid');
    const f = checked.flow;
    const [bad] = await simulateFlow(f, 'alertmanager', alertFor('user:pw@evil.example#'));
    expect(bad!.steps.find((s) => s.nodeId === 'clean')).toMatchObject({
      status: 'error',
      error: `config.url: {{ alert.labels.instance }} gave "user:pw@evil.example#", which cannot be the URL's host: it contains "@", and user info is never taken from a template`,
    });
    const [good] = await simulateFlow(f, 'alertmanager', alertFor('0x7f000001:9100'));
    expect(good!.steps.find((s) => s.nodeId === 'clean')).toMatchObject({ status: 'taken', rendered: { url: 'http://127.0.0.1:9100/cleanup' } });
  });
});
