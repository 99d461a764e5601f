import { z } from 'zod';
import { AlertSchema, SeveritySchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { hookTrigger, AllowFromSchema, SourceOnSchema, sourceUi } from '../common.js';
import { AuthConfigSchema, describeAuth } from '../auth.js';
import { SlugSchema } from '../../../shared/flow/schema.js';
import { cloudwatchSamples } from './samples.js';

/** An SNS topic ARN, e.g. `arn:aws:sns:eu-central-1:123456789012:alarms` (China and GovCloud partitions too). */
const TopicArnSchema = z
  .string()
  .regex(
    /^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/,
    'must be an SNS topic ARN, e.g. arn:aws:sns:eu-central-1:123456789012:alarms',
  );

/** What an `INSUFFICIENT_DATA` state becomes: nothing (recorded only), a firing alert, or a resolved one. */
const InsufficientDataSchema = z.enum(['ignore', 'firing', 'resolved']).default('ignore');

export const CloudwatchConfigSchema = z
  .strictObject({
    /** The hook path: SNS posts to `/hooks/<path>`. */
    path: SlugSchema,
    /**
     * SNS message signature check (default on): the certificate comes only from
     * `https://sns.<region>.amazonaws.com[.cn]/…pem`. Turning it off must be written out, and
     * then `auth` must be written out too.
     */
    verifySignature: z.boolean().default(true),
    /**
     * Optional extra check on top of the signature (the base union of every source). Absent:
     * the SNS signature alone authenticates. Required when `verifySignature` is false.
     */
    auth: AuthConfigSchema.optional(),
    /** Topics whose messages are accepted; others are refused (401). Strongly recommended. */
    topicArns: z.array(TopicArnSchema).min(1, 'list at least one topic ARN, or leave topicArns out').max(100).optional(),
    /** Confirm SNS subscriptions automatically (GET the SubscribeURL). Off by default. */
    confirmSubscriptions: z.boolean().default(false),
    on: SourceOnSchema,
    /** CloudWatch alarms carry no severity: this one is used unless the description says `severity: <word>`. */
    severity: SeveritySchema.default('unknown'),
    insufficientData: InsufficientDataSchema,
    allowFrom: AllowFromSchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.verifySignature === false && config.auth === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          'verifySignature is false, so nothing proves a delivery comes from SNS: write auth out, e.g. a header check behind a proxy, or "none" on a trusted network',
      });
    }
    if (config.confirmSubscriptions && !config.verifySignature) {
      ctx.addIssue({
        code: 'custom',
        path: ['confirmSubscriptions'],
        message: 'confirmSubscriptions needs verifySignature: an unsigned confirmation could come from anyone',
      });
    }
    if (config.confirmSubscriptions && config.topicArns === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['topicArns'],
        message: 'confirmSubscriptions needs topicArns: any AWS account can subscribe this URL to its own topic',
      });
    }
  });
export type CloudwatchConfig = z.infer<typeof CloudwatchConfigSchema>;

/** The canvas line: `/hooks/aws · SNS signature · 2 topics · firing`. */
function cloudwatchSummary(config: CloudwatchConfig): string {
  const checks = [config.verifySignature ? 'SNS signature' : 'NO signature check'];
  if (config.auth) checks.push(describeAuth(config.auth));
  if (config.topicArns) checks.push(config.topicArns.length === 1 ? '1 topic' : `${config.topicArns.length} topics`);
  const on = config.on === 'both' ? 'firing + resolved' : config.on;
  return `/hooks/${config.path} · ${checks.join(' · ')} · ${on}`;
}

/** Amazon CloudWatch alarms delivered by an SNS topic's HTTP(S) subscription. */
export const cloudwatchSource = defineNodeType({
  type: 'source.cloudwatch',
  category: 'source',
  label: 'CloudWatch',
  defaultId: 'cloudwatch',
  description: 'Starts the flow for each CloudWatch alarm state change an SNS topic posts to /hooks/<path>.',
  icon: 'cloudwatch',
  configSchema: CloudwatchConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => cloudwatchSummary(config),
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourcecloudwatch).",
  ],
  ui: {
    ...sourceUi,
    verifySignature: {
      widget: 'boolean',
      label: 'Verify SNS signature',
      help: 'Keep on: it is what proves a delivery comes from SNS. Off only behind something that checks it for you.',
    },
    'auth.type': {
      widget: 'select',
      label: 'Extra authentication',
      help: 'Optional, on top of the SNS signature. Required (even "none") when the signature check is off.',
    },
    'auth.token': { widget: 'secret', label: 'Bearer token' },
    topicArns: {
      widget: 'list',
      label: 'Allowed topics',
      help: 'SNS topic ARNs whose messages are accepted, e.g. arn:aws:sns:eu-central-1:123456789012:alarms.',
    },
    confirmSubscriptions: {
      widget: 'boolean',
      label: 'Confirm subscriptions',
      help: 'Confirm SNS subscriptions of the allowed topics automatically. Off: confirm by hand with the SubscribeURL from the event log.',
    },
    severity: { widget: 'select', label: 'Severity', help: 'CloudWatch has none; "severity: <word>" in the alarm description overrides this.' },
    insufficientData: {
      widget: 'select',
      label: 'INSUFFICIENT_DATA is',
      help: 'ignore (recorded, no alert), firing (e.g. a metric stopped reporting), or resolved.',
    },
  },
  samples: cloudwatchSamples,
  sampleConfig: { path: 'aws' },
});
