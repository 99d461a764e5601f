import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagerdutySamples } from '../../nodes/source/pagerduty/samples.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { pagerDutySignature } from '../kit/hmac.js';
import { flowDoc } from '../kit/flow.js';

const SECRET = 'pd-e2e-signing-secret';

/** source.pagerduty through a real server: signed deliveries run, anything else does not. */
describe('source.pagerduty end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_PD_WEBHOOK_SECRET: SECRET } });
    const flow = (id: string, path: string, extra: object = {}) =>
      flowDoc({
        id,
        source: { id: 'pd', type: 'source.pagerduty', config: { path, auth: { type: 'signature', secret: { secret: 'PD_WEBHOOK_SECRET' } }, ...extra } },
        nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical" && alert.labels.service == "postgresql"' } }],
        edges: [{ source: 'pd', target: 'check' }],
      });
    expect((await server.api('POST', '/api/flows', flow('pd-default', 'pagerduty'))).status).toBe(201);
    expect((await server.api('POST', '/api/flows', flow('pd-ack', 'pagerduty-ack', { events: ['incident.triggered', 'incident.acknowledged'] }))).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const sign = (body: string | Buffer) => pagerDutySignature(SECRET, body);
  const send = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'PagerDuty-Webhook/V3.0', ...headers }, body });
  const runs = async (flowId: string) => (await server.api('GET', `/api/executions?flowId=${flowId}&limit=200`)).body.items as any[];
  const triggered = JSON.stringify(pagerdutySamples[0]!.payload);

  it('a signed delivery is accepted with 202 and runs the flow', async () => {
    const res = await send('pagerduty', triggered, { 'x-pagerduty-signature': sign(triggered), 'x-webhook-id': 'dlv-0001' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[]; alerts: number };
    expect(body.alerts).toBe(1);
    expect(body.executions).toHaveLength(1);
    const done = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${body.executions[0]}`)).body;
      // The flow only has a condition (no action): the run ends as no_action.
      return e.status === 'no_action' ? e : undefined;
    }, 10_000, 'the execution');
    expect(done.alert).toMatchObject({ source: 'pagerduty', name: 'DiskFull', severity: 'critical', fingerprint: 'Q1DISKFULL0DB1', labels: { service: 'postgresql' } });
    expect(done.steps.find((s: any) => s.nodeId === 'check').port).toBe('true');
  });

  it('a tampered body, a wrong secret or no signature is refused with 401 and runs nothing', async () => {
    const before = (await runs('pd-default')).length;
    const tampered = triggered.replace('Q1DISKFULL0DB1', 'Q1DISKFULL0DB2');
    for (const [body, signature] of [
      [tampered, sign(triggered)],
      [triggered, pagerDutySignature('not-the-secret', triggered)],
      [triggered, undefined],
    ] as const) {
      const res = await send('pagerduty', body, signature ? { 'x-pagerduty-signature': signature } : {});
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('invalid or missing credentials');
    }
    expect((await runs('pd-default')).length).toBe(before);
    // Refusals are recorded (after the answer) with the reason, never as executions.
    const rejected = await waitFor(async () => {
      const items = (await server.api('GET', '/api/events?path=pagerduty&outcome=rejected')).body.items as any[];
      return items.length >= 3 ? items : undefined;
    }, 5_000, 'the rejected deliveries in the event log');
    expect(rejected.every((e) => e.executionCount === 0)).toBe(true);
  });

  it('a redelivery (same X-Webhook-Id, same body) starts no second run', async () => {
    const before = (await runs('pd-default')).length;
    const res = await send('pagerduty', triggered, { 'x-pagerduty-signature': sign(triggered), 'x-webhook-id': 'dlv-0001' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { eventId: string };
    expect(body).toMatchObject({ executions: [], duplicates: 1 });
    expect((await runs('pd-default')).length).toBe(before);
    // The event log shows it as a duplicate delivery, with PagerDuty's delivery id.
    const event = (await server.api('GET', `/api/events/${body.eventId}`)).body;
    expect(event).toMatchObject({ outcome: 'duplicate', deliveryId: 'pagerduty:dlv-0001', duplicateCount: 1, executionCount: 0 });
  });

  it('an acknowledgement of the same incident does not run again, even for a flow that starts on acknowledgements', async () => {
    const first = await send('pagerduty-ack', triggered, { 'x-pagerduty-signature': sign(triggered), 'x-webhook-id': 'dlv-ack-1' });
    expect(((await first.json()) as { executions: string[] }).executions).toHaveLength(1);
    const ack = structuredClone(pagerdutySamples[0]!.payload) as any;
    ack.event.id = '01FZQ7M0ACKNOWLEDGED000001';
    ack.event.event_type = 'incident.acknowledged';
    ack.event.occurred_at = '2026-11-24T09:15:00.000Z';
    ack.event.data.status = 'acknowledged';
    const ackBody = JSON.stringify(ack);
    const res = await send('pagerduty-ack', ackBody, { 'x-pagerduty-signature': sign(ackBody), 'x-webhook-id': 'dlv-ack-2' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ executions: [], duplicates: 1 });
    expect((await runs('pd-ack')).length).toBe(1);
    // The default flow does not start on acknowledgements at all.
    const other = await send('pagerduty', ackBody, { 'x-pagerduty-signature': sign(ackBody), 'x-webhook-id': 'dlv-ack-3' });
    expect(await other.json()).toMatchObject({ executions: [], duplicates: 0 });
  });

  it('resolved: recorded, no run for "on": "firing"', async () => {
    const resolved = JSON.stringify(pagerdutySamples[1]!.payload);
    const res = await send('pagerduty', resolved, { 'x-pagerduty-signature': sign(resolved), 'x-webhook-id': 'dlv-0002' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ alerts: 1, executions: [] });
  });

  it('pagey.ping: signed → 200 pong and no run; unsigned → 401', async () => {
    const before = (await runs('pd-default')).length;
    const ping = JSON.stringify({
      event: { id: '01PING', event_type: 'pagey.ping', resource_type: 'pagey', occurred_at: '2026-11-24T09:00:00.000Z', agent: null, client: null, data: { message: 'Hello from your friend Pagey!', type: 'ping' } },
    });
    const ok = await send('pagerduty', ping, { 'x-pagerduty-signature': sign(ping), 'x-webhook-id': 'dlv-ping' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ message: 'pong' });
    const unsigned = await send('pagerduty', ping, {});
    expect(unsigned.status).toBe(401);
    expect((await runs('pd-default')).length).toBe(before);
    const events = (await server.api('GET', '/api/events?path=pagerduty&outcome=handshake')).body.items as any[];
    expect(events.map((e) => e.deliveryId)).toContain('pagerduty:dlv-ping');
  });

  it('an Events API v2 body, even signed, is a 422 naming the field', async () => {
    const body = JSON.stringify({ routing_key: 'R0UT1NGKEY', event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'critical' } });
    const res = await send('pagerduty', body, { 'x-pagerduty-signature': sign(body) });
    expect(res.status).toBe(422);
    const error = ((await res.json()) as { error: { details: { issues: { path: string[] }[] } } }).error;
    expect(error.details.issues.map((i) => i.path.join('.'))).toContain('event');
  });
});
