import { useRef } from 'react';
import { FileJson, FileUp, X } from 'lucide-react';
import type { RejectedFile } from './file-sources.js';
import type { SourceReading } from './import-plan.js';
import { ReadingSummary } from './ReadingSummary.js';

interface Props {
  /** Heading id, for the section's label. */
  headingId: string;
  readings: readonly SourceReading[];
  rejected: readonly RejectedFile[];
  onAddFiles: (files: File[]) => void;
  onRemoveFile: (name: string) => void;
}

/** The import dialog's Files section: the chooser, then each file given and what it holds (or why it is skipped). */
export function ImportFiles({ headingId, readings, rejected, onAddFiles, onRemoveFile }: Props) {
  const fileInput = useRef<HTMLInputElement>(null);
  const chooseButton = useRef<HTMLButtonElement>(null);

  const removeFile = (name: string) => {
    onRemoveFile(name);
    // Its remove button goes away with it; focus would fall out of the dialog.
    chooseButton.current?.focus();
  };

  return (
    <section className="flow-import-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Files</h3>
      <div className="row flow-import-pick">
        <button ref={chooseButton} type="button" onClick={() => fileInput.current?.click()} data-autofocus>
          <FileUp size={16} aria-hidden="true" /> Choose .json files…
        </button>
        {/* After the button: the dialog focuses the first input it finds. The button is what
            people (and keyboards) use; the input itself is hidden. */}
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          multiple
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="import-file-input"
          onChange={(e) => {
            const picked = [...(e.target.files ?? [])];
            e.target.value = ''; // so picking the same file again, after fixing it, is noticed
            if (picked.length) onAddFiles(picked);
          }}
        />
        <span className="muted">or drop them anywhere on this page. Several files are imported together.</span>
      </div>
      {(readings.length > 0 || rejected.length > 0) && (
        <ul className="flow-file-list" data-testid="import-files">
          {readings.map((r) => (
            <li key={r.name} className={r.ok ? '' : 'bad'}>
              <FileJson size={16} aria-hidden="true" />
              <span className="mono flow-file-name">{r.name}</span>
              <span className="flow-file-what">
                <ReadingSummary reading={r} />
              </span>
              <button type="button" className="ghost icon small" aria-label={`Remove ${r.name}`} onClick={() => removeFile(r.name)}>
                <X size={14} />
              </button>
            </li>
          ))}
          {rejected.map((r) => (
            <li key={`rejected:${r.name}`} className="skipped">
              <FileJson size={16} aria-hidden="true" />
              <span className="mono flow-file-name">{r.name}</span>
              <span className="flow-file-what muted">skipped: {r.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
