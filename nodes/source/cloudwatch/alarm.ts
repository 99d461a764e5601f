import { z } from 'zod';
import { defaultDedupKey, normalizeSeverity, type Alert, type AlertStatus } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError, type Issue } from '../../../shared/errors.js';
import { stringMapIssues } from '../limits.js';
import type { CloudwatchConfig } from './definition.js';

/*
 * A CloudWatch alarm notification as an SNS HTTP(S) subscription receives it: the SNS envelope
 * (`Type`, `MessageId`, `TopicArn`, `Subject`, `Message`…) whose `Message` is the alarm itself,
 * as a JSON string. Unknown fields are allowed everywhere: AWS adds fields over time.
 */

const INVALID = 'CloudWatch notification is invalid';

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`. */
const ALARM_ARN = /^arn:([a-z-]+):cloudwatch:([^:]*):([^:]*):alarm:(.+)$/;

const SnsNotificationSchema = z.looseObject(
  {
    Type: z.literal('Notification'),
    MessageId: z.string({ error: 'must be the SNS message id (a string)' }).min(1, 'must not be empty'),
    TopicArn: z.string({ error: 'must be the SNS topic ARN (a string)' }),
    Subject: z.string().nullish(),
    Message: z.string({ error: 'must be a string: the CloudWatch alarm as JSON' }),
    Timestamp: z.string().optional(),
  },
  { error: 'must be a JSON object: an SNS notification as an HTTP(S) subscription receives it' },
);

const CloudwatchAlarmSchema = z.looseObject(
  {
    AlarmName: z.string({ error: 'must be the alarm name (a string)' }).min(1, 'must not be empty'),
    AlarmArn: z.string({ error: 'must be the alarm ARN (a string)' }).regex(ALARM_ARN, 'must be a CloudWatch alarm ARN, arn:aws:cloudwatch:<region>:<account>:alarm:<name>'),
    NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA'], { error: 'must be "ALARM", "OK" or "INSUFFICIENT_DATA"' }),
    StateChangeTime: z.string({ error: 'must be a timestamp string' }),
    NewStateReason: z.string().nullish(),
    AlarmDescription: z.string().nullish(),
    AWSAccountId: z.string().nullish(),
    Region: z.string().nullish(),
    OldStateValue: z.string().nullish(),
    Trigger: z.record(z.string(), z.unknown()).nullish(),
  },
  { error: 'must be a CloudWatch alarm (a JSON object with AlarmName, AlarmArn, NewStateValue…)' },
);

/**
 * `2020-08-21T10:09:51.489+0000` (CloudWatch writes offsets without a colon) as RFC 3339:
 * `2020-08-21T10:09:51.489Z`; other offsets get their colon. Undefined when it is no timestamp.
 */
export function toRfc3339(time: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/.exec(time.trim());
  if (!match) return undefined;
  const offset = match[2]!;
  const zone = offset === 'Z' || /^[+-]00:?00$/.test(offset) ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
  const normalized = `${match[1]}${zone}`;
  return Number.isFinite(Date.parse(normalized)) ? normalized : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): string | undefined => (typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** `- TreatMissingData:                    ignore` (as CloudWatch writes it) → `ignore`. */
function treatMissingData(v: unknown): string | undefined {
  const text = str(v)?.trim();
  return text ? text.split(/\s+/).at(-1) : undefined;
}

/** The metric an alarm watches: from the Trigger itself, or the first metric of `Trigger.Metrics[]` (metric math, anomaly bands). */
function watchedMetric(trigger: Record<string, unknown>): { namespace?: string; metric?: string; statistic?: string; dimensions: unknown } {
  if (str(trigger.MetricName) || str(trigger.Namespace)) {
    return {
      namespace: str(trigger.Namespace),
      metric: str(trigger.MetricName),
      statistic: str(trigger.Statistic) ?? str(trigger.ExtendedStatistic),
      dimensions: trigger.Dimensions,
    };
  }
  const metrics = Array.isArray(trigger.Metrics) ? trigger.Metrics : [];
  for (const query of metrics) {
    const stat = obj(obj(query)?.MetricStat);
    const metric = obj(stat?.Metric);
    if (metric) return { namespace: str(metric.Namespace), metric: str(metric.MetricName), statistic: str(stat!.Stat), dimensions: metric.Dimensions };
  }
  return { dimensions: undefined };
}

/** The metric math expression that is alarmed on (`Trigger.Metrics[]` entry with an Expression returning data). */
function alarmedExpression(trigger: Record<string, unknown>): string | undefined {
  const metrics = Array.isArray(trigger.Metrics) ? trigger.Metrics : [];
  for (const query of metrics) {
    const q = obj(query);
    if (q && str(q.Expression) && q.ReturnData !== false) return str(q.Expression);
  }
  return undefined;
}

/** `severity: critical` or `severity=high` in the alarm description (a convention; CloudWatch has no severity). */
function severityFromDescription(description: string | null | undefined): string | undefined {
  return description ? /\bseverity\s*[:=]\s*["']?([A-Za-z0-9]+)/i.exec(description)?.[1] : undefined;
}

/** The alarm in the CloudWatch console of its partition and region. */
export function consoleUrl(partition: string, region: string, alarmName: string): string | undefined {
  const host = partition === 'aws' ? 'console.aws.amazon.com' : partition === 'aws-cn' ? 'console.amazonaws.cn' : partition === 'aws-us-gov' ? 'console.amazonaws-us-gov.com' : undefined;
  if (!host || !/^[a-z0-9-]+$/.test(region)) return undefined;
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

function fail(issues: Issue[]): never {
  throw new ValidationError(INVALID, issues);
}

/** The envelope's `Type` problem, named for the operator, or undefined for a notification. */
function typeIssue(body: Record<string, unknown>): Issue | undefined {
  const type = body.Type;
  if (type === 'Notification') return undefined;
  if (type === 'SubscriptionConfirmation' || type === 'UnsubscribeConfirmation') {
    return { path: ['Type'], message: `a ${type} carries no alarm (Salve answers it when SNS posts it)` };
  }
  return { path: ['Type'], message: 'must be "Notification": an SNS message as an HTTP(S) subscription receives it' };
}

/**
 * One SNS notification of a CloudWatch alarm → one alert (none for INSUFFICIENT_DATA when
 * `insufficientData` is `ignore`). Throws ValidationError naming the field, e.g. `Message` or
 * `Message.NewStateValue`.
 */
export function normalizeCloudwatch(config: Pick<CloudwatchConfig, 'severity' | 'insufficientData'>, body: unknown): Alert[] {
  const top = obj(body);
  if (top && Array.isArray(top.Records)) {
    fail([
      {
        path: ['Records'],
        message:
          'this is the AWS Lambda event (Records[].Sns), not an SNS HTTP(S) delivery: subscribe Salve\'s /hooks/<path> URL to the topic with the HTTPS protocol',
      },
    ]);
  }
  if (top) {
    const issue = typeIssue(top);
    if (issue) fail([issue]);
  }
  const envelope = SnsNotificationSchema.safeParse(body);
  if (!envelope.success) fail(issuesFromZod(envelope.error.issues));
  const sns = envelope.data;

  let message: unknown;
  try {
    message = JSON.parse(sns.Message);
  } catch {
    fail([{ path: ['Message'], message: 'is not JSON: a CloudWatch alarm notification carries the alarm as a JSON string' }]);
  }
  const parsed = CloudwatchAlarmSchema.safeParse(message);
  if (!parsed.success) fail(issuesFromZod(parsed.error.issues, ['Message']));
  const alarm = parsed.data;

  const startsAt = toRfc3339(alarm.StateChangeTime);
  if (!startsAt) fail([{ path: ['Message', 'StateChangeTime'], message: 'must be a timestamp like 2020-08-21T10:09:51.489+0000' }]);

  let status: AlertStatus;
  if (alarm.NewStateValue === 'ALARM') status = 'firing';
  else if (alarm.NewStateValue === 'OK') status = 'resolved';
  else if (config.insufficientData === 'ignore') return [];
  else status = config.insufficientData;

  const [, partition, arnRegion, arnAccount] = ALARM_ARN.exec(alarm.AlarmArn)!;
  const region = arnRegion && /^[a-z0-9-]+$/.test(arnRegion) ? arnRegion : undefined;
  const account = str(alarm.AWSAccountId) ?? str(arnAccount);
  const trigger = alarm.Trigger ?? {};
  const watched = watchedMetric(trigger);
  const severityWord = severityFromDescription(alarm.AlarmDescription);
  const fromDescription = normalizeSeverity(severityWord);
  const severity = fromDescription !== 'unknown' ? fromDescription : config.severity;

  const labels: Record<string, string> = { alertname: alarm.AlarmName };
  const put = (map: Record<string, string>, key: string, value: string | undefined) => {
    if (value !== undefined) map[key] = value;
  };
  put(labels, 'account', account);
  put(labels, 'region', region);
  put(labels, 'region_name', str(alarm.Region));
  labels.state = alarm.NewStateValue;
  put(labels, 'previous_state', str(alarm.OldStateValue));
  put(labels, 'namespace', watched.namespace);
  put(labels, 'metric', watched.metric);
  put(labels, 'statistic', watched.statistic);
  if (Array.isArray(watched.dimensions)) {
    for (const dimension of watched.dimensions) {
      const d = obj(dimension);
      const name = str(d?.name);
      if (name && typeof d!.value === 'string') labels[`dimension_${name}`] = d!.value;
    }
  }
  if (severity !== 'unknown') labels.severity = severity;

  const annotations: Record<string, string> = {};
  put(annotations, 'summary', str(alarm.NewStateReason));
  put(annotations, 'description', str(alarm.AlarmDescription));
  put(annotations, 'subject', str(sns.Subject));
  annotations.topic_arn = sns.TopicArn;
  annotations.message_id = sns.MessageId;
  put(annotations, 'comparison_operator', str(trigger.ComparisonOperator));
  put(annotations, 'threshold', num(trigger.Threshold));
  put(annotations, 'threshold_metric_id', str(trigger.ThresholdMetricId));
  put(annotations, 'period_seconds', num(trigger.Period));
  put(annotations, 'evaluation_periods', num(trigger.EvaluationPeriods));
  put(annotations, 'datapoints_to_alarm', num(trigger.DatapointsToAlarm));
  put(annotations, 'treat_missing_data', treatMissingData(trigger.TreatMissingData));
  put(annotations, 'expression', alarmedExpression(trigger));

  // Derived from fields CloudWatch bounds far below these limits; checked all the same.
  const limitIssues = (['labels', 'annotations'] as const).flatMap((what) =>
    stringMapIssues(what === 'labels' ? labels : annotations, what).map((i) => ({
      path: ['Message'],
      message: i.key === undefined ? i.message : `${what} ${i.key}: ${i.message}`,
    })),
  );
  if (limitIssues.length > 0) fail(limitIssues);

  const links: Alert['links'] = {};
  const link = region ? consoleUrl(partition!, region, alarm.AlarmName) : undefined;
  if (link) links.source = link;

  const alert = {
    source: 'cloudwatch',
    status,
    name: alarm.AlarmName,
    severity,
    summary: str(alarm.NewStateReason) ?? str(sns.Subject) ?? alarm.AlarmName,
    description: str(alarm.AlarmDescription) ?? '',
    labels,
    annotations,
    startsAt,
    endsAt: status === 'resolved' ? startsAt : '',
    // The alarm's ARN: the same alarm across ALARM → OK → ALARM.
    fingerprint: alarm.AlarmArn,
    links,
    // The alarm as CloudWatch wrote it (the parsed Message).
    raw: message,
  };
  // StateChangeTime differs per transition and is the same on every redelivery of one.
  return [{ ...alert, dedupKey: defaultDedupKey(alert) }];
}
