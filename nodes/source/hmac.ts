import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretRef } from '../../shared/flow/schema.js';
import type { AuthResult, IngestContext, IngestRequest } from '../source-adapter.js';
import { SIGNATURE_WINDOW_SECONDS } from './hmac-schema.js';

/** What to check: whose secret, which header carries the signature, and the signed timestamp's header. */
export interface HmacCheck {
  /** One secret, or two while rotating: a delivery signed with any of them is accepted. */
  secrets: readonly SecretRef[];
  /** The header holding the lower-case hex HMAC-SHA256, e.g. `X-Grafana-Alerting-Signature`. */
  signatureHeader: string;
  /**
   * When set, the header holding the Unix time in seconds; the signed bytes are then
   * `timestamp + ":" + body` and the timestamp must be within ±`windowSeconds` of now.
   */
  timestampHeader?: string;
  windowSeconds?: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^\d{1,15}$/;

/** The bytes that are signed: the raw body, or `timestamp:body`. */
export function signedBytes(rawBody: Uint8Array, timestamp?: string): Buffer {
  const body = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  return timestamp === undefined ? body : Buffer.concat([Buffer.from(`${timestamp}:`, 'utf8'), body]);
}

/** Lower-case hex HMAC-SHA256 of `data` under `secret` (what Grafana and the Zabbix media type send). */
export function hmacHex(secret: string, data: Uint8Array | string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/**
 * Verifies an HMAC-signed delivery over its raw bytes, in constant time. Fails closed: with no
 * configured secret set (or only empty ones) every delivery is refused. A secret of a rotation
 * pair that is not set is skipped. Reasons name headers and secret names, never values.
 */
export function verifyHmac(check: HmacCheck, request: IngestRequest, ctx: Pick<IngestContext, 'secrets' | 'now'>): AuthResult {
  // An empty key is a key anyone can sign with: treat it as unset.
  const keys = check.secrets.map((ref) => ctx.secrets(ref.secret)).filter((v): v is string => v !== undefined && v !== '');
  if (keys.length === 0) {
    const names = check.secrets.map((ref) => ref.secret).join(', ');
    return { ok: false, reason: check.secrets.length > 1 ? `none of the secrets ${names} is set` : `secret ${names} is not set` };
  }

  const given = request.headers[check.signatureHeader.toLowerCase()]?.trim().toLowerCase();
  if (given === undefined || given === '') return { ok: false, reason: `missing ${check.signatureHeader} header` };
  if (!HEX_SHA256.test(given)) return { ok: false, reason: `${check.signatureHeader} is not a hex HMAC-SHA256` };

  let timestamp: string | undefined;
  if (check.timestampHeader !== undefined) {
    timestamp = request.headers[check.timestampHeader.toLowerCase()]?.trim();
    if (timestamp === undefined || timestamp === '') return { ok: false, reason: `missing ${check.timestampHeader} header` };
    if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: `${check.timestampHeader} is not a Unix time in seconds` };
    const window = check.windowSeconds ?? SIGNATURE_WINDOW_SECONDS;
    const skew = Number(timestamp) - Math.floor(ctx.now / 1000);
    if (skew < -window) return { ok: false, reason: `${check.timestampHeader} is ${-skew} s old (expired: at most ${window} s)` };
    if (skew > window) return { ok: false, reason: `${check.timestampHeader} is ${skew} s in the future (at most ${window} s)` };
  }

  const data = signedBytes(request.rawBody, timestamp);
  const offered = Buffer.from(given, 'hex');
  // Every key is tried, so the time taken does not say which one (if any) matched.
  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(data).digest();
    if (timingSafeEqual(expected, offered)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: `wrong signature in ${check.signatureHeader}` };
}
