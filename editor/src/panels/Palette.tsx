import { memo, useMemo, useState } from 'react';
import { nodeDefinitions } from '../../../nodes/catalog.js';
import type { NodeCategory } from '../../../shared/flow/node-spec.js';
import { NodeIcon } from '../ui/icons.js';

/** The drag payload type for palette entries (so unrelated drops are ignored). */
export const PALETTE_MIME = 'application/x-salve-node-type';

const GROUPS: { category: NodeCategory; title: string }[] = [
  { category: 'source', title: 'Alert sources' },
  { category: 'condition', title: 'Conditions' },
  { category: 'action', title: 'Actions' },
  { category: 'approval', title: 'Approvals' },
];

/**
 * Every node type of the registry, grouped by category. Drag one onto the canvas, or
 * double-click (or press Enter on) it to add it in the middle of the view.
 */
export const Palette = memo(function Palette({ onAdd, disabled }: { onAdd: (type: string) => void; disabled?: boolean }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    return GROUPS.map((g) => ({
      ...g,
      items: nodeDefinitions.filter(
        (d) =>
          d.category === g.category &&
          (!q || d.label.toLowerCase().includes(q) || d.type.includes(q) || d.description.toLowerCase().includes(q)),
      ),
    })).filter((g) => g.items.length > 0);
  }, [query]);

  return (
    <aside className="palette" aria-label="Node palette">
      <input
        type="search"
        placeholder="Search nodes"
        aria-label="Search nodes"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="palette-search"
      />
      {groups.map((g) => (
        <section key={g.category} className={`palette-group cat-${g.category}`} aria-label={g.title}>
          <h3>{g.title}</h3>
          {g.items.map((d) => (
            <button
              key={d.type}
              type="button"
              className={`palette-item cat-${d.category}`}
              draggable={!disabled}
              disabled={disabled}
              data-testid={`palette-${d.type}`}
              title={`${d.description}\nDrag onto the canvas, or double-click to add.`}
              onDragStart={(e) => {
                e.dataTransfer.setData(PALETTE_MIME, d.type);
                e.dataTransfer.setData('text/plain', d.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onDoubleClick={() => onAdd(d.type)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  onAdd(d.type);
                }
              }}
            >
              <span className="salve-node-icon">
                <NodeIcon name={d.icon} size={15} />
              </span>
              <span>
                <strong>{d.label}</strong>
                <small>{d.description}</small>
              </span>
            </button>
          ))}
        </section>
      ))}
      {groups.length === 0 && <p className="muted small">No node type matches “{query}”.</p>}
      <p className="palette-hint">Drag a node onto the canvas, or double-click it. Connect an output port to the next node’s input.</p>
    </aside>
  );
});
