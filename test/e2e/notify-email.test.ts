import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { makeTestCert, parseMail, startSmtpPeer, type SmtpPeer } from '../kit/smtp.js';
import { waitFor } from '../kit/wait.js';

/**
 * The shipped example examples/email-on-call.json on a real server, with a real SMTP server
 * (smtp-server) on 127.0.0.1 standing in for the mail relay: STARTTLS with a certificate made for
 * this run (trusted through the node's `ca`), and a login. A critical alert whose text carries
 * markup and a `Bcc:` line is mailed to the written-out recipients only, its text escaped in the
 * HTML part; the password reaches the mail server but no stored step, event or API answer.
 */
describe('notify.email end to end (examples/email-on-call.json)', () => {
  const PASSWORD = 'smtp-e2e-pa55word-0123456789';
  let smtp: SmtpPeer;
  let server: TestServer;

  beforeAll(async () => {
    const cert = makeTestCert();
    smtp = await startSmtpPeer({ cert, users: { 'salve@example.com': PASSWORD } });
    server = await startServer({
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_AM_TOKEN: 'am-token-0123456789',
        SALVE_SECRET_SMTP_PASSWORD: PASSWORD,
        SALVE_SECRET_SMTP_PASSWORD_HOSTS: '127.0.0.1',
      },
    });
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'email-on-call.json'), 'utf8'));
    // The example points at smtp.example.com; here the step talks to the local server, whose
    // certificate (for 127.0.0.1) is trusted as a private CA.
    for (const node of example.nodes) if (node.type === 'notify.email') Object.assign(node.config, { host: '127.0.0.1', port: smtp.port, ca: cert.cert });
    expect((await server.api('POST', '/api/flows', { ...example, enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await smtp?.close();
  });

  it('mails a critical alert to on-call over STARTTLS, alert text escaped and unable to add recipients', async () => {
    const alert = { ...amAlert({ fingerprint: 'fp-db1-disk' }), annotations: { summary: 'Disk <b>full</b> & rising\r\nBcc: evil@x.example' } };
    const res = await fetch(`${server.url}/hooks/email`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([alert])),
    });
    expect(res.status).toBe(202);
    const { executions } = (await res.json()) as { executions: string[] };
    const exec = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${executions[0]}`)).body;
      return e.status === 'succeeded' ? e : undefined;
    }, 15_000, 'the run to finish');
    expect(exec.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['am', 'critical', 'email_oncall']);

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({ secure: true, user: 'salve@example.com', mailFrom: 'salve@example.com', rcptTo: ['oncall@example.com', 'sre-lead@example.com'] });
    const parsed = parseMail(mail.raw);
    expect(parsed.headers.get('from')).toEqual(['Salve <salve@example.com>']);
    expect(parsed.headers.get('to')).toEqual(['oncall@example.com']);
    expect(parsed.headers.get('cc')).toEqual(['sre-lead@example.com']);
    expect(parsed.headers.get('subject')).toEqual(['[critical] DiskFull on db1.example.internal:9100']);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.text).toContain('Disk <b>full</b> & rising\nBcc: evil@x.example\n\nInstance: db1.example.internal:9100');
    expect(parsed.html).toContain('<h2>DiskFull</h2><p>Disk &lt;b&gt;full&lt;/b&gt; &amp; rising\nBcc: evil@x.example</p>');
    expect(parsed.html).toContain(`execution ${executions[0]}.`);

    const step = exec.steps.find((s: { nodeId: string }) => s.nodeId === 'email_oncall');
    expect(step.output).toMatchObject({
      ok: true,
      server: `smtp://127.0.0.1:${smtp.port}`,
      security: 'starttls',
      accepted: ['oncall@example.com', 'sre-lead@example.com'],
      rejected: [],
      envelope: { from: 'salve@example.com', to: ['oncall@example.com', 'sre-lead@example.com'] },
    });
    expect(step.output.response).toMatch(/^250 .*queued as TEST1/);
    expect(step.output.messageId).toBe(parsed.headers.get('message-id')![0]);
    // The stored config keeps the password as a reference, and the HTML body as written (the step renders it, escaping values).
    expect(step.config.auth).toEqual({ user: 'salve@example.com', password: { secret: 'SMTP_PASSWORD' } });
    expect(step.config.html).toMatch(/^<h2>\{\{ alert\.name \}\}<\/h2>/);
    expect(step.config.subject).toBe('[critical] DiskFull on db1.example.internal:9100');
    const everything = JSON.stringify([exec, (await server.api('GET', '/api/events')).body, (await server.api('GET', '/api/flows/email-on-call')).body]);
    expect(everything).not.toContain(PASSWORD);
  });
});
