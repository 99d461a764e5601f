import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton.js';
import { prettyJson } from './output.js';

/**
 * A titled, pretty-printed JSON value in a `.code-block` with a copy button. `collapsed` puts
 * it in a closed <details> for values that are usually long and rarely needed (a step's input
 * is often the whole alert).
 */
export function JsonView({ title, value, collapsed, extra }: { title: string; value: unknown; collapsed?: boolean; extra?: ReactNode }) {
  const text = prettyJson(value);
  const body =
    value === undefined || value === null ? (
      <div className="muted small">none</div>
    ) : (
      <pre className="code-block">{text}</pre>
    );
  if (collapsed) {
    return (
      <details className="json-view">
        <summary>
          <span className="json-view-title">{title}</span>
          {extra}
        </summary>
        {/* The copy button sits outside <summary>: a click there would also toggle it. */}
        <div className="json-view-body">
          {text && text !== 'null' && (
            <span className="json-view-copy">
              <CopyButton text={text} what={title.toLowerCase()} />
            </span>
          )}
          {body}
        </div>
      </details>
    );
  }
  return (
    <section className="json-view">
      <div className="json-view-head">
        <span className="json-view-title">{title}</span>
        {extra}
        <span className="spacer" />
        {text && text !== 'null' && <CopyButton text={text} what={title.toLowerCase()} />}
      </div>
      {body}
    </section>
  );
}

/** Plain text (stdout, a response body) in a code block with a copy button. */
export function TextView({ title, text, tone }: { title: string; text: string; tone?: 'error' }) {
  return (
    <section className="json-view">
      <div className="json-view-head">
        <span className={`json-view-title${tone === 'error' ? ' tone-error' : ''}`}>{title}</span>
        <span className="spacer" />
        {text && <CopyButton text={text} what={title.toLowerCase()} />}
      </div>
      {text ? <pre className="code-block">{text}</pre> : <div className="muted small">empty</div>}
    </section>
  );
}
