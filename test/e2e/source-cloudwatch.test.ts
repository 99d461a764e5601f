import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSigningCert, signSnsMessage } from '../kit/sns-cert.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { flowDoc } from '../kit/flow.js';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:salve-alarms';

/** A CloudWatch alarm notification laid out the way SNS posts it (`"Key" : value`, no trailing newline). */
function notification(alarm: { name: string; state: 'ALARM' | 'OK'; at: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: `msg-${alarm.name}-${alarm.state}-${alarm.at}`,
    TopicArn: TOPIC,
    Subject: `${alarm.state}: "${alarm.name}" in EU (Frankfurt)`,
    Message: JSON.stringify({
      AlarmName: alarm.name,
      AlarmDescription: 'severity: critical',
      AWSAccountId: '123456789012',
      NewStateValue: alarm.state,
      NewStateReason: `Threshold Crossed: ${alarm.name}`,
      StateChangeTime: alarm.at,
      Region: 'EU (Frankfurt)',
      AlarmArn: `arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${alarm.name}`,
      OldStateValue: alarm.state === 'ALARM' ? 'OK' : 'ALARM',
      Trigger: { MetricName: 'CPUUtilization', Namespace: 'AWS/EC2', Statistic: 'AVERAGE', Dimensions: [{ value: 'i-0abc', name: 'InstanceId' }], Threshold: 90 },
    }),
    Timestamp: '2026-11-24T09:12:30.580Z',
    SignatureVersion: '1',
    Signature: 'UNSIGNED',
    SigningCertURL: 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
    UnsubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:0f1e`,
    ...extra,
  };
}

/** SNS's own layout: pretty JSON with `"Key" : value`. */
const snsJson = (body: unknown) => JSON.stringify(body, null, 2).replace(/^(\s*"[^"]+"): /gm, '$1 : ');

/** CloudWatch alarms through a real server: SNS's media type, handshakes, refusals and redelivery. */
describe('source.cloudwatch end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    const flow = (id: string, config: Record<string, unknown>) =>
      flowDoc({
        id,
        source: { id: 'cw', type: 'source.cloudwatch', config },
        nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'alert.labels.state == "ALARM"' } }],
        edges: [{ source: 'cw', target: 'check' }],
      });
    // No AWS certificate is reachable from a test: the notification path runs with the signature
    // check turned off, explicitly, auth written out as it must be.
    const created = [
      await server.api('POST', '/api/flows', flow('cw-open', { path: 'aws-open', verifySignature: false, auth: { type: 'none' } })),
      await server.api('POST', '/api/flows', flow('cw-topics', { path: 'aws-topics', verifySignature: false, auth: { type: 'none' }, topicArns: [TOPIC] })),
      await server.api('POST', '/api/flows', flow('cw-signed', { path: 'aws-signed' })),
    ];
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const post = (path: string, body: string, contentType = 'text/plain; charset=UTF-8', type = 'Notification') =>
    fetch(`${server.url}/hooks/${path}`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-amz-sns-message-type': type,
        'x-amz-sns-topic-arn': TOPIC,
        'user-agent': 'Amazon Simple Notification Service Agent',
      },
      body,
    });
  const executions = async (flowId: string) => (await server.api('GET', `/api/executions?flowId=${flowId}&limit=200`)).body.items as { id: string }[];
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: any } }).error;

  it('a config that turns the signature off without writing auth out is refused when saved', async () => {
    const res = await server.api('POST', '/api/flows', {
      format: 'salve.flow/v1',
      id: 'cw-bad',
      name: 'bad',
      nodes: [{ id: 'cw', type: 'source.cloudwatch', config: { path: 'aws-bad', verifySignature: false } }],
      edges: [],
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('write auth out');
  });

  it('takes an ALARM posted as text/plain (as SNS posts it) and runs the flow once; a redelivery runs nothing', async () => {
    const body = snsJson(notification({ name: 'HighCPU', state: 'ALARM', at: '2026-11-24T09:12:30.512+0000' }));
    const first = await post('aws-open', body);
    expect(first.status).toBe(202);
    const accepted = (await first.json()) as { executions: string[]; alerts: number };
    expect(accepted).toMatchObject({ alerts: 1 });
    expect(accepted.executions).toHaveLength(1);

    const exec = (await server.api('GET', `/api/executions/${accepted.executions[0]}`)).body;
    expect(exec.alert).toMatchObject({
      source: 'cloudwatch',
      status: 'firing',
      name: 'HighCPU',
      severity: 'critical',
      fingerprint: 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:HighCPU',
      startsAt: '2026-11-24T09:12:30.512Z',
      labels: { region: 'eu-central-1', account: '123456789012', metric: 'CPUUtilization', dimension_InstanceId: 'i-0abc' },
    });

    // SNS retries with the same MessageId and body: recorded, not run again.
    const again = await post('aws-open', body);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ executions: [], duplicates: 1 });
    expect(await executions('cw-open')).toHaveLength(1);
  });

  it('accepts application/json too (headerContentType in the delivery policy), nothing else', async () => {
    const body = snsJson(notification({ name: 'DiskFull', state: 'ALARM', at: '2026-11-24T10:00:00.000+0000' }));
    const json = await post('aws-open', body, 'application/json');
    expect(json.status).toBe(202);
    expect(((await json.json()) as { executions: string[] }).executions).toHaveLength(1);
    const form = await post('aws-open', body, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect((await errorOf(form)).message).toBe('Content-Type must be text/plain or application/json');
  });

  it('OK is recorded and starts nothing (on: firing)', async () => {
    const before = (await executions('cw-open')).length;
    const res = await post('aws-open', snsJson(notification({ name: 'HighCPU', state: 'OK', at: '2026-11-24T09:40:00.000+0000' })));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ alerts: 1, executions: [] });
    expect(await executions('cw-open')).toHaveLength(before);
  });

  it('SubscriptionConfirmation with confirmSubscriptions off: 200 telling the operator to confirm, no run', async () => {
    const before = (await executions('cw-open')).length;
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7',
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7`,
      Timestamp: '2026-11-24T09:00:00.000Z',
      SignatureVersion: '1',
      Signature: 'UNSIGNED',
      SigningCertURL: 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
    };
    const res = await post('aws-open', snsJson(confirmation), 'text/plain; charset=UTF-8', 'SubscriptionConfirmation');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toContain('not confirmed: confirmSubscriptions is off');
    const unsubscribe = await post('aws-open', snsJson({ ...confirmation, Type: 'UnsubscribeConfirmation' }), 'text/plain; charset=UTF-8', 'UnsubscribeConfirmation');
    expect(unsubscribe.status).toBe(200);
    expect(await executions('cw-open')).toHaveLength(before);

    // The operator finds the SubscribeURL in the event log, to confirm by hand.
    const handshakes = (await server.api('GET', '/api/events?path=aws-open&outcome=handshake')).body.items as { id: string; deliveryId: string; reason: string }[];
    const recorded = handshakes.find((e) => e.reason.includes('not confirmed'))!;
    expect(recorded.deliveryId).toBe(confirmation.MessageId);
    const event = (await server.api('GET', `/api/events/${recorded.id}`)).body;
    expect(JSON.parse(event.body).SubscribeURL).toBe(confirmation.SubscribeURL);
  });

  it('422 naming the field for a Message that is not an alarm, and for the Lambda envelope', async () => {
    const hello = await post('aws-open', snsJson(notification({ name: 'X', state: 'ALARM', at: '2026-11-24T09:00:00Z' }, { Message: 'Hello from the console' })));
    expect(hello.status).toBe(422);
    expect((await errorOf(hello)).details.issues[0].path).toEqual(['Message']);
    const lambda = await post('aws-open', JSON.stringify({ Records: [{ EventSource: 'aws:sns', Sns: notification({ name: 'X', state: 'ALARM', at: '2026-11-24T09:00:00Z' }) }] }));
    expect(lambda.status).toBe(422);
    expect((await errorOf(lambda)).details.issues[0]).toMatchObject({ path: ['Records'], message: expect.stringContaining('AWS Lambda event') });
  });

  it('refuses topics outside topicArns with 401 and runs nothing', async () => {
    const foreign = await post('aws-topics', snsJson(notification({ name: 'HighCPU', state: 'ALARM', at: '2026-11-24T09:12:30.512+0000' }, { TopicArn: 'arn:aws:sns:eu-central-1:999999999999:theirs' })));
    expect(foreign.status).toBe(401);
    expect((await errorOf(foreign)).message).toBe('invalid or missing credentials');
    expect(await executions('cw-topics')).toHaveLength(0);
    const own = await post('aws-topics', snsJson(notification({ name: 'HighCPU', state: 'ALARM', at: '2026-11-24T09:12:30.512+0000' })));
    expect(own.status).toBe(202);
    expect(await executions('cw-topics')).toHaveLength(1);
  });

  it('with the signature check on (the default), an unreachable certificate is 503 (SNS retries) and a bad one 401; nothing runs', async () => {
    const signer = makeSigningCert();
    const alarm = { name: 'HighCPU', state: 'ALARM' as const, at: '2026-11-24T09:12:30.512+0000' };
    // Signed, naming a certificate on an SNS-shaped host that cannot be reached from here: the
    // delivery cannot be checked now, so SNS is told to retry rather than to drop it.
    const unreachable = signSnsMessage(
      notification(alarm, { SigningCertURL: 'https://sns.zz-nowhere-9.amazonaws.com/SimpleNotificationService-00000000000000000000000000000000.pem' }),
      signer.privateKey,
      '2',
    );
    const later = await post('aws-signed', snsJson(unreachable));
    expect(later.status).toBe(503);
    expect(later.headers.get('retry-after')).toBe('30');
    expect(server.output()).toContain('could not fetch the signing certificate');

    const refused = [
      // Signed, naming a certificate somewhere else: refused without fetching.
      signSnsMessage(notification(alarm, { SigningCertURL: 'https://sns.eu-central-1.amazonaws.com.attacker.example/cert.pem' }), signer.privateKey, '1'),
      // Not signed at all (refused before any fetch, so the answer does not depend on the network).
      { ...notification(alarm), Signature: undefined },
    ];
    for (const body of refused) {
      const res = await post('aws-signed', snsJson(body));
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toBe('invalid or missing credentials');
    }
    expect(await executions('cw-signed')).toHaveLength(0);
    // The reason is in the server log and the event log, never in the answer.
    expect(server.output()).toContain('is not an SNS host');
    const rejected = await waitFor(async () => {
      const items = (await server.api('GET', '/api/events?path=aws-signed&outcome=rejected')).body.items as { reason: string }[];
      return items.length === 2 ? items : undefined;
    }, 10_000, 'two rejected events');
    expect(rejected.map((e) => e.reason).join('\n')).toContain('is not an SNS host');
  });
});
