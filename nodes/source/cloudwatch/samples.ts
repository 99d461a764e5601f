import type { NodeSample } from '../../definition.js';

/*
 * Written for Salve (not captured): a CloudWatch alarm on the CloudWatch agent's disk metric, as
 * an SNS HTTPS subscription receives it. Unsigned (`Signature` is a placeholder): the Test panel
 * simulates, which normalizes without verifying. Its alarm name and description fit
 * examples/disk-full.json (alertname DiskFull, severity critical).
 */

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:salve-alarms';
const ALARM_ARN = 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:DiskFull';

function diskFull(state: 'ALARM' | 'OK') {
  const firing = state === 'ALARM';
  const alarm = {
    AlarmName: 'DiskFull',
    AlarmDescription: 'severity: critical. Less than 4% of /var is left on db1; postgresql stops writing when it is full.',
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-11-20T08:00:00.000+0000',
    NewStateValue: state,
    NewStateReason: firing
      ? 'Threshold Crossed: 1 out of the last 1 datapoints [96.2 (24/11/26 09:11:00)] was greater than or equal to the threshold (95.0) (minimum 1 datapoint for OK -> ALARM transition).'
      : 'Threshold Crossed: 1 out of the last 1 datapoints [61.0 (24/11/26 09:46:00)] was not greater than or equal to the threshold (95.0) (minimum 1 datapoint for ALARM -> OK transition).',
    StateChangeTime: firing ? '2026-11-24T09:12:30.512+0000' : '2026-11-24T09:47:00.204+0000',
    Region: 'EU (Frankfurt)',
    AlarmArn: ALARM_ARN,
    OldStateValue: firing ? 'OK' : 'ALARM',
    OKActions: [TOPIC],
    AlarmActions: [TOPIC],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: 'disk_used_percent',
      Namespace: 'CWAgent',
      StatisticType: 'Statistic',
      Statistic: 'MAXIMUM',
      Unit: null,
      Dimensions: [
        { value: 'db1', name: 'host' },
        { value: '/var', name: 'path' },
        { value: 'nvme1n1', name: 'device' },
        { value: 'xfs', name: 'fstype' },
      ],
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 95.0,
      TreatMissingData: 'missing',
      EvaluateLowSampleCountPercentile: '',
    },
  };
  return {
    Type: 'Notification',
    MessageId: firing ? '5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f' : '7e1f3a5c-9b2d-5c4e-8f6a-1b2c3d4e5f60',
    TopicArn: TOPIC,
    Subject: `${state}: "DiskFull" in EU (Frankfurt)`,
    Message: JSON.stringify(alarm),
    Timestamp: firing ? '2026-11-24T09:12:30.580Z' : '2026-11-24T09:47:00.262Z',
    SignatureVersion: '2',
    Signature: 'UNSIGNED-SAMPLE',
    SigningCertURL: 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000000000000000000000000000000.pem',
    UnsubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
  };
}

/** Test payloads for `source.cloudwatch`. */
export const cloudwatchSamples: readonly NodeSample[] = [
  {
    name: 'DiskFull ALARM',
    description: 'A CloudWatch alarm on disk_used_percent of /var on db1 entering ALARM, as SNS posts it (unsigned).',
    payload: diskFull('ALARM'),
  },
  {
    name: 'DiskFull OK',
    description: 'The same alarm back to OK; a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFull('OK'),
  },
];
