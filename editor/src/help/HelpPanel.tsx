import { Keyboard } from 'lucide-react';
import { useMemo, useState } from 'react';
import { getNodeDefinition, nodeDefinitions } from '../../../nodes/catalog.js';
import { nodeReference, type NodeReference } from '../../../nodes/reference.js';
import { InlineText, NoteText } from './NoteText.js';

interface Props {
  /** The selected node's type; null shows the index of node types. */
  type: string | null;
  onShortcuts: () => void;
}

/**
 * The Help tab: the reference of a node type (nodes/reference.ts, the same as docs/nodes.md),
 * for the selected node, or for a type picked from the index when nothing is selected.
 */
export function HelpPanel({ type, onShortcuts }: Props) {
  const [picked, setPicked] = useState<string | null>(null);
  const shown = type ?? picked;
  const def = shown ? getNodeDefinition(shown) : undefined;
  const reference = useMemo(() => (def ? nodeReference(def) : null), [def]);
  if (shown && !reference) {
    return (
      <div className="side-body help" data-testid="help">
        <p className="muted">This version of Salve has no node type “{shown}”.</p>
      </div>
    );
  }
  return (
    <div className="side-body help" data-testid="help">
      <button type="button" className="ghost help-keys" onClick={onShortcuts} title="Keyboard shortcuts (?)" data-testid="shortcuts-open">
        <Keyboard size={16} aria-hidden="true" /> Keyboard shortcuts <kbd>?</kbd>
      </button>
      {reference ? (
        <>
          {!type && (
            <button type="button" className="ghost help-back" onClick={() => setPicked(null)}>
              ← All node types
            </button>
          )}
          <ReferenceView r={reference} />
        </>
      ) : (
        <TypeIndex onPick={setPicked} />
      )}
    </div>
  );
}

function TypeIndex({ onPick }: { onPick: (type: string) => void }) {
  return (
    <>
      <h2>Node types</h2>
      <p className="muted">Select a node on the canvas to see its reference here, or pick a type.</p>
      <ul className="help-index" data-testid="help-index">
        {nodeDefinitions.map((d) => (
          <li key={d.type}>
            <button type="button" className="link" onClick={() => onPick(d.type)}>
              {d.label}
            </button>{' '}
            <span className="mono muted">{d.type}</span>
            <div className="muted">{d.description}</div>
          </li>
        ))}
      </ul>
    </>
  );
}

function ReferenceView({ r }: { r: NodeReference }) {
  return (
    <article aria-label={`Reference of ${r.type}`} data-testid="help-reference">
      <h2>
        {r.title} <span className="mono muted">{r.type}</span>
      </h2>
      <p>{r.description}</p>
      <dl className="help-facts">
        {r.trigger && (
          <>
            <dt>Starts on</dt>
            <dd>
              <InlineText text={r.trigger} />
            </dd>
          </>
        )}
        <dt>Ports</dt>
        <dd>
          <ul className="help-ports" data-testid="help-ports">
            {r.ports.map((p) => (
              <li key={p.name}>
                <code>{p.name}</code>
                {p.meaning && (
                  <>
                    : <InlineText text={p.meaning} />
                  </>
                )}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Retried after a crash</dt>
        <dd>
          <InlineText text={r.retried} />
        </dd>
        <dt>In a simulation</dt>
        <dd>
          <InlineText text={r.simulated} />
        </dd>
      </dl>
      {r.fields.length > 0 && (
        <>
          <h3>Config fields</h3>
          <ul className="help-fields" data-testid="help-fields">
            {r.fields.map((f) => (
              <li key={f.name} data-field={f.name}>
                <div>
                  <code>{f.name}</code>
                  {f.label && <strong> {f.label}</strong>}
                  <span className="help-tag">{f.required ? 'required' : 'optional'}</span>
                  {f.markers.map((m) => (
                    <span key={m} className="help-tag">
                      {m}
                    </span>
                  ))}
                </div>
                <div className="muted">
                  {f.type}
                  {f.default !== undefined && <> · default <code>{f.default}</code></>}
                </div>
                {f.help && <div>{f.help}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Output</h3>
      {r.outputs.length > 0 ? (
        <>
          <p className="muted">
            Later nodes read it as <code>{r.outputRoot}.&lt;field&gt;</code>:
          </p>
          <ul className="help-outputs" data-testid="help-outputs">
            {r.outputs.map((o) => (
              <li key={o.name}>
                <code>{o.name}</code> <span className="muted">{o.type}{o.always ? '' : ', not always'}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">
          <code>{r.outputRoot}</code> is a {r.outputType}.
        </p>
      )}
      {r.notes.length > 0 && (
        <>
          <h3>Details</h3>
          {r.notes.map((n) => (
            <NoteText key={n} text={n} />
          ))}
        </>
      )}
    </article>
  );
}
