import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { templatesIn } from '../../definition.js';
import { attachSchema, secondsSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { addressProblem, displayNameProblem, htmlTemplateExpressions, htmlTemplateProblem, MAX_RECIPIENTS } from './message.js';
import { EmailOutputSchema, presentEmailOutput } from './output.js';

/** The port each security mode uses unless told: submission with STARTTLS, SMTPS, plain SMTP. */
export const DEFAULT_PORTS = { starttls: 587, tls: 465, none: 25 } as const;

/** A PEM certificate block (what `ca` holds, one or more). */
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** A literal address (from): checked as it is written. */
const literalAddress = (what: string) =>
  z
    .string({ error: `${what} is required, e.g. salve@example.com` })
    .trim()
    .superRefine((value, ctx) => {
      const problem = addressProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/**
 * A recipient: a template that must render to exactly one address (checked again when the step
 * runs, on the rendered value). Written out without `{{ }}`, it is checked here.
 */
const RecipientSchema = z
  .string()
  .trim()
  .min(1, 'is empty: write an address like oncall@example.com')
  .max(1024)
  .superRefine((value, ctx) => {
    if (value.includes('{{')) return;
    const problem = addressProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const EmailAuthSchema = z
  .strictObject({
    /** The login name, written out. */
    user: z.string({ error: 'user is required' }).trim().min(1, 'user is required').max(256),
    /** Secret reference only: `{ "secret": "SMTP_PASSWORD" }`. */
    password: SecretRefSchema,
  })
  .describe('Logs in with AUTH PLAIN or LOGIN (whichever the server offers), only over TLS.');

export const EmailNotifyConfigSchema = z
  .strictObject({
    /**
     * The SMTP server: a host name or IP address, written out (no templates), so an alert can never
     * choose where mail and the password go; it still passes the destination policy.
     */
    host: z
      .string({ error: 'host is required, e.g. smtp.example.com' })
      .trim()
      .min(1, 'host is required, e.g. smtp.example.com')
      .max(253)
      .refine((h) => /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)$/i.test(h), 'must be a host name or IP address only, e.g. smtp.example.com (no scheme, port or templates)'),
    /** Default: 587 for starttls, 465 for tls, 25 for none. */
    port: z.number({ error: 'must be a port number' }).int('must be a port number').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535').optional(),
    /**
     * `starttls`: plain connection upgraded with STARTTLS, refused when the server does not offer it.
     * `tls`: TLS from the first byte (SMTPS, port 465). `none`: unencrypted, no login.
     */
    security: z.enum(['starttls', 'tls', 'none'], { error: 'must be starttls, tls or none' }).default('starttls'),
    /** PEM certificate(s) of a private CA to trust for this server, besides the system's. */
    ca: z
      .string()
      .trim()
      .max(65_536)
      .refine((pem) => PEM_CERT.test(pem), 'must be PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)')
      .optional(),
    auth: EmailAuthSchema.optional(),
    from: literalAddress('from'),
    /** The sender's display name, e.g. `Salve`, written out. */
    fromName: z
      .string()
      .trim()
      .max(100)
      .refine((n) => displayNameProblem(n) === undefined, 'must be one line of text')
      .optional(),
    to: z.array(RecipientSchema, { error: 'to is required: a list of addresses' }).min(1, 'to needs at least one address'),
    cc: z.array(RecipientSchema).default([]),
    /** Template. Default: `[<severity>] <alert name>: <alert summary>`. */
    subject: z.string().trim().min(1).max(4000).optional(),
    /** Template: the plain-text body. Default: the alert, its labels and links, and where the run is. */
    text: z.string().trim().min(1).max(65_536).optional(),
    /** Template: an HTML body besides the plain text; every `{{ }}` value is HTML-escaped. */
    html: z
      .string()
      .trim()
      .min(1)
      .max(65_536)
      .superRefine((html, ctx) => {
        const problem = htmlTemplateProblem(html);
        if (problem) ctx.addIssue({ code: 'custom', message: `invalid template: ${problem}` });
      })
      .optional(),
    /** Ids of earlier enrich.logs / enrich.graph steps: their files go with the mail. */
    attach: attachSchema,
    /** The whole send: resolving, connecting, TLS, login and the message. */
    timeoutSeconds: secondsSchema(1, 300).default(30),
  })
  .superRefine((config, ctx) => {
    if (config.to.length + config.cc.length > MAX_RECIPIENTS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_RECIPIENTS} recipients in to and cc together (${config.to.length + config.cc.length} given)` });
    }
    if (config.security === 'none' && config.auth) {
      ctx.addIssue({ code: 'custom', path: ['auth'], message: 'a password is never sent unencrypted: use security starttls or tls, or remove auth' });
    }
    if (config.security === 'none' && config.ca) {
      ctx.addIssue({ code: 'custom', path: ['ca'], message: 'ca is used only with security starttls or tls' });
    }
  });
export type EmailNotifyConfig = z.infer<typeof EmailNotifyConfigSchema>;

/** `smtp://host:port`: how messages and the output name the server. */
export function serverDisplay(config: Pick<EmailNotifyConfig, 'host' | 'port' | 'security'>): string {
  return `smtp://${config.host}:${config.port ?? DEFAULT_PORTS[config.security]}`;
}

/** Sends the alert by email through an SMTP server. */
export const emailNotify = defineNodeType({
  type: 'notify.email',
  category: 'action',
  label: 'Email',
  defaultId: 'send_email',
  description: 'Sends the alert by email through your SMTP server (STARTTLS or TLS, optional login), to addresses written out or taken from the alert.',
  icon: 'mail',
  configSchema: EmailNotifyConfigSchema,
  outputSchema: EmailOutputSchema,
  outputs: ['ok', 'error'],
  // SMTP has no idempotency key: a step repeated after a crash would send a second mail, and a
  // crash mid-send cannot tell whether the server queued it. A person decides (`unknown`).
  idempotent: false,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => [
    ...templatesIn({ to: config.to, cc: config.cc, subject: config.subject, text: config.text }),
    // The HTML body is rendered by the executor, which HTML-escapes each value (the engine's
    // templates would insert them as they are). Its `{{ }}` parts are listed as CEL
    // expressions so the flow is still checked at save, and the engine leaves the text alone.
    ...(typeof config.html === 'string' ? htmlTemplateExpressions(config.html).map((source) => ({ path: ['html'], kind: 'cel' as const, source })) : []),
  ],
  summary: (config) => {
    const to = Array.isArray(config.to) ? config.to : [];
    const first = to[0] ?? '';
    const more = to.length + (config.cc?.length ?? 0) - 1;
    return `${first}${more > 0 ? ` +${more}` : ''} via ${config.host}${config.security === 'none' ? ' · unencrypted' : ''}`;
  },
  commandLine: (config) => `Email to ${[...config.to, ...config.cc].join(', ')}${config.subject ? `: ${config.subject}` : ''} (via ${serverDisplay(config)})`,
  present: presentEmailOutput,
  portHelp: {
    ok: 'the server accepted the message for at least one recipient (`rejected` lists any it refused)',
    error: 'not sent: a recipient or body refused before sending, a refused destination, no STARTTLS, an untrusted certificate, a failed login, the server refusing the message or every recipient, a timeout or a network error',
  },
  notes: [
    'Sends one message through the SMTP server at `host` and `port` (default 587 for `starttls`, 465 for `tls`, 25 for `none`). The host is written out, never taken from the alert, and the destination policy checks it like any other destination (`SALVE_ALLOWED_TARGETS` for a server on a private network) before anything connects; Salve then connects only to the addresses it checked.',
    '**Security.** `starttls` (default) connects in plain text and upgrades with STARTTLS; when the server does not offer STARTTLS the step fails and sends nothing. `tls` speaks TLS from the first byte (SMTPS, usually port 465). The server’s certificate is always verified against `host` (TLS 1.2 or later); for a server whose certificate comes from a private CA, paste that CA’s PEM certificate into `ca`. `none` sends everything unencrypted: anyone on the path can read and change the mail, so it takes no login and is meant only for a relay on a trusted local network.',
    '**Login.** `auth.user` and `auth.password` log in with AUTH PLAIN or LOGIN (whichever the server offers); the password is a secret reference only, e.g. `{ "secret": "SMTP_PASSWORD" }` with `SALVE_SECRET_SMTP_PASSWORD=…` and `SALVE_SECRET_SMTP_PASSWORD_HOSTS=smtp.example.com`. With `auth` set, a server that offers no login is an error (the mail is not sent unauthenticated). A refused login fails with the server’s reply; the password is never in the step’s output or messages.',
    '**Recipients.** `to` and `cc` are lists of templates, at most 50 together; each entry must render to exactly one bare address (`oncall@example.com`, or `{{ alert.labels.owner }}`). An entry that renders to nothing, to two addresses, or to text with a comma, a line break, a name or brackets is refused and nothing is sent, so alert data cannot add recipients or headers. `from` (and its display name `fromName`) is written out.',
    '**Content.** `subject` (default `[<severity>] <name>: <summary>`) is a template; line breaks in it become spaces and it is cut to 998 characters. `text` is the plain-text body (default: the alert’s summary, description, labels, links and the run’s page in Salve when `SALVE_PUBLIC_ORIGIN` is set). `html` adds an HTML alternative: the markup is yours, and every `{{ }}` value in it is HTML-escaped when the step runs, so alert text shows as text and cannot add markup or links (a value inside an attribute such as `href` is escaped too, but is still whatever URL the alert carries). Each body may be at most 256 KiB once rendered.',
    '**Limits.** Connecting, the greeting and the TLS handshake get 15 s; the whole send gets `timeoutSeconds` (default 30). Cancelling the run stops the send.',
    'SMTP has no idempotency key: a step interrupted by a crash is not retried (it may have sent the mail), and stops the run for a person to decide. Running the step again sends a second message.',
    '**Attachments.** `attach` lists the ids of earlier steps that made a file — a log (Attach logs) or a chart (Graph) — and each goes with the mail as an attachment under its own name (`api-0.log`, `cpu.png`), at most 5. A listed step that has not run in this run (another branch) or made no file (it failed) fails this step before anything is sent, naming it.',
  ],
  ui: {
    host: { widget: 'text', label: 'SMTP server', help: 'Host name or IP address, e.g. smtp.example.com.' },
    port: { widget: 'number', help: 'Default 587 for STARTTLS, 465 for TLS, 25 for none.' },
    security: {
      widget: 'select',
      help: 'starttls: upgrade to TLS, refuse a server without STARTTLS. tls: TLS from the start (port 465). none: unencrypted — anyone on the path can read and change the mail; only for a relay on a trusted local network, and never with a login.',
    },
    ca: { widget: 'text', label: 'Trusted CA (PEM)', help: 'The PEM certificate of a private CA that signed the server’s certificate. Leave empty for a public certificate.' },
    'auth.user': { widget: 'text', label: 'User' },
    'auth.password': { widget: 'secret', label: 'Password', help: 'A secret; set its _HOSTS to this server.' },
    from: { widget: 'text', label: 'From address', help: 'e.g. salve@example.com' },
    fromName: { widget: 'text', label: 'From name', help: 'e.g. Salve' },
    to: { widget: 'list', templates: true, label: 'To', help: 'One address per line; a template must give exactly one address, e.g. {{ alert.labels.owner }}.' },
    cc: { widget: 'list', templates: true, label: 'Cc', help: 'One address per line, like To.' },
    subject: { widget: 'expression', language: 'template', help: 'Default: [severity] alert name: summary. Line breaks become spaces.' },
    text: { widget: 'expression', language: 'template', label: 'Plain-text body', help: 'Default: the alert, its labels and links.' },
    html: { widget: 'expression', language: 'template', label: 'HTML body', help: 'Optional. Your markup; every {{ }} value is HTML-escaped when sent.' },
    attach: { widget: 'list', label: 'Attach', help: 'Ids of earlier Attach logs or Graph steps, one per line: their log or chart is attached to the mail.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
