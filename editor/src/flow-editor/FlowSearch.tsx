import { X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { useEditor } from '../canvas/store.js';
import { searchNodes, type SearchHit } from './flow-search.js';

interface Props {
  /** Called with the ids that match (null when the search is closed), for the canvas to mark. */
  onMatches: (ids: ReadonlySet<string> | null) => void;
  /** Selects the node and brings it into view. */
  onChoose: (id: string) => void;
  onClose: () => void;
}

const WHERE: Record<SearchHit['where'], string> = { id: 'id', label: 'name', type: 'type', config: 'config' };

/** Search over the nodes of the open flow: id, label, type and config text. */
export function FlowSearch({ onMatches, onChoose, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const nodes = useEditor((s) => s.nodes);
  const hits = searchNodes(nodes, query);
  const input = useRef<HTMLInputElement>(null);
  const idsKey = hits.map((h) => h.id).join('\n');

  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    onMatches(idsKey === '' ? null : new Set(idsKey.split('\n')));
  }, [idsKey, onMatches]);
  useEffect(() => () => onMatches(null), [onMatches]);

  const choose = (hit: SearchHit | undefined) => hit && onChoose(hit.id);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => Math.min(i + 1, hits.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(hits[active]);
    }
  };

  return (
    <search className="canvas-search" aria-label="Search this flow" data-testid="flow-search">
      <div className="canvas-search-box">
        <input
          ref={input}
          type="search"
          placeholder="Find a node: id, name, type or config text"
          aria-label="Find a node in this flow"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          data-testid="flow-search-input"
        />
        <button type="button" className="ghost icon" aria-label="Close the search" title="Close the search (Esc)" onClick={onClose}>
          <X size={16} />
        </button>
      </div>
      {query.trim() !== '' && (
        <ul className="canvas-search-results" aria-label="Matching nodes" data-testid="flow-search-results">
          {hits.length === 0 && <li className="muted">No node matches “{query.trim()}”.</li>}
          {hits.map((h, i) => (
            <li key={h.id}>
              <button type="button" className={i === active ? 'active' : ''} onClick={() => choose(h)} data-node-id={h.id}>
                <span className="mono">{h.id}</span> {h.label ?? getNodeDefinition(h.type)?.label ?? h.type}
                <span className="muted"> · matched {WHERE[h.where]}</span>
                {h.excerpt && <span className="canvas-search-excerpt mono">{h.excerpt}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
}
