import { UnavailableError } from '../../../shared/errors.js';
import type { AuthResult, HandshakeResult, IngestContext, IngestRequest, WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { verifyAuth } from '../verify-auth.js';
import { normalizeCloudwatch } from './alarm.js';
import { CertificateCache, readLimited, withTimeout } from './cert-cache.js';
import type { CloudwatchConfig } from './definition.js';
import { verifySnsSignature } from './sns-signature.js';
import { checkSubscribeUrl } from './sns-urls.js';

/** How long confirming a subscription may take (SNS waits about 15 s for an answer). */
const CONFIRM_TIMEOUT_MS = 10_000;
/** Largest ConfirmSubscription answer read (it is a short XML document). */
const CONFIRM_MAX_BYTES = 64 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The body as a JSON object, or why not (read again here: the signature covers parsed fields). */
function envelopeOf(rawBody: Uint8Array): { ok: true; message: Record<string, unknown> } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(rawBody));
  } catch {
    return { ok: false, reason: 'body is not JSON, so it is no SNS message' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'body is not a JSON object, so it is no SNS message' };
  return { ok: true, message: value as Record<string, unknown> };
}

export interface CloudwatchAdapterOptions {
  /** Where signing certificates are kept; one per process by default. */
  certificates?: CertificateCache;
}

/**
 * `source.cloudwatch`: CloudWatch alarms through an SNS HTTP(S) subscription. Authenticates
 * with the SNS message signature (and `auth`, when configured) and the `topicArns` allowlist;
 * answers subscription confirmations itself; reads each notification's alarm.
 */
export function createCloudwatchAdapter(options: CloudwatchAdapterOptions = {}): WebhookAdapter<CloudwatchConfig> {
  const certificates = options.certificates ?? new CertificateCache();
  return {
    ...webhookBase,
    // SNS posts JSON as `text/plain; charset=UTF-8` unless the delivery policy sets headerContentType.
    contentTypes: ['text/plain', 'application/json'],

    async authenticate(config: CloudwatchConfig, request: IngestRequest, ctx: IngestContext): Promise<AuthResult> {
      if (config.auth) {
        const auth = verifyAuth(config.auth, request, ctx.secrets);
        if (!auth.ok) return auth;
      }
      const verifying = config.verifySignature;
      if (!verifying && !config.topicArns) return { ok: true };

      const envelope = envelopeOf(request.rawBody);
      if (!envelope.ok) return envelope;
      const message = envelope.message;
      // The x-amz-sns-* headers are not signed: only the body's fields count.
      if (config.topicArns) {
        const topic = message.TopicArn;
        if (typeof topic !== 'string' || !config.topicArns.includes(topic)) {
          return { ok: false, reason: `TopicArn ${JSON.stringify(topic ?? null)} is not in topicArns` };
        }
      }
      if (!verifying) return { ok: true };
      return verifySnsSignature(message, certificates, ctx.fetch, ctx.now);
    },

    async handshake(config: CloudwatchConfig, body: unknown, _request: IngestRequest, ctx: IngestContext): Promise<HandshakeResult | undefined> {
      const message = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      const topic = typeof message.TopicArn === 'string' ? message.TopicArn : '(no TopicArn)';
      if (message.Type === 'UnsubscribeConfirmation') {
        return { status: 200, message: `unsubscribe confirmation for ${topic} recorded; nothing runs` };
      }
      if (message.Type !== 'SubscriptionConfirmation') return undefined;

      if (!config.confirmSubscriptions) {
        return {
          status: 200,
          message: `subscription to ${topic} not confirmed: confirmSubscriptions is off. Confirm it yourself with the SubscribeURL of this delivery (in the event log)`,
        };
      }
      const subscribe = checkSubscribeUrl(message.SubscribeURL, topic);
      if (!subscribe.ok) return { status: 403, message: `subscription to ${topic} not confirmed: ${subscribe.reason}` };
      try {
        await withTimeout(
          async (signal) => {
            const response = await ctx.fetch(subscribe.url, { method: 'GET', redirect: 'error', signal });
            // The answer is a short XML document; read (at most a little of) it so the connection is released.
            await readLimited(response, CONFIRM_MAX_BYTES);
            if (response.status !== 200) throw new Error(`SNS answered ${response.status}`);
          },
          CONFIRM_TIMEOUT_MS,
          `no answer in ${CONFIRM_TIMEOUT_MS / 1000} s`,
        );
      } catch (error) {
        // 503: SNS retries 5xx, so the confirmation is delivered (and tried) again.
        throw new UnavailableError(`could not confirm the subscription to ${topic}: ${(error as Error).message}`, 30);
      }
      return { status: 200, message: `subscription to ${topic} confirmed` };
    },

    // SNS keeps a message's MessageId on every retry. The body's is signed; the header is a copy.
    deliveryId: (_config, request, body) => {
      const id = body && typeof body === 'object' ? (body as Record<string, unknown>).MessageId : undefined;
      return typeof id === 'string' ? id : request.headers['x-amz-sns-message-id'];
    },

    normalize: (config, body) => normalizeCloudwatch(config, body),
    accepts: (config, alert) => acceptsStatus(config.on, alert),
  };
}

/** The adapter the runtime uses (one certificate cache per process). */
export const cloudwatchAdapter = createCloudwatchAdapter();
