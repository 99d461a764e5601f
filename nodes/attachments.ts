import { type Attachment, fileName, WithAttachmentSchema } from '../shared/attachment.js';
import type { ExprVars } from '../shared/expr/types.js';

/** The attachment's bytes. */
export function attachmentBytes(attachment: Attachment): Buffer {
  return Buffer.from(attachment.content, attachment.encoding === 'base64' ? 'base64' : 'utf8');
}

/** A text attachment (a log), its size counted in UTF-8 bytes. */
export function textAttachment(name: string, text: string): Attachment {
  return { name: fileName(name, 'log'), mediaType: 'text/plain', encoding: 'utf8', size: Buffer.byteLength(text, 'utf8'), content: text };
}

/** An image attachment from its bytes. */
export function imageAttachment(name: string, mediaType: 'image/png' | 'image/svg+xml', bytes: Uint8Array): Attachment {
  const ext = mediaType === 'image/png' ? 'png' : 'svg';
  return { name: fileName(name, ext), mediaType, encoding: 'base64', size: bytes.byteLength, content: Buffer.from(bytes).toString('base64') };
}

/** Why `attach` could not be honoured: names the node, for the step's error. */
export class AttachmentMissing extends Error {}

/**
 * The attachments of the earlier steps `nodeIds` names, in that order, read from the run's step
 * outputs. A node that has not run in this run (another branch), or whose output has no
 * attachment (it failed before making one), is an error naming it: a notification that promises
 * the logs should not quietly go without them.
 */
export function attachmentsFor(nodeIds: readonly string[], steps: ExprVars['steps']): Attachment[] {
  return nodeIds.map((id) => {
    if (!(id in steps)) throw new AttachmentMissing(`attach: step "${id}" has not run in this run, so there is nothing to attach`);
    const parsed = WithAttachmentSchema.safeParse(steps[id]);
    if (!parsed.success) throw new AttachmentMissing(`attach: step "${id}" made no attachment (only enrich.logs and enrich.graph steps that succeeded do)`);
    return parsed.data.attachment;
  });
}
