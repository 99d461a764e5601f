import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { canonicalString } from '../../nodes/source/cloudwatch/sns-signature.js';

/*
 * Test helper: a self-signed X.509 certificate made with node:crypto alone (Node cannot write
 * certificates, so the DER is built here), standing in for an SNS signing certificate. Tests
 * only; no third-party key or certificate is ever committed.
 */

/** One DER TLV. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const nul = () => Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** GeneralizedTime, valid for every year (UTCTime stops at 2049). */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.000Z
  return tlv(0x18, Buffer.from(`${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`, 'ascii'));
}

const name = (commonName: string) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));

export interface TestSigningCert {
  /** The certificate, PEM, as an SNS SigningCertURL serves it. */
  pem: string;
  privateKey: KeyObject;
}

/** A fresh RSA key and a self-signed certificate for it, valid from `notBefore` to `notAfter`. */
export function makeSigningCert(
  opts: { commonName?: string; notBefore?: Date; notAfter?: Date; keyType?: 'rsa' | 'ec' } = {},
): TestSigningCert {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const { publicKey, privateKey } =
    opts.keyType === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const algorithm = opts.keyType === 'ec' ? seq(oid('1.2.840.10045.4.3.2')) : seq(oid('1.2.840.113549.1.1.11'), nul());
  const subject = name(opts.commonName ?? 'sns.amazonaws.com');
  const tbs = seq(
    tlv(0xa0, integer(2)), // v3
    integer(Math.floor(Math.random() * 2 ** 31) + 1),
    algorithm,
    subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('sha256').update(tbs).sign(privateKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return { pem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`, privateKey };
}

/** Signs an SNS message the way SNS does (canonical string, SHA1withRSA or SHA256withRSA) and returns it with `Signature` set. */
export function signSnsMessage<M extends Record<string, unknown>>(message: M, privateKey: KeyObject, version: '1' | '2' = (message.SignatureVersion as '1' | '2') ?? '1'): M {
  const canonical = canonicalString({ ...message, SignatureVersion: version });
  if (!canonical.ok) throw new Error(canonical.reason);
  const signature = createSign(version === '1' ? 'sha1' : 'sha256').update(canonical.text, 'utf8').sign(privateKey).toString('base64');
  return { ...message, SignatureVersion: version, Signature: signature };
}

/** A fetch that serves `files` (URL → body) and records every URL asked for; anything else is 404. */
export function fakeFetch(files: Record<string, string | (() => Response | Promise<Response>)>): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const impl = async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    const file = Object.hasOwn(files, url) ? files[url] : undefined;
    if (file === undefined) return new Response('not found', { status: 404 });
    return typeof file === 'string' ? new Response(file, { status: 200 }) : file();
  };
  return Object.assign(impl as typeof fetch, { calls });
}
