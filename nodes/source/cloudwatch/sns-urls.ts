/**
 * Which URLs in an SNS message Salve will fetch: the signing certificate and the subscription
 * confirmation link, both only on an SNS regional host over plain https. Everything else —
 * look-alike hosts, credentials, ports, other paths, encodings — is refused before any request.
 */

export type UrlCheck = { ok: true; url: string; region: string } | { ok: false; reason: string };

/** `sns.<region>.amazonaws.com`, or `.amazonaws.com.cn` in the China partition. */
const SNS_HOST = /^sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
/**
 * A region code: `us-east-1`, `eu-central-1`, `us-gov-west-1`, `cn-north-1`… Stricter than the
 * host pattern alone: `sns.s3.amazonaws.com` (an S3 bucket named "sns") matches that pattern but
 * is not SNS.
 */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** The region of an SNS host, or why it is not one. */
export function snsHostRegion(hostname: string): { ok: true; region: string } | { ok: false; reason: string } {
  const match = SNS_HOST.exec(hostname);
  if (!match) return { ok: false, reason: `host ${JSON.stringify(hostname)} is not an SNS host (sns.<region>.amazonaws.com)` };
  const region = match[1]!;
  if (!REGION.test(region)) return { ok: false, reason: `host ${JSON.stringify(hostname)} is not an SNS regional host` };
  if (Boolean(match[2]) !== region.startsWith('cn-')) {
    return { ok: false, reason: `host ${JSON.stringify(hostname)}: only China regions (cn-…) are under amazonaws.com.cn` };
  }
  return { ok: true, region };
}

/** The parts every fetched URL must pass: https, no credentials, no port, an SNS host. */
function parseSnsUrl(raw: unknown, field: string): { ok: true; url: URL; region: string } | { ok: false; reason: string } {
  if (typeof raw !== 'string' || raw === '') return { ok: false, reason: `${field} is missing` };
  if (raw.length > 2048) return { ok: false, reason: `${field} is too long` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${field} is not a URL` };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `${field} must use https` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: `${field} must not carry credentials` };
  if (url.port !== '' || /^https:\/\/[^/]*:/i.test(raw)) return { ok: false, reason: `${field} must not name a port` };
  const host = snsHostRegion(url.hostname);
  if (!host.ok) return { ok: false, reason: `${field}: ${host.reason}` };
  return { ok: true, url, region: host.region };
}

/**
 * `SigningCertURL` as SNS sends it: `https://sns.<region>.amazonaws.com/<name>.pem`, nothing
 * else (no query, no fragment, one path segment ending in `.pem`, exactly as written).
 */
export function checkSigningCertUrl(raw: unknown): UrlCheck {
  const parsed = parseSnsUrl(raw, 'SigningCertURL');
  if (!parsed.ok) return parsed;
  const { url } = parsed;
  if (!/^\/[A-Za-z0-9._-]+\.pem$/.test(url.pathname) || url.search !== '' || url.hash !== '') {
    return { ok: false, reason: 'SigningCertURL must point to a .pem file at the root of the SNS host' };
  }
  // The string itself, not only its parsed form: no percent-encoding, backslashes, upper case,
  // trailing dots or whitespace that a parser would quietly normalize.
  if (raw !== url.href || !/^https:\/\/[a-z0-9.-]+\/[A-Za-z0-9._-]+\.pem$/.test(url.href)) {
    return { ok: false, reason: 'SigningCertURL is not written the way SNS writes it' };
  }
  return { ok: true, url: url.href, region: parsed.region };
}

/**
 * `SubscribeURL` of a confirmation: `https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription
 * &TopicArn=<the message's topic>&Token=…`, on the topic's own region.
 */
export function checkSubscribeUrl(raw: unknown, topicArn: string): UrlCheck {
  const parsed = parseSnsUrl(raw, 'SubscribeURL');
  if (!parsed.ok) return parsed;
  const { url, region } = parsed;
  if (url.pathname !== '/' || url.hash !== '' || raw !== url.href || !/^https:\/\/[a-z0-9.-]+\/\?[A-Za-z0-9%&=:._~+/-]+$/.test(url.href)) {
    return { ok: false, reason: 'SubscribeURL is not written the way SNS writes it' };
  }
  const params = url.searchParams;
  if (params.get('Action') !== 'ConfirmSubscription') return { ok: false, reason: 'SubscribeURL is not a ConfirmSubscription link' };
  if (params.get('TopicArn') !== topicArn) return { ok: false, reason: 'SubscribeURL is for another topic than the message' };
  if (!params.get('Token')) return { ok: false, reason: 'SubscribeURL has no Token' };
  const topicRegion = topicArn.split(':')[3];
  if (topicRegion !== region) return { ok: false, reason: `SubscribeURL is on region ${region}, the topic on ${topicRegion ?? '(none)'}` };
  return { ok: true, url: url.href, region };
}
