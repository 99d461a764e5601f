import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../catalog.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { EmailNotifyConfigSchema, emailNotify } from './definition.js';
import { addressProblem, cleanSubject, defaultSubject, escapeHtml, renderHtml } from './message.js';

describe('one recipient entry is one address', () => {
  it('takes a bare address', () => {
    for (const ok of ['oncall@example.com', 'first.last+tag@mail.example.co.uk', "o'brien@example.com", 'a@b-c.example']) expect(addressProblem(ok), ok).toBeUndefined();
  });

  it('refuses what could be read as more recipients or headers, naming what it found', () => {
    expect(addressProblem('')).toBe('is empty');
    expect(addressProblem('a@example.com\r\nBcc: evil@x.example')).toBe('holds a line break');
    expect(addressProblem('a@example.com\nBcc: evil@x.example')).toBe('holds a line break');
    expect(addressProblem('a@example.com, evil@x.example')).toBe('holds a "," or ";" (one address per entry)');
    expect(addressProblem('a@example.com;evil@x.example')).toBe('holds a "," or ";" (one address per entry)');
    expect(addressProblem('a@example.com evil@x.example')).toBe('holds more than one address');
    expect(addressProblem('Ops <ops@example.com>')).toMatch(/^must be a bare address/);
    expect(addressProblem('"evil@x.example" ops@example.com')).toBe('holds more than one address');
    expect(addressProblem('ops@localhost')).toBe('is not an email address like oncall@example.com');
    expect(addressProblem('ops.example.com')).toBe('is not an email address like oncall@example.com');
    expect(addressProblem(`${'a'.repeat(65)}@example.com`)).toBe('is not an email address like oncall@example.com');
  });
});

describe('the subject', () => {
  it('stays one line and within 998 characters', () => {
    expect(cleanSubject('Disk\r\nBcc: evil@x.example\tfull\u2028now')).toBe('Disk Bcc: evil@x.example full now');
    expect(cleanSubject('x'.repeat(2000))).toHaveLength(998);
    expect(defaultSubject(testAlert({ status: 'resolved' }))).toBe('[critical, resolved] DiskFull: Disk almost full on db1');
  });
});

describe('the HTML body', () => {
  it('keeps the template’s markup and escapes every value, in text and in attributes', () => {
    const { vars } = testContext({ vars: { alert: testAlert({ summary: '<img src=x onerror=alert(1)>', labels: { owner: '" onmouseover="x' } }) } });
    expect(renderHtml('<p title="{{ alert.labels.owner }}">{{ alert.summary }} & {{ 1 + 1 }}</p>', vars)).toBe(
      '<p title="&quot; onmouseover=&quot;x">&lt;img src=x onerror=alert(1)&gt; & 2</p>',
    );
    // A value that looks like a template stays text.
    const braces = testContext({ vars: { alert: testAlert({ summary: '{{ alert.name }}' }) } });
    expect(renderHtml('<b>{{ alert.summary }}</b>', braces.vars)).toBe('<b>{{ alert.name }}</b>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('is left to the executor: the engine renders to, cc, subject and text, and only checks the HTML’s expressions', () => {
    const config = EmailNotifyConfigSchema.parse({
      host: 'smtp.example.com',
      from: 'salve@example.com',
      to: ['{{ alert.labels.owner }}', 'ops@example.com'],
      subject: '{{ alert.name }}',
      html: '<p>{{ alert.summary }}</p><p>{{ steps.am }}</p>',
    });
    expect(emailNotify.expressions(config)).toEqual([
      { path: ['to', 0], kind: 'template', source: '{{ alert.labels.owner }}' },
      { path: ['subject'], kind: 'template', source: '{{ alert.name }}' },
      { path: ['html'], kind: 'cel', source: 'alert.summary' },
      { path: ['html'], kind: 'cel', source: 'steps.am' },
    ]);
  });

  it('a mistake in the HTML’s expressions is reported when the flow is saved', () => {
    const flow = {
      format: 'salve.flow/v1',
      id: 'mail',
      name: 'Mail',
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'mail', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } },
        { id: 'send_email', type: 'notify.email', config: { host: 'smtp.example.com', from: 'salve@example.com', to: ['ops@example.com'], html: '<p>{{ alert.nmae }}</p>' } },
      ],
      edges: [{ source: 'am', target: 'send_email' }],
    };
    const result = validateFlow(flow, lookupNodeSpec);
    expect(result).toEqual({
      ok: false,
      issues: [{ path: ['nodes', 1, 'config', 'html'], message: 'node "send_email": CEL expression "alert.nmae" is invalid: No such key: nmae (at character 1)' }],
    });
  });
});

describe('the notify.email config', () => {
  const issues = (input: Record<string, unknown>) =>
    EmailNotifyConfigSchema.safeParse({ host: 'smtp.example.com', from: 'salve@example.com', to: ['ops@example.com'], ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('takes the server written out, the password only as a secret, and no login without encryption', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ host: '{{ alert.labels.smtp }}' })).toEqual(['host: must be a host name or IP address only, e.g. smtp.example.com (no scheme, port or templates)']);
    expect(issues({ host: 'smtp://smtp.example.com' })[0]).toMatch(/^host: must be a host name/);
    expect(issues({ auth: { user: 'salve', password: 'hunter2' } })[0]).toMatch(/^auth\.password: /);
    expect(issues({ security: 'none', auth: { user: 'salve', password: { secret: 'SMTP_PASSWORD' } } })).toEqual([
      'auth: a password is never sent unencrypted: use security starttls or tls, or remove auth',
    ]);
    expect(issues({ security: 'ssl' })).toEqual(['security: must be starttls, tls or none']);
    expect(issues({ ca: 'not a certificate' })).toEqual(['ca: must be PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)']);
    expect(EmailNotifyConfigSchema.parse({ host: 'smtp.example.com', from: 'salve@example.com', to: ['ops@example.com'] })).toMatchObject({ security: 'starttls', cc: [], timeoutSeconds: 30 });
  });

  it('checks addresses written out, the recipient count, and the HTML template’s braces', () => {
    expect(issues({ from: '{{ alert.labels.from }}' })[0]).toMatch(/^from: must be a bare address/);
    expect(issues({ to: [] })).toEqual(['to: to needs at least one address']);
    expect(issues({ to: ['ops@example.com, evil@x.example'] })).toEqual(['to.0: holds a "," or ";" (one address per entry)']);
    expect(issues({ cc: ['{{ alert.labels.owner }}'] })).toEqual([]);
    const many = Array.from({ length: 30 }, (_, i) => `p${i}@example.com`);
    expect(issues({ to: many, cc: many.slice(0, 21) })).toEqual(['to: at most 50 recipients in to and cc together (51 given)']);
    expect(issues({ html: '<p>{{ alert.name </p>' })).toEqual(['html: invalid template: "{{" is never closed with "}}"']);
    expect(issues({ fromName: 'Salve\r\nBcc: x@example.com' })).toEqual(['fromName: must be one line of text']);
  });
});
