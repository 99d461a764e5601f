import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/**
 * What a `notify.email` step records: where it sent, and the server's answer — the message's id,
 * the recipients the server took and refused, its last reply line, the envelope. Never the
 * password (the runner also scrubs every secret value from outputs).
 */
export const EmailOutputSchema = z.object({
  ok: z.boolean(),
  /** `smtp://host:port`, as configured. */
  server: z.string(),
  security: z.enum(['starttls', 'tls', 'none']),
  /** The Message-ID header of the message sent (`<…@domain>`). */
  messageId: z.string().optional(),
  /** Recipients the server accepted. */
  accepted: z.array(z.string()),
  /** Recipients the server refused (the message went to the others). */
  rejected: z.array(z.string()),
  /** The server's last reply, e.g. `250 2.0.0 Ok: queued as 4F3A2`. */
  response: z.string().optional(),
  /** The SMTP envelope: MAIL FROM and every RCPT TO (To and Cc). */
  envelope: z.object({ from: z.string(), to: z.array(z.string()) }).optional(),
  /** The files attached (`attach`), by name. */
  attached: z.array(z.string()).optional(),
  /** Why the message was not sent. */
  error: z.string().optional(),
  durationMs: z.number(),
});
export type EmailOutput = z.infer<typeof EmailOutputSchema>;

export function presentEmailOutput(output: EmailOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Server', text: output.server, mono: true });
  view.facts.push({ label: 'Security', text: output.security === 'none' ? 'none (unencrypted)' : output.security.toUpperCase(), ...(output.security === 'none' ? { tone: 'error' as const } : {}) });
  if (output.accepted.length > 0) view.facts.push({ label: 'Accepted', text: output.accepted.join(', '), tone: 'ok' });
  if (output.rejected.length > 0) view.facts.push({ label: 'Refused', text: output.rejected.join(', '), tone: 'error' });
  if (output.messageId) view.facts.push({ label: 'Message-ID', text: output.messageId, mono: true });
  if (output.response) view.facts.push({ label: 'Server reply', text: output.response, mono: true, ...(output.ok ? {} : { tone: 'error' as const }) });
  else if (!output.ok) view.facts.push({ label: 'Server reply', missing: 'No answer' });
  if (output.attached && output.attached.length > 0) view.facts.push({ label: 'Attached', text: output.attached.join(', '), mono: true });
  view.facts.push({ label: 'Took', durationMs: output.durationMs });
  if (output.error) view.blocks.push({ kind: 'note', text: output.error, tone: 'error' });
  return view;
}
