import type { Attachment } from '../../../shared/attachment.js';
import { ExpressionError } from '../../../shared/expr/errors.js';
import { AttachmentMissing, attachmentBytes, attachmentsFor } from '../../attachments.js';
import { truncate } from '../../../shared/text.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { type CheckedDestination, DestinationRefused, ResolveFailed } from '../../network.js';
import { ConnectFailed, CONNECT_TIMEOUT_MS, connectChecked, trustedCertificates } from './connection.js';
import { DEFAULT_PORTS, emailNotify, serverDisplay } from './definition.js';
import { addressProblem, bodyProblem, cleanSubject, defaultSubject, defaultText, renderHtml } from './message.js';
import type { EmailOutput } from './output.js';

/** What nodemailer's errors carry besides the message (its SMTP error codes and the server's reply). */
interface SmtpError extends Error {
  code?: string;
  response?: string;
  command?: string;
  responseCode?: number;
  rejected?: unknown[];
}

const TLS_TROUBLE = /certificate|CERT_|self[- ]signed|unable to (get|verify)|altnames|wrong version number|handshake/i;

/** The words for a failed send: what went wrong, and what to change when the config can fix it. */
function sendFailure(error: SmtpError, server: string, user: string | undefined): string {
  const reply = error.response ? truncate(error.response, 300) : undefined;
  // 500/502/504 to AUTH: the server does not know the command, i.e. it offers no login here.
  if (error.code === 'EAUTH' && [500, 502, 504].includes(error.responseCode ?? 0)) {
    return `${server} offers no login (it answered "${reply}"), so nothing was sent: remove auth if it needs none, or use its submission port`;
  }
  if (error.code === 'EAUTH') return `${server} refused the login of user "${user ?? ''}": ${reply ?? error.message}`;
  if (error.code === 'ETLS' && error.command === 'STARTTLS' && reply) {
    return `${server} does not offer STARTTLS (it answered "${reply}"): security starttls never sends unencrypted; use a server or port with STARTTLS, or tls`;
  }
  if (TLS_TROUBLE.test(error.message)) {
    return `the TLS connection to ${server} failed: ${error.message}. If the server’s certificate is signed by a private CA, paste that CA’s certificate into ca; the certificate must name the configured host`;
  }
  if (error.code === 'EENVELOPE' || error.code === 'EMESSAGE') return `${server} refused the message: ${error.message}`;
  if (error instanceof ConnectFailed) return `could not connect to ${server}: ${error.message}`;
  return `sending through ${server} failed: ${error.message}`;
}

/**
 * Runs `notify.email`: renders and checks the message (one address per recipient entry, a
 * one-line subject, bodies within their limit), has the destination policy check the server,
 * connects only to the checked addresses, and hands the message to nodemailer on that socket —
 * TLS verified, STARTTLS required unless told otherwise, login only over TLS.
 */
export const executeEmailNotify = defineExecutor(emailNotify, async (config, ctx): Promise<StepOutcome<EmailOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const port = config.port ?? DEFAULT_PORTS[config.security];
  const server = serverDisplay(config);
  const password = config.auth?.password;
  // The runner scrubs secret values from outputs too; this keeps them out of the words as well.
  const hide = (text: string) => (password ? text.replaceAll(password, '[password]') : text);
  const base = { server, security: config.security, accepted: [] as string[], rejected: [] as string[] };
  const failed = (message: string, extra: Partial<EmailOutput> = {}) =>
    ({ type: 'fail', port: 'error', error: hide(message), output: { ...base, ok: false, error: hide(message), durationMs: elapsed(), ...extra } }) as const;

  // Every recipient entry is one address once rendered: alert data cannot add recipients or headers.
  const recipients: Record<'to' | 'cc', string[]> = { to: [], cc: [] };
  for (const field of ['to', 'cc'] as const) {
    for (const [i, entry] of config[field].entries()) {
      const value = entry.trim();
      const problem = addressProblem(value);
      if (problem) return failed(`${field}[${i}] rendered to ${JSON.stringify(truncate(value, 120))}, which ${problem}; nothing was sent`);
      recipients[field].push(value);
    }
  }
  const subject = cleanSubject(config.subject ?? '') || cleanSubject(defaultSubject(ctx.vars.alert));
  const text = config.text ?? defaultText(ctx.vars, ctx.runUrl);
  let html: string | undefined;
  if (config.html !== undefined) {
    try {
      html = renderHtml(config.html, ctx.vars);
    } catch (error) {
      if (error instanceof ExpressionError) return failed(`config.html: ${error.message}`);
      throw error;
    }
  }
  const tooBig = bodyProblem('text', text) ?? (html === undefined ? undefined : bodyProblem('html', html));
  if (tooBig) return failed(`${tooBig}; nothing was sent`);
  let files: Attachment[];
  try {
    files = attachmentsFor(config.attach ?? [], ctx.vars.steps);
  } catch (error) {
    if (error instanceof AttachmentMissing) return failed(`${error.message}; nothing was sent`);
    throw error;
  }
  const attached = files.length > 0 ? { attached: files.map((f) => f.name) } : {};

  // One deadline for all of it; the run's own signal (cancel, shutdown) stops it too.
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(config.timeoutSeconds * 1000)]);
  // Once connected, a stop may come after the server took the message: say so, never "not sent".
  let connected = false;
  const stopped = () => {
    const outcome = connected ? 'the server may or may not have taken the message' : 'nothing was sent';
    return ctx.signal.aborted
      ? failed(`cancelled while sending through ${server}; ${outcome}`)
      : failed(`sending through ${server} timed out after ${config.timeoutSeconds} s; ${outcome}`);
  };

  const host = config.host.replace(/^\[(.*)\]$/, '$1');
  let dest: CheckedDestination;
  try {
    dest = await ctx.network.resolve({ host: config.host, port, display: server, secrets: ctx.secrets.map((s) => s.name) }, signal);
  } catch (error) {
    if (signal.aborted) return stopped();
    if (error instanceof DestinationRefused || error instanceof ResolveFailed) return failed(`${error.message}; nothing was sent`);
    throw error;
  }

  // Loaded on first use: nodemailer is megabytes of resident memory a server that sends no email never needs.
  const { default: nodemailer } = await import('nodemailer');
  const transporter = nodemailer.createTransport({
    host,
    port,
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ignoreTLS: config.security === 'none',
    tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(config.ca ? { ca: trustedCertificates(config.ca) } : {}) },
    // With a login configured, a server that offers none is an error: never send unauthenticated.
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.password }, forceAuth: true } : {}),
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: config.timeoutSeconds * 1000,
    // The message is built from strings only: nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    // nodemailer would resolve the name itself; the socket goes only where the policy checked.
    getSocket: (_options, callback) => {
      connectChecked(host, port, dest, signal).then(
        (connection) => {
          connected = true;
          callback(null, { connection });
        },
        (error: Error) => callback(error),
      );
    },
  });
  try {
    const info = await transporter.sendMail({
      from: config.fromName ? { name: config.fromName, address: config.from } : config.from,
      to: recipients.to.map((address) => ({ name: '', address })),
      ...(recipients.cc.length > 0 ? { cc: recipients.cc.map((address) => ({ name: '', address })) } : {}),
      subject,
      text,
      ...(html === undefined ? {} : { html }),
      ...(files.length > 0 ? { attachments: files.map((f) => ({ filename: f.name, content: attachmentBytes(f), contentType: f.mediaType })) } : {}),
      signal,
    });
    return {
      type: 'next',
      port: 'ok',
      output: {
        ...base,
        ok: true,
        ...attached,
        messageId: info.messageId,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
        response: truncate(info.response, 1000),
        envelope: { from: String(info.envelope.from || ''), to: (info.envelope.to ?? []).map(String) },
        durationMs: elapsed(),
      },
    };
  } catch (error) {
    if (signal.aborted) return stopped();
    const smtp = error as SmtpError;
    return failed(sendFailure(smtp, server, config.auth?.user), {
      ...(smtp.response ? { response: truncate(hide(smtp.response), 1000) } : {}),
      ...(Array.isArray(smtp.rejected) ? { rejected: smtp.rejected.map(String) } : {}),
    });
  } finally {
    transporter.close();
  }
});
