import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { createApp } from './app.js';

const TOKEN = 'the-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const encoder = new TextEncoder();

const flow = {
  format: 'salve.flow/v1',
  id: 'disk-full',
  name: 'Disk full: clean up, ask, then restart',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
    { id: 'clean', type: 'action.shell', label: 'Clean /var/tmp', config: { command: ['echo', 'cleaned', '{{ alert.labels.instance }}'] } },
    // Left to the approvers when the alert resolves (approvals cancel by default): they are told it did.
    { id: 'ask', type: 'approval.request', onResolved: 'continue', config: { message: 'Restart {{ alert.labels.service }}?', timeoutSeconds: 900 } },
    { id: 'restart', type: 'action.shell', label: 'Restart service', config: { command: ['echo', 'restart', '{{ alert.labels.service }}', '{{ steps.clean.stdout }}'] } },
    {
      id: 'notify',
      type: 'action.http',
      config: {
        url: 'http://127.0.0.1:9/notify?receiver={{ event.receiver }}&exec={{ execution.id }}',
        headers: { Authorization: { secret: 'API_TOKEN' } },
        body: { flow: '{{ flow.name }}' },
      },
    },
    { id: 'broken', type: 'action.shell', config: { command: ['echo', '{{ steps.ask.comment }}'] } },
    { id: 'giveup', type: 'action.shell', config: { command: ['echo', 'rejected'] } },
  ],
  edges: [
    { source: 'am', target: 'clean' },
    { source: 'clean', sourcePort: 'ok', target: 'ask' },
    { source: 'ask', sourcePort: 'approved', target: 'restart' },
    { source: 'ask', sourcePort: 'approved', target: 'notify' },
    { source: 'ask', sourcePort: 'approved', target: 'broken' },
    { source: 'ask', sourcePort: 'rejected', target: 'giveup' },
  ],
};

const delivery = {
  version: '4',
  status: 'firing',
  receiver: 'salve-infra',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://am.example.internal:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFull', instance: 'db1:9100', service: 'postgresql', severity: 'critical' },
      annotations: { summary: 'disk full' },
      startsAt: '2026-11-24T00:00:00Z',
      fingerprint: 'fp1',
    },
  ],
};

/** An engine whose flow has run up to its approval, and the app in front of it. */
async function waitingForApproval() {
  const { engine } = testEngine({ secrets: { API_TOKEN: 'Bearer s3cr3t-value' } });
  await engine.start();
  await engine.flows.create(flow, { name: 'test', via: 'token' });
  const { executions } = await engine.ingest('infra', { headers: { 'content-type': 'application/json' }, rawBody: encoder.encode(JSON.stringify(delivery)) });
  const executionId = executions[0]!.id;
  const app = createApp({ engine, log: pino({ level: 'silent' }), adminToken: TOKEN, hookBodyLimitBytes: 262144, version: 'test' });
  const list = async (query = '?status=pending') => ((await (await app.request(`/api/approvals${query}`, { headers: auth })).json()) as { items: any[] }).items;
  await waitFor(async () => ((await list()).length === 1 ? true : undefined));
  return { app, engine, executionId, list };
}

describe('approvals with context', () => {
  it('show the flow, what ran before and exactly what approving will run', async () => {
    const { app, executionId, list } = await waitingForApproval();
    const [approval] = await list();
    expect(approval).toMatchObject({ executionId, flowId: 'disk-full', flowName: 'Disk full: clean up, ask, then restart', message: 'Restart postgresql?' });
    expect(approval.alert).toMatchObject({ name: 'DiskFull', labels: { service: 'postgresql' } });

    expect(approval.ran.map((s: any) => [s.nodeId, s.nodeType, s.label, s.status, s.port])).toEqual([
      ['am', 'source.alertmanager', 'Alertmanager', 'succeeded', 'out'],
      ['clean', 'action.shell', 'Clean /var/tmp', 'succeeded', 'ok'],
    ]);
    expect(approval.ran[1].output).toMatchObject({ exitCode: 0, stdout: 'cleaned db1:9100\n' });
    expect(approval.ran[1].endedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(approval.ran[1].error).toBeNull();

    const next = Object.fromEntries(approval.next.map((n: any) => [n.nodeId, n]));
    expect(Object.keys(next)).toEqual(['restart', 'notify', 'broken']); // not the "rejected" branch
    expect(next.restart).toMatchObject({ nodeType: 'action.shell', label: 'Restart service' });
    expect(next.restart.rendered.command).toEqual(['echo', 'restart', 'postgresql', 'cleaned db1:9100\n']);
    // Event, execution and flow variables as a real step sees them; the secret stays a reference.
    expect(next.notify.label).toBe('HTTP request');
    expect(next.notify.rendered).toMatchObject({
      url: `http://127.0.0.1:9/notify?receiver=salve-infra&exec=${executionId}`,
      headers: { Authorization: { secret: 'API_TOKEN' } },
      body: { flow: 'Disk full: clean up, ask, then restart' },
    });
    expect(JSON.stringify(approval)).not.toContain('s3cr3t-value');
    // A template over an output that does not exist yet (the decision being asked for) cannot be shown: the reason is.
    expect(next.broken.rendered).toBeUndefined();
    expect(next.broken.error).toMatch(/^config\.command\.1: /);

    const one = (await (await app.request(`/api/approvals/${approval.id}`, { headers: auth })).json()) as any;
    expect(one).toEqual(approval);
  });

  it('tell when the alert resolved after the approval was asked, in the list and on the run', async () => {
    const { app, engine, executionId, list } = await waitingForApproval();
    const [before] = await list();
    expect(before.alertResolvedAt).toBeNull();

    const resolved = {
      ...delivery,
      status: 'resolved',
      alerts: [{ ...delivery.alerts[0], status: 'resolved', endsAt: '2026-11-24T00:20:00Z' }],
    };
    const answer = await app.request('/hooks/infra', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(resolved) });
    expect(answer.status).toBe(202);

    const [after] = await list();
    expect(after).toMatchObject({ id: before.id, status: 'pending', alertResolvedAt: '2026-11-24T00:20:00.000Z' });
    const one = (await (await app.request(`/api/approvals/${before.id}`, { headers: auth })).json()) as any;
    expect(one.alertResolvedAt).toBe('2026-11-24T00:20:00.000Z');
    const run = (await (await app.request(`/api/executions/${executionId}`, { headers: auth })).json()) as any;
    expect(run.alertResolvedAt).toBe('2026-11-24T00:20:00.000Z');
    await engine.shutdown(1000);
  });

  it('renders what runs next exactly as the step then runs', async () => {
    const { app, engine, list } = await waitingForApproval();
    const [approval] = await list();
    const decided = await app.request(`/api/approvals/${approval.id}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided.status).toBe(200);
    // The decision is audited with who decided it and how (the admin token, over the API).
    const audited = (await (await app.request('/api/audit?action=approval.approve', { headers: auth })).json()) as any;
    expect(audited.items).toMatchObject([
      { actor: 'admin', via: 'token', target: approval.id, details: { executionId: approval.executionId }, before: { status: 'pending' }, after: { status: 'approved' } },
    ]);
    const detail = await waitFor(async () => {
      const d = (await (await app.request(`/api/executions/${approval.executionId}`, { headers: auth })).json()) as any;
      return d.steps.some((s: any) => s.nodeId === 'restart' && s.status === 'succeeded') ? d : undefined;
    });
    const restart = detail.steps.find((s: any) => s.nodeId === 'restart');
    const preview = approval.next.find((n: any) => n.nodeId === 'restart');
    expect(restart.config.command).toEqual(preview.rendered.command);
    await engine.shutdown(1000);
  });
});
