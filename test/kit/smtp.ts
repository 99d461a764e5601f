import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/*
 * Test helper: a real SMTP server (the smtp-server package) on 127.0.0.1, started and stopped by
 * the test, recording every connection, login and message; and a throwaway self-signed
 * certificate made with the openssl CLI at test time (no key is committed).
 */

/** A certificate for `mail.test` and 127.0.0.1, self-signed: trusting it is the test's `ca`. */
export interface TestCert {
  key: string;
  cert: string;
}

/** Makes a fresh self-signed certificate (P-256, valid 2 days) for `mail.test` and 127.0.0.1. */
export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'salve-smtp-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', '/CN=mail.test', '-addext', 'subjectAltName=DNS:mail.test,IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One message as the server received it. */
interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  /** Whether the session was encrypted (TLS or after STARTTLS) when the message came. */
  secure: boolean;
  user: string | undefined;
  raw: string;
}

export interface SmtpPeer {
  port: number;
  /** TCP connections accepted. */
  connections: number;
  logins: { method: string; user: string; ok: boolean }[];
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on 127.0.0.1. `users` are the logins it accepts (AUTH needs TLS unless
 * `options.allowInsecureAuth`); `reject` lists recipients RCPT TO refuses. Other options go to
 * smtp-server as they are (`secure` for implicit TLS, `hideSTARTTLS`, `authMethods`…).
 */
export async function startSmtpPeer(opts: {
  cert?: TestCert;
  users?: Record<string, string>;
  reject?: string[];
  options?: SMTPServerOptions;
}): Promise<SmtpPeer> {
  const peer: Omit<SmtpPeer, 'port' | 'close'> = { connections: 0, logins: [], mails: [] };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: opts.users === undefined,
    ...(opts.cert ? { key: opts.cert.key, cert: opts.cert.cert } : {}),
    ...opts.options,
    onConnect(_session, callback) {
      peer.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      const ok = auth.username !== undefined && opts.users?.[auth.username] === auth.password;
      peer.logins.push({ method: auth.method, user: auth.username ?? '', ok });
      if (!ok) return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (opts.reject?.includes(address.address)) return callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        peer.mails.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          user: session.user,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback(null, `Ok: queued as TEST${peer.mails.length}`);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(peer, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A message read the way a mail client would, enough to check what was sent. */
export interface ParsedMail {
  /** Header names in lower case; values unfolded and decoded (RFC 2047). */
  headers: Map<string, string[]>;
  text?: string;
  html?: string;
  /** Parts sent as attachments (Content-Disposition: attachment), their bytes decoded. */
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/** `=?UTF-8?Q?…?=` and `=?UTF-8?B?…?=` words decoded. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replaceAll('_', ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))), 'latin1').toString('utf8');
    default:
      return body;
  }
}

function splitPart(raw: string): { headers: Map<string, string[]>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at + 4);
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), decodeWords(line.slice(colon + 1).trim())]);
  }
  return { headers, body };
}

/** Reads a message: its headers, and its text/plain and text/html parts (single or multipart). */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitPart(raw);
  const mail: ParsedMail = { headers, attachments: [] };
  const visit = (partHeaders: Map<string, string[]>, partBody: string) => {
    const type = partHeaders.get('content-type')?.[0] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (type.toLowerCase().startsWith('multipart/') && boundary) {
      for (const chunk of partBody.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith('--')) break;
        const part = splitPart(chunk.replace(/^\r\n/, ''));
        visit(part.headers, part.body.replace(/\r\n$/, ''));
      }
      return;
    }
    const disposition = partHeaders.get('content-disposition')?.[0] ?? '';
    if (/^attachment/i.test(disposition)) {
      const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? '';
      const encoding = (partHeaders.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
      const content = encoding === 'base64' ? Buffer.from(partBody.replace(/\s+/g, ''), 'base64') : Buffer.from(decodeBody(partBody, encoding), 'utf8');
      mail.attachments.push({ filename, contentType: type.split(';')[0]!.trim(), content });
      return;
    }
    // Lines end in CRLF on the wire; a client shows them as line breaks.
    const text = decodeBody(partBody, partHeaders.get('content-transfer-encoding')?.[0]).replaceAll('\r\n', '\n');
    if (type.toLowerCase().startsWith('text/html')) mail.html = text;
    else if (type.toLowerCase().startsWith('text/plain')) mail.text = text;
  };
  visit(headers, body);
  return mail;
}
