import type { Attachment } from '../../../shared/attachment.js';
import { CopyButton } from './CopyButton.js';

/** `12.3 KiB`, `512 B`: an attachment's size as the download link says it. */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The attachment's bytes as a Blob, for the download link. */
function blobOf(attachment: Attachment): Blob {
  if (attachment.encoding === 'utf8') return new Blob([attachment.content], { type: `${attachment.mediaType};charset=utf-8` });
  const binary = atob(attachment.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: attachment.mediaType });
}

/** Saves the attachment under its own name (a link made on click, so nothing is kept in memory). */
function download(attachment: Attachment): void {
  const url = URL.createObjectURL(blobOf(attachment));
  const link = document.createElement('a');
  link.href = url;
  link.download = attachment.name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A file a step made (enrich.logs, enrich.graph): a log as text, a chart as an image, with its
 * name, size and a download button. Images are drawn from a `data:` URL in an <img>, where an
 * SVG's scripts never run.
 */
export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const isText = attachment.encoding === 'utf8';
  return (
    <section className="json-view attachment-view" data-testid="attachment">
      <div className="json-view-head">
        <span className="json-view-title">Attachment</span>
        <span className="mono small attachment-name">{attachment.name}</span>
        <span className="muted small">{sizeText(attachment.size)}</span>
        <span className="spacer" />
        {isText && attachment.content && <CopyButton text={attachment.content} what="log" />}
        <button type="button" className="small" onClick={() => download(attachment)}>
          Download
        </button>
      </div>
      {isText ? (
        attachment.content ? (
          <pre className="code-block attachment-text">{attachment.content}</pre>
        ) : (
          <div className="muted small">empty</div>
        )
      ) : (
        <img className="attachment-image" src={`data:${attachment.mediaType};base64,${attachment.content}`} alt={`Chart ${attachment.name}`} />
      )}
    </section>
  );
}
