import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../nodes/safe-equal.js';

/**
 * Slack's request signing (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
 * "v0:" + X-Slack-Request-Timestamp + ":" + raw body)>`, the timestamp in Unix seconds. A
 * request older (or newer) than five minutes is refused, so a captured request cannot be
 * replayed later. Checked over the raw bytes, before anything parses the body.
 */

/** Slack's window: requests whose timestamp is further than this from now are refused. */
const SLACK_MAX_SKEW_SECONDS = 300;

/** The signature Slack sends for `body` at `timestamp` (seconds, as sent). */
export function slackSignature(secret: string, timestamp: string, body: string | Uint8Array): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: string };

/** Whether a request carries Slack's signature for its body, made within the window around `nowMs`. */
export function verifySlackSignature(opts: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Uint8Array;
  nowMs: number;
}): SlackSignatureCheck {
  const { timestamp, signature } = opts;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Slack-Request-Timestamp is missing or not Unix seconds' };
  if (Math.abs(opts.nowMs / 1000 - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    return { ok: false, reason: `X-Slack-Request-Timestamp is more than ${SLACK_MAX_SKEW_SECONDS / 60} minutes from now (a replay, or a wrong clock)` };
  }
  if (!signature?.startsWith('v0=')) return { ok: false, reason: 'X-Slack-Signature is missing or not v0=<hex>' };
  if (!safeEqual(signature, slackSignature(opts.secret, timestamp, opts.body))) return { ok: false, reason: 'X-Slack-Signature does not match the body (wrong signing secret, or the body was changed)' };
  return { ok: true };
}
