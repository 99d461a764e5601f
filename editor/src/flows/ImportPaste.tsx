import { useRef } from 'react';
import type { SourceReading } from './import-plan.js';
import { ReadingSummary } from './ReadingSummary.js';

interface Props {
  /** Base for the element ids (label, status line). */
  idBase: string;
  text: string;
  onText: (text: string) => void;
  /** How the pasted text reads; undefined while nothing is pasted. */
  reading: SourceReading | undefined;
  /** Fewer rows when files are given too. */
  compact: boolean;
}

/** The import dialog's paste box, with what the text holds or where its JSON breaks ("Show in text"). */
export function ImportPaste({ idBase, text, onText, reading, compact }: Props) {
  const textarea = useRef<HTMLTextAreaElement>(null);

  const showInText = (offset: number) => {
    const el = textarea.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(offset, Math.min(offset + 1, el.value.length));
  };

  return (
    <section className="flow-import-section">
      <label htmlFor={`${idBase}-paste`} className="flow-section-title">
        Or paste JSON
      </label>
      <textarea
        ref={textarea}
        id={`${idBase}-paste`}
        rows={compact ? 3 : 8}
        value={text}
        spellCheck={false}
        placeholder={'{ "format": "salve.flow/v1", "id": "…", … }   or   { "flows": [ … ] }'}
        onChange={(e) => onText(e.target.value)}
        aria-invalid={reading && !reading.ok ? true : undefined}
        aria-describedby={reading ? `${idBase}-paste-status` : undefined}
        data-testid="import-paste"
      />
      {reading && (
        <div id={`${idBase}-paste-status`} className={reading.ok ? 'field-help' : 'field-error'} data-testid="import-paste-status">
          <ReadingSummary reading={reading} />
          {!reading.ok && reading.json?.offset !== undefined && (
            <>
              {' '}
              <button type="button" className="small" onClick={() => showInText(reading.json!.offset!)}>
                Show in text
              </button>
            </>
          )}
        </div>
      )}
    </section>
  );
}
