import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { makeTestCert, parseMail, startSmtpPeer, type SmtpPeer, type TestCert } from '../../../test/kit/smtp.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { EmailNotifyConfigSchema, emailNotify, type EmailNotifyConfig } from './definition.js';
import { executeEmailNotify } from './execute.js';
import type { EmailOutput } from './output.js';

/**
 * notify.email against real SMTP servers (smtp-server) on 127.0.0.1: one with STARTTLS and
 * AUTH PLAIN/LOGIN, one with implicit TLS, one that offers no STARTTLS, one without TLS at all.
 * The certificate is made for this run and trusted through `ca` only.
 */
const PASSWORD = 'smtp-pa55word-never-stored';
const users = { salve: PASSWORD };
let cert: TestCert;
let starttls: SmtpPeer;
let loginOnly: SmtpPeer;
let implicitTls: SmtpPeer;
let noStarttls: SmtpPeer;
let plain: SmtpPeer;
let noAuth: SmtpPeer;

beforeAll(async () => {
  cert = makeTestCert();
  [starttls, loginOnly, implicitTls, noStarttls, plain, noAuth] = await Promise.all([
    startSmtpPeer({ cert, users, reject: ['gone@example.com'] }),
    startSmtpPeer({ cert, users, options: { authMethods: ['LOGIN'] } }),
    startSmtpPeer({ cert, users, options: { secure: true } }),
    startSmtpPeer({ cert, users, options: { hideSTARTTLS: true, disabledCommands: ['STARTTLS'], allowInsecureAuth: true } }),
    startSmtpPeer({ options: { hideSTARTTLS: true, disabledCommands: ['STARTTLS'] } }),
    startSmtpPeer({ cert, options: { disabledCommands: ['AUTH'] } }),
  ]);
});
afterAll(async () => {
  await Promise.all([starttls, loginOnly, implicitTls, noStarttls, plain, noAuth].map((p) => p?.close()));
});

const resolver: Resolver = async (host) => {
  if (host === 'mail.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

/**
 * A config as the executor gets it: parsed, then rendered by the engine's own renderer for `vars`
 * (templates rendered, the password secret resolved to `password`).
 */
function config(peer: SmtpPeer, input: Record<string, unknown> = {}, opts: { vars?: ExprVars; password?: string } = {}): Resolved<EmailNotifyConfig> {
  const parsed = EmailNotifyConfigSchema.parse({
    host: 'mail.test',
    port: peer.port,
    ca: cert.cert,
    auth: { user: 'salve', password: { secret: 'SMTP_PASSWORD' } },
    from: 'salve@example.com',
    to: ['oncall@example.com'],
    ...input,
  });
  const secrets = (name: string) => (name === 'SMTP_PASSWORD' ? (opts.password ?? PASSWORD) : undefined);
  return renderConfig(parsed, emailNotify.expressions(parsed), opts.vars ?? testContext().vars, secrets).value as Resolved<EmailNotifyConfig>;
}

/** A step's context whose network allows the loopback peers and lets the password go to mail.test, unless told otherwise. */
function ctx(opts: { allowed?: string[]; alert?: Alert; signal?: AbortSignal; runUrl?: string } = {}): ExecContext {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    secretHosts: (name) => (name === 'SMTP_PASSWORD' ? ['mail.test'] : undefined),
    resolver,
  });
  return testContext({
    secrets: [{ name: 'SMTP_PASSWORD', path: ['auth', 'password'] }],
    network: policy.forStep({ secrets: ['SMTP_PASSWORD'] }),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.runUrl ? { runUrl: opts.runUrl } : {}),
    vars: { alert: opts.alert ?? testAlert(), steps: { am: {} } },
  });
}

const outputOf = (outcome: unknown) => (outcome as { output: EmailOutput }).output;

describe('notify.email over STARTTLS with a login', () => {
  it('sends the message encrypted, logged in, with the headers and both bodies, and records the server’s answer', async () => {
    const alert = testAlert({ summary: 'Disk <b>almost</b> full & "loud"' });
    const before = starttls.mails.length;
    const context = ctx({ alert });
    const outcome = await executeEmailNotify(
      config(starttls, {
        fromName: 'Salve',
        to: ['oncall@example.com', 'db-team@example.com'],
        cc: ['lead@example.com'],
        subject: 'DiskFull on db1 — Ärger',
        text: 'Disk almost full on db1.\nCleaning up.',
        html: '<p>Alert: <strong>{{ alert.summary }}</strong></p>',
      }, { vars: context.vars }),
      context,
    );
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    const output = outputOf(outcome);
    expect(output).toMatchObject({
      ok: true,
      server: `smtp://mail.test:${starttls.port}`,
      security: 'starttls',
      accepted: ['oncall@example.com', 'db-team@example.com', 'lead@example.com'],
      rejected: [],
      envelope: { from: 'salve@example.com', to: ['oncall@example.com', 'db-team@example.com', 'lead@example.com'] },
    });
    expect(output.response).toMatch(/^250 .*queued as TEST/);
    expect(output.messageId).toMatch(/^<.+@example\.com>$/);

    expect(starttls.mails).toHaveLength(before + 1);
    const mail = starttls.mails.at(-1)!;
    expect(mail).toMatchObject({ secure: true, user: 'salve', mailFrom: 'salve@example.com', rcptTo: ['oncall@example.com', 'db-team@example.com', 'lead@example.com'] });
    expect(starttls.logins.at(-1)).toEqual({ method: 'PLAIN', user: 'salve', ok: true });
    const parsed = parseMail(mail.raw);
    expect(parsed.headers.get('from')).toEqual(['Salve <salve@example.com>']);
    expect(parsed.headers.get('to')).toEqual(['oncall@example.com, db-team@example.com']);
    expect(parsed.headers.get('cc')).toEqual(['lead@example.com']);
    expect(parsed.headers.get('subject')).toEqual(['DiskFull on db1 — Ärger']);
    expect(parsed.headers.get('message-id')).toEqual([output.messageId]);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.text).toBe('Disk almost full on db1.\nCleaning up.');
    // The alert's text is shown as text: its markup and quotes are escaped, the template's own markup is not.
    expect(parsed.html).toBe('<p>Alert: <strong>Disk &lt;b&gt;almost&lt;/b&gt; full &amp; &quot;loud&quot;</strong></p>');
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
  });

  it('reads a CA certificate pasted into a one-line field (line breaks lost)', async () => {
    // A browser's one-line input drops the line breaks; some paths turn them into spaces.
    for (const joiner of ['', ' ']) {
      const outcome = await executeEmailNotify(config(starttls, { ca: cert.cert.replaceAll('\n', joiner) }), ctx());
      expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    }
  });

  it('logs in with AUTH LOGIN when that is what the server offers', async () => {
    const outcome = await executeEmailNotify(config(loginOnly), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { accepted: ['oncall@example.com'] } });
    expect(loginOnly.logins).toEqual([{ method: 'LOGIN', user: 'salve', ok: true }]);
    expect(loginOnly.mails.at(-1)).toMatchObject({ secure: true, user: 'salve' });
  });

  it('without a subject or body, sends the alert: its summary, labels, links and the run’s page', async () => {
    const alert = testAlert({ description: 'Only 2% left on /var.', links: { runbook: 'https://wiki.example.internal/disk' } });
    const context = ctx({ alert, runUrl: 'https://salve.example.internal/#/runs/ex_test' });
    const outcome = await executeEmailNotify(config(starttls, {}, { vars: context.vars }), context);
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    const parsed = parseMail(starttls.mails.at(-1)!.raw);
    expect(parsed.headers.get('subject')).toEqual(['[critical] DiskFull: Disk almost full on db1']);
    expect(parsed.html).toBeUndefined();
    expect(parsed.text).toContain('Only 2% left on /var.');
    expect(parsed.text).toContain('  instance=db1:9100');
    expect(parsed.text).toContain('Run in Salve: https://salve.example.internal/#/runs/ex_test');
    expect(parsed.text).toContain('Runbook: https://wiki.example.internal/disk');
  });

  it('sends to the recipients the server takes, and lists the one it refused', async () => {
    const outcome = await executeEmailNotify(config(starttls, { to: ['oncall@example.com', 'gone@example.com'] }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { accepted: ['oncall@example.com'], rejected: ['gone@example.com'] } });
    expect(starttls.mails.at(-1)!.rcptTo).toEqual(['oncall@example.com']);
  });

  it('fails with the server’s words when every recipient is refused', async () => {
    const outcome = await executeEmailNotify(config(starttls, { to: ['gone@example.com'] }), ctx());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { ok: false, rejected: ['gone@example.com'] } });
    expect((outcome as { error: string }).error).toMatch(/refused the message: .*mailbox unavailable/);
  });

  it('a wrong password fails with the server’s reply, and the password is nowhere in the outcome', async () => {
    const wrong = 'wrong-pa55word-also-secret';
    const before = starttls.mails.length;
    const outcome = await executeEmailNotify(config(starttls, {}, { password: wrong }), ctx());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { ok: false } });
    const { error } = outcome as { error: string };
    expect(error).toMatch(/^smtp:\/\/mail\.test:\d+ refused the login of user "salve": 535 .*Authentication credentials invalid/);
    expect(outputOf(outcome).response).toMatch(/^535 /);
    expect(JSON.stringify(outcome)).not.toContain(wrong);
    expect(starttls.logins.at(-1)).toMatchObject({ user: 'salve', ok: false });
    expect(starttls.mails).toHaveLength(before);
  });

  it('refuses a certificate it cannot verify: without the ca, or for another name', async () => {
    const untrusted = await executeEmailNotify(config(starttls, { ca: undefined }), ctx());
    expect(untrusted).toMatchObject({ type: 'fail', port: 'error' });
    expect((untrusted as { error: string }).error).toMatch(/TLS connection to smtp:\/\/mail\.test:\d+ failed: .*self[- ]signed.*paste that CA’s certificate into ca/);

    // 127.0.0.1 is in the certificate; localhost is not.
    const resolveLocal: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const policy = new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: () => ['*'], resolver: resolveLocal });
    const other = await executeEmailNotify(
      { ...config(starttls), host: 'localhost' },
      testContext({ secrets: [{ name: 'SMTP_PASSWORD', path: ['auth', 'password'] }], network: policy.forStep({ secrets: ['SMTP_PASSWORD'] }) }),
    );
    expect((other as { error: string }).error).toMatch(/TLS connection to .* failed: .*(altnames|does not match)/i);
    expect(JSON.stringify([untrusted, other])).not.toContain(PASSWORD);
  });
});

describe('notify.email attachments', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
  const steps = {
    logs: { from: 'kubernetes', attachment: { name: 'api-0.log', mediaType: 'text/plain', encoding: 'utf8', size: 22, content: 'panic: out of memory\n' } },
    graph: { attachment: { name: 'cpu.png', mediaType: 'image/png', encoding: 'base64', size: png.length, content: png.toString('base64') } },
    notify: { ok: true },
  };
  const withSteps = () => {
    const context = ctx();
    context.vars.steps = steps;
    return context;
  };

  it('attaches the files of the steps `attach` names, in order, byte for byte', async () => {
    const before = starttls.mails.length;
    const context = withSteps();
    const outcome = await executeEmailNotify(config(starttls, { attach: ['graph', 'logs'] }, { vars: context.vars }), context);
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { attached: ['cpu.png', 'api-0.log'] } });
    expect(starttls.mails.length).toBe(before + 1);
    const mail = parseMail(starttls.mails.at(-1)!.raw);
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([['cpu.png', 'image/png'], ['api-0.log', 'text/plain']]);
    expect(mail.attachments[0]!.content.equals(png)).toBe(true);
    expect(mail.attachments[1]!.content.toString('utf8')).toBe('panic: out of memory\n');
    expect(mail.text).toContain('Disk almost full on db1');
  });

  it('sends nothing when a listed step did not run or made no file, and names it', async () => {
    const before = starttls.mails.length;
    const context = withSteps();
    const missing = await executeEmailNotify(config(starttls, { attach: ['logs', 'graph_b'] }, { vars: context.vars }), context);
    expect(missing).toMatchObject({ type: 'fail', port: 'error', error: 'attach: step "graph_b" has not run in this run, so there is nothing to attach; nothing was sent' });
    const none = await executeEmailNotify(config(starttls, { attach: ['notify'] }, { vars: context.vars }), context);
    expect(none).toMatchObject({ type: 'fail', error: expect.stringContaining('attach: step "notify" made no attachment') });
    expect(starttls.mails.length).toBe(before);
  });
});

describe('notify.email refuses to send unsafely', () => {
  it('in starttls mode, a server without STARTTLS gets no login and no message', async () => {
    const outcome = await executeEmailNotify(config(noStarttls), ctx());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { ok: false, security: 'starttls' } });
    expect((outcome as { error: string }).error).toMatch(/does not offer STARTTLS .*security starttls never sends unencrypted/);
    expect(noStarttls.connections).toBe(1);
    expect(noStarttls.logins).toEqual([]);
    expect(noStarttls.mails).toEqual([]);
  });

  it('an alert cannot add recipients or headers: a recipient with a line break is refused before connecting, a subject’s is flattened', async () => {
    const evil = ctx({ alert: testAlert({ summary: 'x\r\nBcc: evil@x.example', labels: { owner: 'ops@example.com\r\nBcc: evil@x.example', team: 'a@example.com, evil@x.example', none: ' ' } }) });
    const connections = starttls.connections;
    const refused = await executeEmailNotify(config(starttls, { to: ['{{ alert.labels.owner }}'] }, { vars: evil.vars }), evil);
    expect(refused).toMatchObject({ type: 'fail', port: 'error' });
    expect((refused as { error: string }).error).toBe('to[0] rendered to "ops@example.com\\r\\nBcc: evil@x.example", which holds a line break; nothing was sent');
    const twoAddresses = await executeEmailNotify(config(starttls, { cc: ['{{ alert.labels.team }}'] }, { vars: evil.vars }), evil);
    expect((twoAddresses as { error: string }).error).toMatch(/^cc\[0\] rendered to .* holds a "," or ";"/);
    const emptied = await executeEmailNotify(config(starttls, { to: ['oncall@example.com', '{{ alert.labels.none }}'] }, { vars: evil.vars }), evil);
    expect((emptied as { error: string }).error).toBe('to[1] rendered to "", which is empty; nothing was sent');
    expect(starttls.connections).toBe(connections);

    const subject = await executeEmailNotify(config(starttls, { subject: 'Disk {{ alert.summary }}' }, { vars: evil.vars }), evil);
    expect(subject).toMatchObject({ type: 'next', port: 'ok' });
    const mail = starttls.mails.at(-1)!;
    expect(mail.rcptTo).toEqual(['oncall@example.com']);
    const parsed = parseMail(mail.raw);
    expect(parsed.headers.get('subject')).toEqual(['Disk x Bcc: evil@x.example']);
    expect(parsed.headers.has('bcc')).toBe(false);
    // The header block (the body may quote the alert's text, line break and all).
    expect(mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'))).not.toMatch(/^Bcc:/im);
  });

  it('with a login configured, a server that offers none gets no message (never sent unauthenticated)', async () => {
    const outcome = await executeEmailNotify(config(noAuth), ctx());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect((outcome as { error: string }).error).toMatch(/^smtp:\/\/mail\.test:\d+ offers no login \(it answered "500 .*"\), so nothing was sent: remove auth if it needs none/);
    expect(noAuth.connections).toBe(1);
    expect(noAuth.mails).toEqual([]);
  });

  it('a destination the policy refuses is never connected to, and the password is not sent there', async () => {
    const connections = starttls.connections;
    const outcome = await executeEmailNotify(config(starttls), ctx({ allowed: [] }));
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect((outcome as { error: string }).error).toMatch(/^refused to connect to mail\.test at 127\.0\.0\.1 \(loopback\) .*SALVE_ALLOWED_TARGETS.*; nothing was sent$/);
    expect(starttls.connections).toBe(connections);
  });

  it('bodies over 256 KiB are refused before connecting', async () => {
    const connections = starttls.connections;
    const outcome = await executeEmailNotify(config(starttls, { text: 'x'.repeat(40_000) }), ctx());
    expect(outcome).toMatchObject({ type: 'next' });
    const big = ctx({ alert: testAlert({ description: 'y'.repeat(300 * 1024) }) });
    const tooBig = await executeEmailNotify(config(starttls, { text: 'Details: {{ alert.description }}' }, { vars: big.vars }), big);
    expect((tooBig as { error: string }).error).toBe('text is larger than 256 KiB once rendered; send less of the alert; nothing was sent');
    expect(starttls.connections).toBe(connections + 1);
  });
});

describe('notify.email over implicit TLS and unencrypted', () => {
  it('speaks TLS from the first byte with security tls', async () => {
    const outcome = await executeEmailNotify(config(implicitTls, { security: 'tls' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { security: 'tls', accepted: ['oncall@example.com'] } });
    expect(implicitTls.mails.at(-1)).toMatchObject({ secure: true, user: 'salve' });
  });

  it('sends in plain text only when told to (security none, no login)', async () => {
    const outcome = await executeEmailNotify(config(plain, { security: 'none', auth: undefined, ca: undefined }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { security: 'none' } });
    expect(plain.mails.at(-1)).toMatchObject({ secure: false, user: undefined, rcptTo: ['oncall@example.com'] });
  });
});

describe('notify.email stops on time', () => {
  /** A server that accepts connections and never says a word. */
  async function silentServer(): Promise<{ port: number; sockets: net.Socket[]; close(): Promise<void> }> {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      sockets,
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  it('fails when the whole send takes longer than timeoutSeconds', async () => {
    const silent = await silentServer();
    try {
      const outcome = await executeEmailNotify({ ...config(starttls, { timeoutSeconds: 1 }), port: silent.port }, ctx());
      expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
      expect((outcome as { error: string }).error).toBe(`sending through smtp://mail.test:${silent.port} timed out after 1 s; the server may or may not have taken the message`);
      expect(silent.sockets).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });

  it('says nothing was sent when the time ran out before connecting (a name that never resolves)', async () => {
    const policy = new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: () => ['*'], resolver: () => new Promise(() => {}) });
    const outcome = await executeEmailNotify(
      config(starttls, { timeoutSeconds: 1 }),
      testContext({ secrets: [{ name: 'SMTP_PASSWORD', path: ['auth', 'password'] }], network: policy.forStep({ secrets: ['SMTP_PASSWORD'] }) }),
    );
    expect((outcome as { error: string }).error).toBe(`sending through smtp://mail.test:${starttls.port} timed out after 1 s; nothing was sent`);
  });

  it('stops when the run is cancelled', async () => {
    const silent = await silentServer();
    const controller = new AbortController();
    try {
      const pending = executeEmailNotify({ ...config(starttls), port: silent.port }, ctx({ signal: controller.signal }));
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => silent.sockets.length > 0 && (clearInterval(poll), resolve()), 10);
      });
      controller.abort('cancel');
      const outcome = await pending;
      expect((outcome as { error: string }).error).toMatch(/^cancelled while sending through smtp:\/\/mail\.test:\d+/);
      await new Promise<void>((resolve) => silent.sockets[0]!.once('close', () => resolve()));
    } finally {
      await silent.close();
    }
  });
});
