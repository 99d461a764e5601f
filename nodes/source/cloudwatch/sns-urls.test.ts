import { describe, expect, it } from 'vitest';
import { checkSigningCertUrl, checkSubscribeUrl, snsHostRegion } from './sns-urls.js';

const PEM = '/SimpleNotificationService-a86cb10b4e1f29c941702d737128f7b6.pem';

describe('SigningCertURL', () => {
  it.each([
    `https://sns.eu-central-1.amazonaws.com${PEM}`,
    `https://sns.us-east-1.amazonaws.com${PEM}`,
    `https://sns.us-gov-west-1.amazonaws.com${PEM}`,
    `https://sns.ap-southeast-3.amazonaws.com${PEM}`,
    `https://sns.cn-north-1.amazonaws.com.cn${PEM}`,
    'https://sns.il-central-1.amazonaws.com/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem',
  ])('accepts %s', (url) => {
    expect(checkSigningCertUrl(url)).toMatchObject({ ok: true, url });
  });

  it.each([
    // Scheme
    [`http://sns.eu-central-1.amazonaws.com${PEM}`, 'must use https'],
    [`ftp://sns.eu-central-1.amazonaws.com${PEM}`, 'must use https'],
    // Look-alike hosts
    [`https://sns.eu-central-1.amazonaws.com.evil.example${PEM}`, 'not an SNS host'],
    [`https://sns.eu-central-1.amazonaws.co${PEM}`, 'not an SNS host'],
    [`https://evilsns.eu-central-1.amazonaws.com${PEM}`, 'not an SNS host'],
    [`https://sns-eu-central-1.amazonaws.com${PEM}`, 'not an SNS host'],
    [`https://sns.eu-central-1.amazonaws.com.${PEM}`, 'not an SNS host'],
    [`https://sns.a.b.amazonaws.com${PEM}`, 'not an SNS host'],
    [`https://x.sns.eu-central-1.amazonaws.com${PEM}`, 'not an SNS host'],
    [`https://sns.eu-central-1.amazonaws.com.cn${PEM}`, 'only China regions'],
    [`https://sns.cn-north-1.amazonaws.com${PEM}`, 'only China regions'],
    [`https://sns.eu_central_1.amazonaws.com${PEM}`, 'not an SNS host'],
    ['https://', 'not a URL'],
    // Matches the bare host pattern but is S3 (bucket "sns"), not SNS
    [`https://sns.s3.amazonaws.com${PEM}`, 'not an SNS regional host'],
    [`https://sns.s3-external-1.amazonaws.com${PEM}`, 'not an SNS regional host'],
    [`https://sns.execute-api.amazonaws.com${PEM}`, 'not an SNS regional host'],
    // Unicode and IP hosts
    [`https://snѕ.eu-central-1.amazonaws.com${PEM}`, 'not an SNS host'],
    [`https://127.0.0.1${PEM}`, 'not an SNS host'],
    // Credentials and ports
    [`https://user:pw@sns.eu-central-1.amazonaws.com${PEM}`, 'must not carry credentials'],
    [`https://sns.eu-central-1.amazonaws.com@evil.example${PEM}`, 'must not carry credentials'],
    [`https://sns.eu-central-1.amazonaws.com:8443${PEM}`, 'must not name a port'],
    [`https://sns.eu-central-1.amazonaws.com:443${PEM}`, 'must not name a port'],
    // Paths
    ['https://sns.eu-central-1.amazonaws.com/cert.txt', '.pem file'],
    ['https://sns.eu-central-1.amazonaws.com/', '.pem file'],
    ['https://sns.eu-central-1.amazonaws.com/a/b.pem', '.pem file'],
    [`https://sns.eu-central-1.amazonaws.com${PEM}?x=1`, '.pem file'],
    [`https://sns.eu-central-1.amazonaws.com${PEM}#frag`, '.pem file'],
    [`https://sns.eu-central-1.amazonaws.com/?Action=x&f=${PEM}`, '.pem file'],
    ['https://sns.eu-central-1.amazonaws.com/%2e%2e/x.pem', 'not written the way SNS writes it'],
    // Written differently from how SNS writes it (a parser would normalize these)
    [`https://SNS.EU-CENTRAL-1.AMAZONAWS.COM${PEM}`, 'not written the way SNS writes it'],
    [`https:\\\\sns.eu-central-1.amazonaws.com${PEM}`, 'not written the way SNS writes it'],
    [`https://sns%2eeu-central-1.amazonaws.com${PEM}`, 'not written the way SNS writes it'],
    [` https://sns.eu-central-1.amazonaws.com${PEM}`, 'not written the way SNS writes it'],
    // Not a string at all
    [undefined, 'missing'],
    ['', 'missing'],
    [42, 'missing'],
    [`https://sns.eu-central-1.amazonaws.com/${'a'.repeat(2100)}.pem`, 'too long'],
  ])('refuses %s', (url, reason) => {
    const result = checkSigningCertUrl(url);
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toContain(reason);
  });
});

describe('SubscribeURL', () => {
  const topic = 'arn:aws:sns:eu-central-1:123456789012:alarms';
  const url = (query: string, host = 'sns.eu-central-1.amazonaws.com') => `https://${host}/?${query}`;
  const good = `Action=ConfirmSubscription&TopicArn=${topic}&Token=2336412f37fb687f5d51e6e2425a8a587`;

  it('accepts the ConfirmSubscription link of the message topic, on its region', () => {
    expect(checkSubscribeUrl(url(good), topic)).toEqual({ ok: true, url: url(good), region: 'eu-central-1' });
  });

  it.each([
    [url(good, 'sns.eu-central-1.amazonaws.com.evil.example'), 'not an SNS host'],
    [url(good).replace('https:', 'http:'), 'must use https'],
    [url(good, 'sns.us-east-1.amazonaws.com'), 'region us-east-1'],
    [url(good.replace('ConfirmSubscription', 'Unsubscribe')), 'not a ConfirmSubscription link'],
    [url(good.replace(topic, 'arn:aws:sns:eu-central-1:123456789012:other')), 'another topic'],
    [url(`Action=ConfirmSubscription&TopicArn=${topic}`), 'no Token'],
    [`https://sns.eu-central-1.amazonaws.com/evil?${good}`, 'not written the way SNS writes it'],
    [`${url(good)}#x`, 'not written the way SNS writes it'],
    [url(good, 'u:p@sns.eu-central-1.amazonaws.com'), 'credentials'],
    [url(good, 'sns.eu-central-1.amazonaws.com:444'), 'port'],
  ])('refuses %s', (subscribeUrl, reason) => {
    const result = checkSubscribeUrl(subscribeUrl, topic);
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toContain(reason);
  });
});

describe('snsHostRegion', () => {
  it('reads the region of an SNS host', () => {
    expect(snsHostRegion('sns.eu-central-1.amazonaws.com')).toEqual({ ok: true, region: 'eu-central-1' });
    expect(snsHostRegion('sns.cn-northwest-1.amazonaws.com.cn')).toEqual({ ok: true, region: 'cn-northwest-1' });
    expect(snsHostRegion('sqs.eu-central-1.amazonaws.com').ok).toBe(false);
  });
});
