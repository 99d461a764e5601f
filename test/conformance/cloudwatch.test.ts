import { describe, expect, it } from 'vitest';
import { formatIssues, ValidationError } from '../../shared/errors.js';
import { AlertSchema } from '../../shared/alert/schema.js';
import { CloudwatchConfigSchema } from '../../nodes/source/cloudwatch/definition.js';
import { CertificateCache } from '../../nodes/source/cloudwatch/cert-cache.js';
import { canonicalString } from '../../nodes/source/cloudwatch/sns-signature.js';
import { checkSigningCertUrl } from '../../nodes/source/cloudwatch/sns-urls.js';
import { createCloudwatchAdapter } from '../../nodes/source/cloudwatch/ingest.js';
import { fakeFetch, makeSigningCert } from '../kit/sns-cert.js';
import { fixtureBytes, fixtureFiles, fixtureHeaders, fixturesAvailable } from './fixtures.js';
import { normalizeContext } from '../kit/nodes.js';

/*
 * Real SNS deliveries of CloudWatch alarms (see FORMATS.md and PROVENANCE.md beside them). We
 * have no AWS signing certificate, so normalization runs with verification off; the signature
 * path is covered by the unit tests with certificates made at test time.
 */

const HTTP_BODIES = ['aws-cloudwatch/alarm-sns-http-body-byte-exact.json', 'aws-cloudwatch/ok-anomaly-band-sns-http-body-reserialized.json'];
const LAMBDA_EVENT = 'aws-cloudwatch/alarm-metric-math-sns-lambda-event.json';

const adapter = createCloudwatchAdapter({ certificates: new CertificateCache() });
const unverified = CloudwatchConfigSchema.parse({ path: 'aws', verifySignature: false, auth: { type: 'none' } });

/** The delivery as SNS posts it: the exact bytes, the documented headers (text/plain). */
function delivery(file: string) {
  const rawBody = fixtureBytes(file);
  return { headers: { 'content-type': 'text/plain; charset=UTF-8', ...fixtureHeaders(file) }, rawBody, body: JSON.parse(Buffer.from(rawBody).toString('utf8')) as Record<string, unknown> };
}

function normalizeFile(file: string) {
  const d = delivery(file);
  return adapter.normalize(unverified, d.body, normalizeContext({ headers: d.headers, rawBody: d.rawBody }));
}

describe.skipIf(!fixturesAvailable)('source.cloudwatch against real SNS deliveries', () => {
  it('covers every file of the folder (HTTP bodies plus the Lambda wrapper)', () => {
    expect(fixtureFiles('aws-cloudwatch').sort()).toEqual([...HTTP_BODIES, LAMBDA_EVENT].sort());
  });

  it.each(HTTP_BODIES)('%s: accepted as SNS posts it (text/plain, documented headers), one valid alert', async (file) => {
    const d = delivery(file);
    expect(adapter.contentTypes).toContain(d.headers['content-type']!.split(';')[0]);
    const ctx = { secrets: () => undefined, now: Date.now(), fetch: fakeFetch({}) };
    expect(await adapter.authenticate(unverified, { headers: d.headers, rawBody: d.rawBody }, ctx)).toEqual({ ok: true });
    expect(await adapter.handshake!(unverified, d.body, { headers: d.headers, rawBody: d.rawBody }, ctx)).toBeUndefined();
    const alerts = normalizeFile(file);
    expect(alerts).toHaveLength(1);
    expect(AlertSchema.safeParse(alerts[0]).success).toBe(true);
    expect(ctx.fetch.calls).toEqual([]);
  });

  it('ALARM → firing; AlarmArn is the identity; region code from the ARN, display name from Region; +0000 times become Z', () => {
    const d = delivery(HTTP_BODIES[0]!);
    const message = JSON.parse(d.body.Message as string) as Record<string, unknown>;
    const [alert] = normalizeFile(HTTP_BODIES[0]!);
    expect(alert).toMatchObject({
      source: 'cloudwatch',
      status: 'firing',
      name: message.AlarmName,
      fingerprint: message.AlarmArn,
      summary: message.NewStateReason,
      description: message.AlarmDescription,
      startsAt: '2020-08-21T10:09:51.489Z',
      endsAt: '',
      severity: 'unknown', // CloudWatch has no severity
      labels: {
        alertname: 'AlarmMilkbotDev',
        account: '263652615682',
        region: 'eu-central-1',
        region_name: 'EU (Frankfurt)',
        state: 'ALARM',
        previous_state: 'OK',
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        statistic: 'SUM',
        dimension_QueueName: 'invoices-transactions-dead',
      },
      annotations: { message_id: d.body.MessageId, topic_arn: d.body.TopicArn, subject: d.body.Subject, treat_missing_data: 'ignore', threshold: '0' },
      links: { source: 'https://console.aws.amazon.com/cloudwatch/home?region=eu-central-1#alarmsV2:alarm/AlarmMilkbotDev' },
      raw: message,
    });
    expect(alert!.dedupKey).toBe(JSON.stringify(['cloudwatch', message.AlarmArn, '2020-08-21T10:09:51.489Z', 'firing']));
    // Only firing starts a default source.
    expect(adapter.accepts(CloudwatchConfigSchema.parse({ path: 'aws' }), alert!)).toBe(true);
  });

  it('OK → resolved; an anomaly-band alarm (Trigger.Metrics[], ThresholdMetricId) with AlarmDescription null', () => {
    const [alert] = normalizeFile(HTTP_BODIES[1]!);
    expect(alert).toMatchObject({
      status: 'resolved',
      name: 'ContainerInsight-pod_cpu_utilization',
      fingerprint: 'arn:aws:cloudwatch:ap-northeast-2:257706363616:alarm:ContainerInsight-pod_cpu_utilization',
      description: '',
      startsAt: '2021-06-27T13:53:39.351Z',
      endsAt: '2021-06-27T13:53:39.351Z',
      labels: {
        region: 'ap-northeast-2',
        region_name: 'Asia Pacific (Seoul)',
        account: '257706363616',
        state: 'OK',
        namespace: 'ContainerInsights',
        metric: 'pod_cpu_utilization',
        dimension_ClusterName: 'cloudone-dev-v1-eks-cluster',
      },
      annotations: { threshold_metric_id: 'ad1', expression: 'ANOMALY_DETECTION_BAND(m1, 0.592)' },
    });
    expect(adapter.accepts(CloudwatchConfigSchema.parse({ path: 'aws' }), alert!)).toBe(false);
  });

  it('the Lambda event wrapper is a different envelope: refused with a clear 422', () => {
    const body = JSON.parse(Buffer.from(fixtureBytes(LAMBDA_EVENT)).toString('utf8'));
    let error: unknown;
    try {
      adapter.normalize(unverified, body, normalizeContext());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(formatIssues((error as ValidationError).issues)).toMatch(/^Records: this is the AWS Lambda event \(Records\[\]\.Sns\), not an SNS HTTP\(S\) delivery/);
  });

  it('with verification on (the default), the real signatures are checked against the SNS certificate URL they name', async () => {
    for (const file of HTTP_BODIES) {
      const d = delivery(file);
      // The URLs the real deliveries name pass the host check.
      expect(checkSigningCertUrl(d.body.SigningCertURL)).toMatchObject({ ok: true });
      expect(canonicalString(d.body).ok).toBe(true);
      // A certificate that is not AWS's does not verify AWS's signature; nothing else is fetched.
      const impostor = makeSigningCert();
      const f = fakeFetch({ [d.body.SigningCertURL as string]: impostor.pem });
      const result = await createCloudwatchAdapter({ certificates: new CertificateCache() }).authenticate(
        CloudwatchConfigSchema.parse({ path: 'aws' }),
        { headers: d.headers, rawBody: d.rawBody },
        { secrets: () => undefined, now: Date.now(), fetch: f },
      );
      expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
      expect(f.calls).toEqual([d.body.SigningCertURL]);
    }
  });
});
