import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datadogSamples } from '../../nodes/source/datadog/samples.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const TOKEN = 'dd-e2e-token-0123456789';

/**
 * source.datadog through a real server. Datadog signs nothing: what proves a delivery is the
 * custom header the webhook is told to send, so a body sent without it (or with another token)
 * is the "tampered" delivery here.
 */
describe('source.datadog end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_DATADOG_TOKEN: TOKEN } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'dd',
      name: 'dd',
      enabled: true,
      nodes: [
        { id: 'dd', type: 'source.datadog', config: { path: 'datadog', auth: { type: 'bearer', token: { secret: 'DATADOG_TOKEN' } } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical" && alert.labels.service == "postgresql"' } },
      ],
      edges: [{ source: 'dd', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const send = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${server.url}/hooks/datadog`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const runs = async () => (await server.api('GET', '/api/executions?flowId=dd&limit=200')).body.items as any[];
  const triggered = JSON.stringify(datadogSamples[0]!.payload);

  it('a delivery with the token is accepted with 202 and runs the flow', async () => {
    const res = await send(triggered);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[] };
    expect(body.executions).toHaveLength(1);
    const done = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${body.executions[0]}`)).body;
      // The flow only has a condition (no action): the run ends as no_action.
      return e.status === 'no_action' ? e : undefined;
    }, 10_000, 'the execution');
    expect(done.alert).toMatchObject({ source: 'datadog', name: 'DiskFull', severity: 'critical', fingerprint: '7920145618230177351' });
    expect(done.steps.find((s: any) => s.nodeId === 'check').port).toBe('true');
  });

  it('a changed body without the token, or with another one, is refused with 401 and runs nothing', async () => {
    const before = (await runs()).length;
    const changed = triggered.replace('DiskFull', 'DiskFull2').replace('7920145618230177351', '1111');
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer guessed' }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }]) {
      const res = await send(changed, headers);
      expect(res.status).toBe(401);
    }
    expect((await runs()).length).toBe(before);
  });

  it('a redelivery (same body) and a reminder in the same alert cycle start no second run', async () => {
    const before = (await runs()).length;
    const again = await send(triggered);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ executions: [], duplicates: 1 });
    const reminder = { ...(datadogSamples[0]!.payload as Record<string, unknown>), id: '7920150000000000001', date: '1795515150000', alert_transition: 'Re-Triggered' };
    const res = await send(JSON.stringify(reminder));
    expect(await res.json()).toMatchObject({ executions: [], duplicates: 1 });
    expect((await runs()).length).toBe(before);
  });

  it('recovered: recorded, no run for "on": "firing"', async () => {
    const res = await send(JSON.stringify(datadogSamples[1]!.payload));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ alerts: 1, executions: [] });
  });

  it('the default payload is read too; a form-encoded webhook is 415', async () => {
    const body = JSON.stringify({
      body: '%%%\nDisk almost full\n\n[[Monitor Status](https://app.datadoghq.com/monitors/98765432?group=host%3Adb2)]\n%%%',
      last_updated: '1795511550000',
      event_type: 'query_alert_monitor',
      title: '[P1] [Triggered on {host:db2}] DiskFull',
      date: '1795511550000',
      org: { id: '1000001', name: 'Example Ops' },
      id: '7920145618230177999',
    });
    const res = await send(body);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { executions: string[] }).executions).toHaveLength(1);
    const form = await send('payload=x', { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });
});
