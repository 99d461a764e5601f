import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateCache } from './cert-cache.js';
import { canonicalString, verifySnsSignature } from './sns-signature.js';
import { fakeFetch, makeSigningCert, signSnsMessage, type TestSigningCert } from '../../../test/kit/sns-cert.js';

const CERT_URL = 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:alarms';
const NOW = Date.parse('2026-11-24T09:12:31Z');

/** A notification as SNS would post it, before signing. */
function notification(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: '5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f',
    TopicArn: TOPIC,
    Subject: 'ALARM: "DiskFull" in EU (Frankfurt)',
    Message: '{"AlarmName":"DiskFull","NewStateValue":"ALARM"}\nsecond line',
    Timestamp: '2026-11-24T09:12:30.580Z',
    SignatureVersion: '1',
    SigningCertURL: CERT_URL,
    UnsubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:0f1e`,
    ...extra,
  };
}

function confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'): Record<string, unknown> {
  return {
    Type: type,
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
    TopicArn: TOPIC,
    Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`,
    Timestamp: '2026-11-24T09:00:00.000Z',
    SignatureVersion: '2',
    SigningCertURL: CERT_URL,
  };
}

describe('canonicalString (the string SNS signs)', () => {
  it('Notification: Message, MessageId, Subject, Timestamp, TopicArn, Type — name, newline, value, newline', () => {
    expect(canonicalString(notification())).toEqual({
      ok: true,
      text:
        'Message\n{"AlarmName":"DiskFull","NewStateValue":"ALARM"}\nsecond line\n' +
        'MessageId\n5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f\n' +
        'Subject\nALARM: "DiskFull" in EU (Frankfurt)\n' +
        'Timestamp\n2026-11-24T09:12:30.580Z\n' +
        `TopicArn\n${TOPIC}\n` +
        'Type\nNotification\n',
    });
  });

  it('Notification without a Subject leaves it out (absent or null)', () => {
    const { Subject: _, ...noSubject } = notification();
    const expected = `Message\n{"AlarmName":"DiskFull","NewStateValue":"ALARM"}\nsecond line\nMessageId\n5b0d2c4e-3f1a-5e8b-9c7d-0a1b2c3d4e5f\nTimestamp\n2026-11-24T09:12:30.580Z\nTopicArn\n${TOPIC}\nType\nNotification\n`;
    expect(canonicalString(noSubject)).toEqual({ ok: true, text: expected });
    expect(canonicalString(notification({ Subject: null }))).toEqual({ ok: true, text: expected });
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)('%s: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type', (type) => {
    const m = confirmation(type);
    expect(canonicalString(m)).toEqual({
      ok: true,
      text:
        `Message\n${m.Message as string}\n` +
        `MessageId\n${m.MessageId as string}\n` +
        `SubscribeURL\n${m.SubscribeURL as string}\n` +
        `Timestamp\n${m.Timestamp as string}\n` +
        `Token\n${m.Token as string}\n` +
        `TopicArn\n${TOPIC}\n` +
        `Type\n${type}\n`,
    });
  });

  it('signs neither the envelope fields outside the list nor a Subject on confirmations', () => {
    const a = canonicalString({ ...confirmation('SubscriptionConfirmation'), Subject: 'x', UnsubscribeURL: 'y', SignatureVersion: '1' });
    expect(a).toEqual(canonicalString(confirmation('SubscriptionConfirmation')));
  });

  it('names a missing or non-string field, and an unknown Type', () => {
    const { Token: _, ...noToken } = confirmation('SubscriptionConfirmation');
    expect(canonicalString(noToken)).toEqual({ ok: false, reason: 'SubscriptionConfirmation is missing Token' });
    expect(canonicalString(notification({ MessageId: 7 }))).toEqual({ ok: false, reason: 'MessageId is not a string' });
    expect(canonicalString(notification({ Type: 'Ping' }))).toMatchObject({ ok: false, reason: expect.stringContaining('not an SNS message type') });
  });
});

describe('verifySnsSignature', () => {
  let signer: TestSigningCert;
  let other: TestSigningCert;
  beforeAll(() => {
    signer = makeSigningCert({ notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 86_400_000) });
    other = makeSigningCert({ notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 86_400_000) });
  });
  const check = (message: Record<string, unknown>, pem = signer.pem, cache = new CertificateCache()) =>
    verifySnsSignature(message, cache, fakeFetch({ [CERT_URL]: pem }), NOW);

  it.each(['1', '2'] as const)('SignatureVersion %s: a correctly signed notification verifies', async (version) => {
    expect(await check(signSnsMessage(notification(), signer.privateKey, version))).toEqual({ ok: true });
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)('%s verifies with v1 and v2', async (type) => {
    for (const version of ['1', '2'] as const) {
      expect(await check(signSnsMessage(confirmation(type), signer.privateKey, version))).toEqual({ ok: true });
    }
  });

  it('refuses a tampered field, a swapped version, another key, and garbage', async () => {
    const signed = signSnsMessage(notification(), signer.privateKey, '2');
    for (const tampered of [
      { ...signed, Message: signed.Message + ' ' },
      { ...signed, Subject: 'OK: "DiskFull"' },
      { ...signed, TopicArn: 'arn:aws:sns:eu-central-1:123456789012:other' },
      { ...signed, Timestamp: '2026-11-24T09:12:30.581Z' },
      { ...signed, SignatureVersion: '1' },
    ]) {
      expect(await check(tampered)).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    }
    expect(await check(signed, other.pem)).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    expect(await check({ ...signed, Signature: Buffer.from('x'.repeat(256)).toString('base64') })).toMatchObject({ ok: false });
    expect(await check({ ...signed, Signature: 'not base64!' })).toEqual({ ok: false, reason: 'Signature is missing or not base64' });
    expect(await check({ ...signed, Signature: undefined })).toEqual({ ok: false, reason: 'Signature is missing or not base64' });
  });

  it('refuses unknown signature versions before fetching anything', async () => {
    for (const version of ['3', '0', '', 1, null, 'constructor', '__proto__']) {
      const f = fakeFetch({ [CERT_URL]: signer.pem });
      const result = await verifySnsSignature(notification({ SignatureVersion: version, Signature: 'AAAA' }), new CertificateCache(), f, NOW);
      expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('unsupported SignatureVersion') });
      expect(f.calls).toEqual([]);
    }
  });

  it('never fetches a certificate from a host that is not SNS', async () => {
    const evil = 'https://sns.eu-central-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem';
    const f = fakeFetch({ [evil]: signer.pem });
    const message = signSnsMessage(notification({ SigningCertURL: evil }), signer.privateKey, '1');
    expect(await verifySnsSignature(message, new CertificateCache(), f, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('not an SNS host') });
    expect(f.calls).toEqual([]);
  });

  it('refuses a certificate that is expired or not yet valid at the engine clock', async () => {
    const expired = makeSigningCert({ notBefore: new Date(NOW - 10 * 86_400_000), notAfter: new Date(NOW - 86_400_000) });
    expect(await check(signSnsMessage(notification(), expired.privateKey, '1'), expired.pem)).toMatchObject({ ok: false, reason: expect.stringContaining('expired') });
    const future = makeSigningCert({ notBefore: new Date(NOW + 86_400_000), notAfter: new Date(NOW + 10 * 86_400_000) });
    expect(await check(signSnsMessage(notification(), future.privateKey, '1'), future.pem)).toMatchObject({ ok: false, reason: expect.stringContaining('not valid now') });
  });

  it('refuses what is not an RSA X.509 certificate', async () => {
    const signed = signSnsMessage(notification(), signer.privateKey, '1');
    const ec = makeSigningCert({ keyType: 'ec' });
    expect(await check(signed, ec.pem)).toMatchObject({ ok: false, reason: expect.stringContaining('RSA') });
    expect(await check(signed, 'hello')).toMatchObject({ ok: false, reason: expect.stringContaining('not a PEM certificate') });
    expect(await check(signed, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toMatchObject({ ok: false, reason: expect.stringContaining('not a readable X.509') });
    const publicKeyPem = (await import('node:crypto')).createPublicKey(signer.privateKey).export({ type: 'spki', format: 'pem' }) as string;
    expect(await check(signed, publicKeyPem)).toMatchObject({ ok: false, reason: expect.stringContaining('not a PEM certificate') });
  });
});

describe('CertificateCache', () => {
  let signer: TestSigningCert;
  beforeAll(() => {
    signer = makeSigningCert({ notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 86_400_000) });
  });

  it('fetches a URL once, however many deliveries name it at once or later', async () => {
    const cache = new CertificateCache();
    const f = fakeFetch({ [CERT_URL]: signer.pem });
    const message = signSnsMessage(notification(), signer.privateKey, '1');
    const results = await Promise.all(Array.from({ length: 50 }, () => verifySnsSignature(message, cache, f, NOW)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await verifySnsSignature(message, cache, f, NOW + 3600_000)).toEqual({ ok: true });
    expect(f.calls).toEqual([CERT_URL]);
    // After the TTL (24 h) it is fetched again.
    await cache.get(CERT_URL, f, NOW + 25 * 3600_000);
    expect(f.calls).toHaveLength(2);
  });

  it('remembers a failure briefly, then tries again', async () => {
    const cache = new CertificateCache({ failureTtlMs: 15_000 });
    const f = fakeFetch({});
    for (let i = 0; i < 20; i++) expect((await cache.get(CERT_URL, f, NOW + i * 100)).ok).toBe(false);
    expect(f.calls).toHaveLength(1);
    expect(await cache.get(CERT_URL, f, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('answered 404') });
    await cache.get(CERT_URL, f, NOW + 15_001);
    expect(f.calls).toHaveLength(2);
  });

  it('marks failures that may pass (network, timeout, 5xx, fetch limit) as retryable, and a 404 as final', async () => {
    const down = fakeFetch({ [CERT_URL]: () => Promise.reject(new TypeError('fetch failed')) });
    expect(await new CertificateCache().get(CERT_URL, down, NOW)).toMatchObject({ ok: false, retryable: true });
    const busy = fakeFetch({ [CERT_URL]: () => new Response('busy', { status: 503 }) });
    expect(await new CertificateCache().get(CERT_URL, busy, NOW)).toMatchObject({ ok: false, retryable: true });
    expect(await new CertificateCache().get(CERT_URL, fakeFetch({}), NOW)).toMatchObject({ ok: false, retryable: false });
    // The signature check passes it on, so ingest answers 503 (SNS retries) rather than 401 (dropped).
    const message = signSnsMessage(notification(), signer.privateKey, '1');
    expect(await verifySnsSignature(message, new CertificateCache(), down, NOW)).toMatchObject({ ok: false, retryable: true });
  });

  it('keeps at most maxEntries certificates, dropping the least recently used', async () => {
    const urls = Array.from({ length: 4 }, (_, i) => CERT_URL.replace('.pem', `${i}.pem`));
    const f = fakeFetch(Object.fromEntries(urls.map((u) => [u, signer.pem])));
    const cache = new CertificateCache({ maxEntries: 3 });
    for (const u of urls.slice(0, 3)) await cache.get(u, f, NOW);
    await cache.get(urls[0]!, f, NOW); // used again: now the most recent
    await cache.get(urls[3]!, f, NOW); // evicts urls[1]
    expect(cache.size).toBe(3);
    await cache.get(urls[0]!, f, NOW);
    await cache.get(urls[2]!, f, NOW);
    expect(f.calls).toHaveLength(4);
    await cache.get(urls[1]!, f, NOW);
    expect(f.calls).toHaveLength(5);
  });

  it('limits new fetches per minute, so a flood of distinct URLs cannot make it fetch on and on', async () => {
    const cache = new CertificateCache({ maxFetchesPerMinute: 5 });
    const f = fakeFetch({});
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await cache.get(CERT_URL.replace('.pem', `${i}.pem`), f, NOW + i));
    expect(f.calls).toHaveLength(5);
    expect(results.at(-1)).toMatchObject({ ok: false, reason: expect.stringContaining('too many signing certificate fetches') });
    await cache.get(CERT_URL, f, NOW + 61_000);
    expect(f.calls).toHaveLength(6);
  });

  it('gives up on a slow server, an oversized body and a redirect', async () => {
    const slow = new CertificateCache({ timeoutMs: 50 });
    const hang = fakeFetch({ [CERT_URL]: () => new Promise<Response>(() => {}) });
    expect(await slow.get(CERT_URL, hang, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('timed out after 50 ms') });

    const trickle = fakeFetch({
      [CERT_URL]: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\n'));
            },
          }),
        ),
    });
    expect(await slow.get(CERT_URL, trickle, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('timed out') });

    const big = new CertificateCache({ maxBytes: 1024 });
    expect(await big.get(CERT_URL, fakeFetch({ [CERT_URL]: 'x'.repeat(2000) }), NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('larger than 1024 bytes') });
    const endless = fakeFetch({
      [CERT_URL]: () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(new Uint8Array(512));
            },
          }),
        ),
    });
    expect(await big.get(CERT_URL, endless, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('larger than') });

    let init: RequestInit | undefined;
    const spy = (async (_url: string, i?: RequestInit) => {
      init = i;
      return new Response(signer.pem);
    }) as typeof fetch;
    expect((await new CertificateCache().get(CERT_URL, spy, NOW)).ok).toBe(true);
    expect(init).toMatchObject({ method: 'GET', redirect: 'error' });
    expect(init!.signal).toBeInstanceOf(AbortSignal);
  });
});
