import { verify } from 'node:crypto';
import type { AuthResult } from '../../source-adapter.js';
import type { CertificateCache } from './cert-cache.js';
import { checkSigningCertUrl } from './sns-urls.js';

/** The three kinds of message SNS posts to an HTTP(S) subscription. */
const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

/**
 * The fields SNS signs, per message type, in byte order of their names (AWS, "Verifying the
 * signatures of Amazon SNS messages"). `Subject` is signed only when the notification has one.
 */
const SIGNED_FIELDS: Record<SnsMessageType, readonly { name: string; optional?: true }[]> = {
  Notification: [{ name: 'Message' }, { name: 'MessageId' }, { name: 'Subject', optional: true }, { name: 'Timestamp' }, { name: 'TopicArn' }, { name: 'Type' }],
  SubscriptionConfirmation: [{ name: 'Message' }, { name: 'MessageId' }, { name: 'SubscribeURL' }, { name: 'Timestamp' }, { name: 'Token' }, { name: 'TopicArn' }, { name: 'Type' }],
  UnsubscribeConfirmation: [{ name: 'Message' }, { name: 'MessageId' }, { name: 'SubscribeURL' }, { name: 'Timestamp' }, { name: 'Token' }, { name: 'TopicArn' }, { name: 'Type' }],
};

function isSnsMessageType(value: unknown): value is SnsMessageType {
  return typeof value === 'string' && (SNS_MESSAGE_TYPES as readonly string[]).includes(value);
}

/**
 * The string SNS signed: for each signed field, its name, a newline, its value (as parsed from
 * the JSON, escapes undone), a newline. Returns why not when a field is missing or not a string.
 */
export function canonicalString(message: Record<string, unknown>): { ok: true; text: string } | { ok: false; reason: string } {
  const type = message.Type;
  if (!isSnsMessageType(type)) return { ok: false, reason: `Type ${JSON.stringify(type)} is not an SNS message type` };
  let text = '';
  for (const field of SIGNED_FIELDS[type]) {
    const value = message[field.name];
    if (value === undefined || value === null) {
      if (field.optional) continue;
      return { ok: false, reason: `${type} is missing ${field.name}` };
    }
    if (typeof value !== 'string') return { ok: false, reason: `${field.name} is not a string` };
    text += `${field.name}\n${value}\n`;
  }
  return { ok: true, text };
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. */
function digestOf(version: unknown): 'sha1' | 'sha256' | undefined {
  return version === '1' ? 'sha1' : version === '2' ? 'sha256' : undefined;
}

/**
 * Verifies an SNS message's signature: the certificate URL must be an SNS host (checked before
 * anything is fetched), the certificate comes from `certificates` (fetched with `fetchImpl` on
 * a miss) and must be valid at `now`, and the signature must match the canonical string.
 */
export async function verifySnsSignature(
  message: Record<string, unknown>,
  certificates: CertificateCache,
  fetchImpl: typeof fetch,
  now: number,
): Promise<AuthResult> {
  const digest = digestOf(message.SignatureVersion);
  if (!digest) {
    return { ok: false, reason: `unsupported SignatureVersion ${JSON.stringify(message.SignatureVersion)} (SNS uses "1" or "2")` };
  }
  const encoded = message.Signature;
  if (typeof encoded !== 'string' || encoded.length === 0 || encoded.length > 2048 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    return { ok: false, reason: 'Signature is missing or not base64' };
  }
  const canonical = canonicalString(message);
  if (!canonical.ok) return canonical;
  const certUrl = checkSigningCertUrl(message.SigningCertURL);
  if (!certUrl.ok) return certUrl;

  const cert = await certificates.get(certUrl.url, fetchImpl, now);
  if (!cert.ok) return cert;
  const { certificate } = cert;
  if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) {
    return { ok: false, reason: `signing certificate ${certUrl.url} is not valid now (${certificate.validFrom} – ${certificate.validTo})` };
  }
  let valid: boolean;
  try {
    valid = verify(digest, Buffer.from(canonical.text, 'utf8'), certificate.publicKey, Buffer.from(encoded, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: `SNS signature does not match the message (SignatureVersion ${message.SignatureVersion as string})` };
}
