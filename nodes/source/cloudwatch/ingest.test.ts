import { beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../shared/errors.js';
import type { IngestContext, IngestRequest } from '../../source-adapter.js';
import { consoleUrl, normalizeCloudwatch, toRfc3339 } from './alarm.js';
import { CertificateCache } from './cert-cache.js';
import { CloudwatchConfigSchema, cloudwatchSource } from './definition.js';
import { createCloudwatchAdapter } from './ingest.js';
import { cloudwatchSamples } from './samples.js';
import { fakeFetch, makeSigningCert, signSnsMessage, type TestSigningCert } from '../../../test/kit/sns-cert.js';
import { issuesOf } from '../../../test/kit/nodes.js';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:alarms';
const CERT_URL = 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
const NOW = Date.parse('2026-11-24T09:12:31Z');

const config = (extra: object = {}) => CloudwatchConfigSchema.parse({ path: 'aws', ...extra });

/** A CloudWatch alarm (the parsed `Message`), written for these tests. */
function alarm(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AlarmName: 'HighCPU',
    AlarmDescription: 'CPU above 90% on the web fleet',
    AWSAccountId: '123456789012',
    NewStateValue: 'ALARM',
    NewStateReason: 'Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (90.0).',
    StateChangeTime: '2026-11-24T09:12:30.512+0000',
    Region: 'EU (Frankfurt)',
    AlarmArn: 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:HighCPU',
    OldStateValue: 'OK',
    Trigger: {
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      StatisticType: 'Statistic',
      Statistic: 'AVERAGE',
      Unit: null,
      Dimensions: [{ value: 'web-asg', name: 'AutoScalingGroupName' }],
      Period: 300,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 90.0,
      TreatMissingData: '- TreatMissingData:                    breaching',
      EvaluateLowSampleCountPercentile: '',
    },
    ...extra,
  };
}

function notification(alarmFields: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: '5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f',
    TopicArn: TOPIC,
    Subject: 'ALARM: "HighCPU" in EU (Frankfurt)',
    Message: JSON.stringify(alarm(alarmFields)),
    Timestamp: '2026-11-24T09:12:30.580Z',
    SignatureVersion: '1',
    SigningCertURL: CERT_URL,
    UnsubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:0f1e`,
    ...extra,
  };
}

function subscriptionConfirmation(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'SubscriptionConfirmation',
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7',
    TopicArn: TOPIC,
    Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7`,
    Timestamp: '2026-11-24T09:00:00.000Z',
    SignatureVersion: '1',
    SigningCertURL: CERT_URL,
    ...extra,
  };
}

const request = (body: unknown, headers: Record<string, string> = {}): IngestRequest => ({
  headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification', ...headers },
  rawBody: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body, null, 2)),
});

describe('source.cloudwatch config', () => {
  it('defaults: signature on, no extra auth, no auto-confirm, firing only, unknown severity, INSUFFICIENT_DATA ignored', () => {
    expect(config()).toEqual({
      path: 'aws',
      verifySignature: true,
      confirmSubscriptions: false,
      on: 'firing',
      severity: 'unknown',
      insufficientData: 'ignore',
    });
  });

  it('turning the signature off needs auth written out too, even {"type":"none"}', () => {
    const r = CloudwatchConfigSchema.safeParse({ path: 'aws', verifySignature: false });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['auth']);
    expect(r.error!.issues[0]!.message).toContain('write auth out');
    expect(config({ verifySignature: false, auth: { type: 'none' } })).toMatchObject({ verifySignature: false, auth: { type: 'none' } });
    // auth alone does not turn the signature off
    expect(config({ auth: { type: 'none' } }).verifySignature).toBe(true);
  });

  it('auto-confirming needs the signature and a topic allowlist', () => {
    const noTopics = CloudwatchConfigSchema.safeParse({ path: 'aws', confirmSubscriptions: true });
    expect(noTopics.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['topicArns', expect.stringContaining('any AWS account')]]);
    const unsigned = CloudwatchConfigSchema.safeParse({ path: 'aws', confirmSubscriptions: true, topicArns: [TOPIC], verifySignature: false, auth: { type: 'none' } });
    expect(unsigned.error!.issues.map((i) => i.path.join('.'))).toEqual(['confirmSubscriptions']);
    expect(config({ confirmSubscriptions: true, topicArns: [TOPIC] }).confirmSubscriptions).toBe(true);
  });

  it('checks topic ARNs and the other fields', () => {
    const r = CloudwatchConfigSchema.safeParse({ path: 'aws', topicArns: ['arn:aws:sqs:eu-central-1:123456789012:q', TOPIC], severity: 'bad', insufficientData: 'maybe', extra: 1 });
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'insufficientData', 'severity', 'topicArns.0']);
    expect(CloudwatchConfigSchema.safeParse({ path: 'aws', topicArns: [] }).success).toBe(false);
    for (const arn of ['arn:aws-cn:sns:cn-north-1:123456789012:a', 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a.fifo']) {
      expect(config({ topicArns: [arn] }).topicArns).toEqual([arn]);
    }
  });

  it('summarizes the checks on the canvas', () => {
    expect(cloudwatchSource.summary(config())).toBe('/hooks/aws · SNS signature · firing');
    expect(cloudwatchSource.summary(config({ topicArns: [TOPIC], on: 'both' }))).toBe('/hooks/aws · SNS signature · 1 topic · firing + resolved');
    expect(cloudwatchSource.summary(config({ verifySignature: false, auth: { type: 'none' } }))).toBe('/hooks/aws · NO signature check · no auth · firing');
    expect(cloudwatchSource.expressions(config())).toEqual([]);
  });
});

describe('source.cloudwatch authenticate', () => {
  let signer: TestSigningCert;
  beforeAll(() => {
    signer = makeSigningCert({ notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 86_400_000) });
  });
  const setup = () => {
    const f = fakeFetch({ [CERT_URL]: signer.pem });
    const ctx: IngestContext = { secrets: (n) => (n === 'SNS_EXTRA' ? 's3cret' : undefined), now: NOW, fetch: f };
    return { adapter: createCloudwatchAdapter({ certificates: new CertificateCache() }), ctx, f };
  };

  it('accepts SNS-signed notifications (v1 and v2) and text/plain as SNS sends it', async () => {
    const { adapter, ctx, f } = setup();
    expect(adapter.contentTypes).toEqual(['text/plain', 'application/json']);
    for (const version of ['1', '2'] as const) {
      expect(await adapter.authenticate(config(), request(signSnsMessage(notification(), signer.privateKey, version)), ctx)).toEqual({ ok: true });
    }
    expect(f.calls).toEqual([CERT_URL]);
  });

  it('refuses a tampered alarm, a forged signature, a bad certificate URL, and no signature', async () => {
    const { adapter, ctx } = setup();
    const signed = signSnsMessage(notification(), signer.privateKey, '1');
    const tampered = { ...signed, Message: JSON.stringify(alarm({ NewStateValue: 'OK' })) };
    expect(await adapter.authenticate(config(), request(tampered), ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    const forged = signSnsMessage(notification(), makeSigningCert().privateKey, '1');
    expect(await adapter.authenticate(config(), request(forged), ctx)).toMatchObject({ ok: false });
    const elsewhere = signSnsMessage(notification({}, { SigningCertURL: 'https://attacker.example/cert.pem' }), signer.privateKey, '1');
    expect(await adapter.authenticate(config(), request(elsewhere), ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('not an SNS host') });
    const { Signature: _, ...unsigned } = signed;
    expect(await adapter.authenticate(config(), request(unsigned), ctx)).toMatchObject({ ok: false, reason: 'Signature is missing or not base64' });
    expect(await adapter.authenticate(config(), request('not json'), ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
    expect(await adapter.authenticate(config(), request('[1]'), ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('not a JSON object') });
  });

  it('reads only the signed body, not the x-amz-sns-* headers', async () => {
    const { adapter, ctx } = setup();
    const signed = signSnsMessage(notification(), signer.privateKey, '1');
    const lying = request(signed, { 'x-amz-sns-message-type': 'SubscriptionConfirmation', 'x-amz-sns-topic-arn': 'arn:aws:sns:eu-central-1:123456789012:other' });
    expect(await adapter.authenticate(config({ topicArns: [TOPIC] }), lying, ctx)).toEqual({ ok: true });
  });

  it('refuses topics outside topicArns, signed or not', async () => {
    const { adapter, ctx, f } = setup();
    const other = signSnsMessage(notification({}, { TopicArn: 'arn:aws:sns:eu-central-1:999999999999:theirs' }), signer.privateKey, '1');
    expect(await adapter.authenticate(config({ topicArns: [TOPIC] }), request(other), ctx)).toEqual({
      ok: false,
      reason: 'TopicArn "arn:aws:sns:eu-central-1:999999999999:theirs" is not in topicArns',
    });
    // Refused before the certificate is fetched.
    expect(f.calls).toEqual([]);
    const open = config({ verifySignature: false, auth: { type: 'none' }, topicArns: [TOPIC] });
    expect(await adapter.authenticate(open, request(notification()), ctx)).toEqual({ ok: true });
    expect((await adapter.authenticate(open, request(other), ctx)).ok).toBe(false);
    expect((await adapter.authenticate(open, request({ Records: [] }), ctx)).ok).toBe(false);
  });

  it('with verifySignature false and no topic list, accepts without reading the body (auth still applies)', async () => {
    const { adapter, ctx, f } = setup();
    expect(await adapter.authenticate(config({ verifySignature: false, auth: { type: 'none' } }), request('anything'), ctx)).toEqual({ ok: true });
    const header = config({ verifySignature: false, auth: { type: 'header', name: 'X-Salve-Token', value: { secret: 'SNS_EXTRA' } } });
    expect((await adapter.authenticate(header, request(notification()), ctx)).ok).toBe(false);
    expect(await adapter.authenticate(header, request(notification(), { 'x-salve-token': 's3cret' }), ctx)).toEqual({ ok: true });
    expect(f.calls).toEqual([]);
  });

  it('checks an extra auth before the signature, failing closed when its secret is unset', async () => {
    const { adapter, ctx, f } = setup();
    const signed = signSnsMessage(notification(), signer.privateKey, '2');
    const basic = config({ auth: { type: 'basic', username: 'sns', password: { secret: 'UNSET' } } });
    const auth = `Basic ${Buffer.from('sns:whatever').toString('base64')}`;
    expect(await adapter.authenticate(basic, request(signed, { authorization: auth }), ctx)).toEqual({ ok: false, reason: 'secret UNSET is not set' });
    expect(f.calls).toEqual([]);
    const good = config({ auth: { type: 'basic', username: 'sns', password: { secret: 'SNS_EXTRA' } } });
    expect(await adapter.authenticate(good, request(signed, { authorization: `Basic ${Buffer.from('sns:s3cret').toString('base64')}` }), ctx)).toEqual({ ok: true });
  });

  it('fails closed when the certificate cannot be fetched', async () => {
    const adapter = createCloudwatchAdapter({ certificates: new CertificateCache() });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const result = await adapter.authenticate(config(), request(signSnsMessage(notification(), signer.privateKey, '1')), { secrets: () => undefined, now: NOW, fetch: down });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('could not fetch the signing certificate') });
  });
});

describe('source.cloudwatch handshake', () => {
  const confirmUrl = subscriptionConfirmation().SubscribeURL as string;
  const ctxWith = (f: typeof fetch): IngestContext => ({ secrets: () => undefined, now: NOW, fetch: f });
  const adapter = createCloudwatchAdapter({ certificates: new CertificateCache() });
  const req = request('');

  it('SubscriptionConfirmation with confirmSubscriptions off: answered 200, nothing fetched, the operator is told', async () => {
    const f = fakeFetch({ [confirmUrl]: '<ConfirmSubscriptionResponse/>' });
    const result = await adapter.handshake!(config(), subscriptionConfirmation(), req, ctxWith(f));
    expect(result).toEqual({
      status: 200,
      message: `subscription to ${TOPIC} not confirmed: confirmSubscriptions is off. Confirm it yourself with the SubscribeURL of this delivery (in the event log)`,
    });
    expect(f.calls).toEqual([]);
  });

  it('SubscriptionConfirmation with confirmSubscriptions on: GETs the SubscribeURL once', async () => {
    const on = config({ confirmSubscriptions: true, topicArns: [TOPIC] });
    const f = fakeFetch({ [confirmUrl]: '<ConfirmSubscriptionResponse/>' });
    expect(await adapter.handshake!(on, subscriptionConfirmation(), req, ctxWith(f))).toEqual({ status: 200, message: `subscription to ${TOPIC} confirmed` });
    expect(f.calls).toEqual([confirmUrl]);
  });

  it('never follows a SubscribeURL off the SNS host of the topic', async () => {
    const on = config({ confirmSubscriptions: true, topicArns: [TOPIC] });
    for (const url of [
      `https://attacker.example/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=1`,
      `https://sns.eu-central-1.amazonaws.com.attacker.example/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=1`,
      `http://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=1`,
      `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=1`,
      'https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-central-1:999999999999:theirs&Token=1',
    ]) {
      const f = fakeFetch({});
      const result = await adapter.handshake!(on, subscriptionConfirmation({ SubscribeURL: url }), req, ctxWith(f));
      expect(result).toMatchObject({ status: 403, message: expect.stringContaining('not confirmed') });
      expect(f.calls).toEqual([]);
    }
  });

  it('a failed confirmation is a 503, so SNS delivers the confirmation again', async () => {
    const on = config({ confirmSubscriptions: true, topicArns: [TOPIC] });
    const f = fakeFetch({ [confirmUrl]: () => new Response('denied', { status: 403 }) });
    await expect(adapter.handshake!(on, subscriptionConfirmation(), req, ctxWith(f))).rejects.toThrow(UnavailableError);
    await expect(adapter.handshake!(on, subscriptionConfirmation(), req, ctxWith(f))).rejects.toThrow(/SNS answered 403/);
  });

  it('UnsubscribeConfirmation: recorded, 200, nothing runs; a Notification is no handshake', async () => {
    const f = fakeFetch({});
    expect(await adapter.handshake!(config(), { ...subscriptionConfirmation(), Type: 'UnsubscribeConfirmation' }, req, ctxWith(f))).toEqual({
      status: 200,
      message: `unsubscribe confirmation for ${TOPIC} recorded; nothing runs`,
    });
    expect(await adapter.handshake!(config(), notification(), req, ctxWith(f))).toBeUndefined();
    expect(await adapter.handshake!(config(), null, req, ctxWith(f))).toBeUndefined();
    expect(f.calls).toEqual([]);
  });
});

describe('source.cloudwatch delivery id', () => {
  it('is the SNS MessageId (the same on every retry), from the signed body, else the header', () => {
    const adapter = createCloudwatchAdapter();
    expect(adapter.deliveryId!(config(), request(''), notification())).toBe('5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f');
    expect(adapter.deliveryId!(config(), request('', { 'x-amz-sns-message-id': 'from-header' }), notification())).toBe('5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f');
    expect(adapter.deliveryId!(config(), request('', { 'x-amz-sns-message-id': 'from-header' }), { Records: [] })).toBe('from-header');
    expect(adapter.deliveryId!(config(), request(''), null)).toBeUndefined();
  });
});

describe('normalizeCloudwatch', () => {
  it('maps an ALARM notification to a firing alert', () => {
    const [alert] = normalizeCloudwatch(config(), notification());
    expect(alert).toEqual({
      source: 'cloudwatch',
      status: 'firing',
      name: 'HighCPU',
      severity: 'unknown',
      summary: 'Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (90.0).',
      description: 'CPU above 90% on the web fleet',
      labels: {
        alertname: 'HighCPU',
        account: '123456789012',
        region: 'eu-central-1',
        region_name: 'EU (Frankfurt)',
        state: 'ALARM',
        previous_state: 'OK',
        namespace: 'AWS/EC2',
        metric: 'CPUUtilization',
        statistic: 'AVERAGE',
        dimension_AutoScalingGroupName: 'web-asg',
      },
      annotations: {
        summary: 'Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (90.0).',
        description: 'CPU above 90% on the web fleet',
        subject: 'ALARM: "HighCPU" in EU (Frankfurt)',
        topic_arn: TOPIC,
        message_id: '5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f',
        comparison_operator: 'GreaterThanThreshold',
        threshold: '90',
        period_seconds: '300',
        evaluation_periods: '3',
        treat_missing_data: 'breaching',
      },
      startsAt: '2026-11-24T09:12:30.512Z',
      endsAt: '',
      fingerprint: 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:HighCPU',
      dedupKey: JSON.stringify(['cloudwatch', 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:HighCPU', '2026-11-24T09:12:30.512Z', 'firing']),
      links: { source: 'https://console.aws.amazon.com/cloudwatch/home?region=eu-central-1#alarmsV2:alarm/HighCPU' },
      raw: alarm(),
    });
  });

  it('OK is resolved (ending at the state change); the same alarm keeps its fingerprint, each transition has its own dedupKey', () => {
    const [firing] = normalizeCloudwatch(config(), notification());
    const [ok] = normalizeCloudwatch(config(), notification({ NewStateValue: 'OK', OldStateValue: 'ALARM', StateChangeTime: '2026-11-24T09:40:00.000+0000' }));
    expect(ok).toMatchObject({ status: 'resolved', startsAt: '2026-11-24T09:40:00.000Z', endsAt: '2026-11-24T09:40:00.000Z', labels: { state: 'OK', previous_state: 'ALARM' } });
    expect(ok!.fingerprint).toBe(firing!.fingerprint);
    expect(ok!.dedupKey).not.toBe(firing!.dedupKey);
    // The same transition delivered again (SNS retry, a second topic) is the same notification.
    const [again] = normalizeCloudwatch(config(), notification({}, { MessageId: 'another-delivery', Timestamp: '2026-11-24T09:12:31.000Z' }));
    expect(again!.dedupKey).toBe(firing!.dedupKey);
    const [later] = normalizeCloudwatch(config(), notification({ StateChangeTime: '2026-11-24T11:00:00.000+0000' }));
    expect(later!.dedupKey).not.toBe(firing!.dedupKey);
  });

  it('INSUFFICIENT_DATA: no alert by default; firing or resolved when configured', () => {
    const body = notification({ NewStateValue: 'INSUFFICIENT_DATA', OldStateValue: 'ALARM' });
    expect(normalizeCloudwatch(config(), body)).toEqual([]);
    const [asFiring] = normalizeCloudwatch(config({ insufficientData: 'firing' }), body);
    expect(asFiring).toMatchObject({ status: 'firing', endsAt: '', labels: { state: 'INSUFFICIENT_DATA' } });
    const [asResolved] = normalizeCloudwatch(config({ insufficientData: 'resolved' }), body);
    expect(asResolved).toMatchObject({ status: 'resolved', labels: { state: 'INSUFFICIENT_DATA', previous_state: 'ALARM' } });
    const adapter = createCloudwatchAdapter();
    expect(adapter.accepts(config({ insufficientData: 'resolved' }), asResolved!)).toBe(false);
    expect(adapter.accepts(config({ insufficientData: 'resolved', on: 'both' }), asResolved!)).toBe(true);
  });

  it('starts runs for firing alerts by default, per "on"', () => {
    const adapter = createCloudwatchAdapter();
    const [firing] = normalizeCloudwatch(config(), notification());
    const [resolved] = normalizeCloudwatch(config(), notification({ NewStateValue: 'OK' }));
    expect([adapter.accepts(config(), firing!), adapter.accepts(config(), resolved!)]).toEqual([true, false]);
    expect([adapter.accepts(config({ on: 'resolved' }), firing!), adapter.accepts(config({ on: 'resolved' }), resolved!)]).toEqual([false, true]);
  });

  it('severity: "severity: <word>" in the description, else the configured one', () => {
    expect(normalizeCloudwatch(config(), notification({ AlarmDescription: 'Disk full. severity: critical' }))[0]).toMatchObject({ severity: 'critical', labels: { severity: 'critical' } });
    expect(normalizeCloudwatch(config(), notification({ AlarmDescription: '[Severity=P2] db latency' }))[0]!.severity).toBe('high');
    expect(normalizeCloudwatch(config({ severity: 'warning' }), notification({ AlarmDescription: 'severity: whatever' }))[0]!.severity).toBe('warning');
    const plain = normalizeCloudwatch(config({ severity: 'info' }), notification({ AlarmDescription: null }))[0]!;
    expect(plain).toMatchObject({ severity: 'info', description: '', labels: { severity: 'info' } });
    expect(plain.annotations.description).toBeUndefined();
    expect(normalizeCloudwatch(config(), notification())[0]!.labels.severity).toBeUndefined();
  });

  it('reads metric math and anomaly alarms (Trigger.Metrics[])', () => {
    const [alert] = normalizeCloudwatch(
      config(),
      notification({
        Trigger: {
          Period: 60,
          EvaluationPeriods: 1,
          ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
          ThresholdMetricId: 'ad1',
          TreatMissingData: 'missing',
          Metrics: [
            { Id: 'm1', MetricStat: { Metric: { Dimensions: [{ value: 'prod', name: 'ClusterName' }], MetricName: 'pod_cpu_utilization', Namespace: 'ContainerInsights' }, Period: 60, Stat: 'Average' }, ReturnData: true },
            { Expression: 'ANOMALY_DETECTION_BAND(m1, 2)', Id: 'ad1', Label: 'expected', ReturnData: true },
          ],
        },
      }),
    );
    expect(alert!.labels).toMatchObject({ namespace: 'ContainerInsights', metric: 'pod_cpu_utilization', statistic: 'Average', dimension_ClusterName: 'prod' });
    expect(alert!.annotations).toMatchObject({ threshold_metric_id: 'ad1', expression: 'ANOMALY_DETECTION_BAND(m1, 2)', treat_missing_data: 'missing' });
    expect(alert!.annotations.threshold).toBeUndefined();
  });

  it('takes composite alarms (no Trigger) and alarms without optional fields', () => {
    const [alert] = normalizeCloudwatch(
      config(),
      notification({ Trigger: undefined, AlarmDescription: undefined, Region: undefined, OldStateValue: undefined, NewStateReason: undefined, AWSAccountId: undefined }),
    );
    expect(alert).toMatchObject({ name: 'HighCPU', summary: 'ALARM: "HighCPU" in EU (Frankfurt)', labels: { alertname: 'HighCPU', account: '123456789012', region: 'eu-central-1', state: 'ALARM' } });
  });

  it('Message must be JSON holding an alarm: 422 naming the field', () => {
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({}, { Message: 'Hello from the SNS console' })))).toBe(
      'Message: is not JSON: a CloudWatch alarm notification carries the alarm as a JSON string',
    );
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({}, { Message: '"just a string"' })))).toMatch(/^Message: must be a CloudWatch alarm/);
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({}, { Message: { AlarmName: 'x' } })))).toMatch(/^Message: must be a string/);
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({}, { Message: '{"source":"aws.health"}' })))).toContain('Message.AlarmName: ');
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({ NewStateValue: 'PENDING' })))).toBe('Message.NewStateValue: must be "ALARM", "OK" or "INSUFFICIENT_DATA"');
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({ AlarmArn: 'arn:aws:sns:x' })))).toContain('Message.AlarmArn: must be a CloudWatch alarm ARN');
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({ StateChangeTime: 'yesterday' })))).toBe(
      'Message.StateChangeTime: must be a timestamp like 2020-08-21T10:09:51.489+0000',
    );
  });

  it('refuses what is not an SNS notification, naming why', () => {
    expect(issuesOf(() => normalizeCloudwatch(config(), subscriptionConfirmation()))).toBe('Type: a SubscriptionConfirmation carries no alarm (Salve answers it when SNS posts it)');
    expect(issuesOf(() => normalizeCloudwatch(config(), { Records: [{ Sns: notification() }] }))).toMatch(/^Records: this is the AWS Lambda event/);
    expect(issuesOf(() => normalizeCloudwatch(config(), { AlarmName: 'x' }))).toMatch(/^Type: must be "Notification"/);
    expect(issuesOf(() => normalizeCloudwatch(config(), null))).toContain('(root)');
    expect(issuesOf(() => normalizeCloudwatch(config(), notification({}, { MessageId: undefined })))).toContain('MessageId: ');
  });

  it('the samples: ALARM firing and OK resolved, named DiskFull, severity from the description', () => {
    const [alarmSample, okSample] = cloudwatchSamples.map((s) => normalizeCloudwatch(config(), JSON.parse(JSON.stringify(s.payload)))[0]!);
    expect(alarmSample).toMatchObject({ name: 'DiskFull', status: 'firing', severity: 'critical', labels: { alertname: 'DiskFull', severity: 'critical', dimension_path: '/var', dimension_host: 'db1' } });
    expect(okSample).toMatchObject({ name: 'DiskFull', status: 'resolved' });
  });
});

describe('helpers', () => {
  it.each([
    ['2020-08-21T10:09:51.489+0000', '2020-08-21T10:09:51.489Z'],
    ['2020-08-21T10:09:51.489-0000', '2020-08-21T10:09:51.489Z'],
    ['2020-08-21T10:09:51.489+00:00', '2020-08-21T10:09:51.489Z'],
    ['2020-08-21T10:09:51Z', '2020-08-21T10:09:51Z'],
    ['2020-08-21T12:09:51.489+0200', '2020-08-21T12:09:51.489+02:00'],
    ['2020-08-21T04:39:51.489-0530', '2020-08-21T04:39:51.489-05:30'],
  ])('toRfc3339(%s) = %s', (input, output) => {
    expect(toRfc3339(input)).toBe(output);
  });

  it.each(['2020-08-21 10:09:51', '2020-13-45T10:09:51Z', '', 'now'])('toRfc3339(%s) is no timestamp', (input) => {
    expect(toRfc3339(input)).toBeUndefined();
  });

  it('links to the alarm in the console of its partition', () => {
    expect(consoleUrl('aws', 'us-east-1', 'a b/c')).toBe('https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/a%20b%2Fc');
    expect(consoleUrl('aws-cn', 'cn-north-1', 'x')).toBe('https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/x');
    expect(consoleUrl('aws-us-gov', 'us-gov-west-1', 'x')).toBe('https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/x');
    expect(consoleUrl('aws-iso', 'us-iso-east-1', 'x')).toBeUndefined();
    const [noRegion] = normalizeCloudwatch(config(), notification({ AlarmArn: 'arn:aws:cloudwatch:REGION?:123:alarm:HighCPU' }));
    expect(noRegion!.links.source).toBeUndefined();
    expect(noRegion!.labels.region).toBeUndefined();
  });
});
