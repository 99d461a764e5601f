import { z } from 'zod';

/**
 * A file a step made for people to read (a pod's log, a chart), kept in the step's output as
 * `output.attachment`. It is stored with the step, so it survives restarts and is pruned with the
 * run; the run view shows it, and `notify.slack` / `notify.email` attach it when their `attach`
 * names the step's node. Browser-safe: the editor reads the same shape.
 */

/** What an attachment may be: text is shown as text, images as images; nothing else is made. */
const ATTACHMENT_MEDIA_TYPES = ['text/plain', 'image/png', 'image/svg+xml'] as const;

/** The largest attachment, decoded: a log tail is at most 256 KiB, a chart well under this. */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;

/** A file name that is safe in a Content-Disposition header, a mail part and a Slack upload. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const AttachmentSchema = z.strictObject({
  /** File name with its extension, e.g. `web-3.log`, `cpu.png`. */
  name: z.string().regex(FILE_NAME, 'name must be a plain file name (letters, digits, . _ -)'),
  mediaType: z.enum(ATTACHMENT_MEDIA_TYPES),
  /** `utf8` for text (content is the text), `base64` for images. */
  encoding: z.enum(['utf8', 'base64']),
  /** Bytes once decoded. */
  size: z.number().int().min(0).max(MAX_ATTACHMENT_BYTES),
  content: z.string(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** The part of a step output that carries an attachment: what `attach` accepts from a step. */
export const WithAttachmentSchema = z.object({ attachment: AttachmentSchema });

/**
 * `base` made a safe file name with extension `ext`: characters outside letters, digits, `.`, `_`
 * and `-` become `-` (alert values such as a pod name go into it), at most 100 characters.
 */
export function fileName(base: string, ext: string): string {
  const stem = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 95 - ext.length)
    .replace(/[.-]+$/, '');
  return `${stem || 'attachment'}.${ext}`;
}
