import { memo, useMemo, useState } from 'react';
import { PanelLeftClose, PanelLeftOpen, Rows3, TextAlignJustify } from 'lucide-react';
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

/** How the palette is shown: open with descriptions, open with names only, or folded to a strip. */
export interface PaletteLayout {
  open: boolean;
  compact: boolean;
}

interface PaletteProps {
  onAdd: (type: string) => void;
  disabled?: boolean;
  layout: PaletteLayout;
  onLayout: (layout: PaletteLayout) => void;
}

/**
 * Every node type of the registry, grouped by category. Drag one onto the canvas, or
 * double-click (or press Enter on) it to add it in the middle of the view. It folds to a
 * narrow strip, and its compact mode lists names only (the description is in the tooltip),
 * so the canvas gets the room.
 */
export const Palette = memo(function Palette({ onAdd, disabled, layout, onLayout }: PaletteProps) {
  if (!layout.open) {
    return (
      <aside className="palette palette-folded" aria-label="Node palette">
        <button
          type="button"
          className="ghost icon"
          aria-label="Show the node palette"
          title="Show the node palette"
          aria-expanded={false}
          onClick={() => onLayout({ ...layout, open: true })}
          data-testid="palette-show"
        >
          <PanelLeftOpen size={16} aria-hidden="true" />
        </button>
        <span className="folded-label" aria-hidden="true">
          Nodes
        </span>
      </aside>
    );
  }
  return <OpenPalette onAdd={onAdd} disabled={disabled} layout={layout} onLayout={onLayout} />;
});

function OpenPalette({ onAdd, disabled, layout, onLayout }: PaletteProps) {
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
    <aside className={`palette${layout.compact ? ' compact' : ''}`} aria-label="Node palette" data-testid="palette">
      <div className="palette-head">
        <input
          type="search"
          placeholder="Search nodes"
          aria-label="Search nodes"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="palette-search"
        />
        <button
          type="button"
          className="ghost icon small"
          aria-label={layout.compact ? 'Show descriptions' : 'Compact: names only'}
          title={layout.compact ? 'Show descriptions' : 'Compact: names only'}
          aria-pressed={layout.compact}
          onClick={() => onLayout({ ...layout, compact: !layout.compact })}
          data-testid="palette-compact"
        >
          {layout.compact ? <TextAlignJustify size={15} aria-hidden="true" /> : <Rows3 size={15} aria-hidden="true" />}
        </button>
        <button
          type="button"
          className="ghost icon small"
          aria-label="Hide the node palette"
          title="Hide the node palette"
          aria-expanded={true}
          onClick={() => onLayout({ ...layout, open: false })}
          data-testid="palette-hide"
        >
          <PanelLeftClose size={15} aria-hidden="true" />
        </button>
      </div>
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
                {!layout.compact && <small>{d.description}</small>}
              </span>
            </button>
          ))}
        </section>
      ))}
      {groups.length === 0 && <p className="muted small">No node type matches “{query}”.</p>}
      {!layout.compact && <p className="palette-hint">Drag a node onto the canvas, or double-click it. Connect an output port to the next node’s input.</p>}
    </aside>
  );
}
