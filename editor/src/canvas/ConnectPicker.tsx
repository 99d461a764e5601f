import { useId, useMemo, useState } from 'react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { checkConnection } from './rules.js';
import { useEditor } from './store.js';

interface Props {
  /** The node the new edge leaves from. */
  sourceId: string;
  onClose: () => void;
}

/**
 * "Connect to…": the keyboard's way to draw an edge. Pick the output port (when the node has
 * several), filter the other nodes by id or name, move with ↑/↓ and press Enter. Every target is
 * checked with the canvas's connection rules (the ones saving applies); a refused one says why
 * and nothing is added.
 */
export function ConnectPicker({ sourceId, onClose }: Props) {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const source = nodes.find((n) => n.id === sourceId);
  const ports = (source && getNodeDefinition(source.data.type)?.outputs) ?? [];
  const [port, setPort] = useState<string | undefined>(ports[0]);
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const [refusal, setRefusal] = useState<string | null>(null);
  const listId = useId();

  const candidates = useMemo(() => {
    const words = filter.trim().toLowerCase();
    return nodes
      .filter((n) => n.id !== sourceId)
      .map((n) => {
        const typeLabel = getNodeDefinition(n.data.type)?.label ?? n.data.type;
        return { id: n.id, name: n.data.label || typeLabel, typeLabel, check: checkConnection({ source: sourceId, target: n.id, sourceHandle: port ?? null }, nodes, edges) };
      })
      .filter((c) => !words || `${c.id} ${c.name} ${c.typeLabel}`.toLowerCase().includes(words))
      // What can be connected first, so Enter on the first entry does something; refused ones stay listed with their reason.
      .sort((a, b) => Number(!a.check.ok) - Number(!b.check.ok));
  }, [nodes, edges, sourceId, port, filter]);
  const current = Math.min(active, Math.max(candidates.length - 1, 0));

  const choose = (index: number) => {
    const target = candidates[index];
    if (!target) return;
    if (!target.check.ok) {
      setRefusal(`Can’t connect “${sourceId}” to “${target.id}”: ${target.check.reason}`);
      return;
    }
    useEditor.getState().connect({ source: sourceId, target: target.id, sourceHandle: port ?? null, targetHandle: null });
    toast(`Connected “${sourceId}”${ports.length > 1 && port ? ` (${port})` : ''} to “${target.id}”.`, 'success');
    onClose();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive(Math.min(Math.max(current + step, 0), Math.max(candidates.length - 1, 0)));
      setRefusal(null);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(current);
    }
  };

  const optionId = (i: number) => `${listId}-${i}`;

  return (
    <Dialog title={`Connect “${sourceId}” to…`} onClose={onClose} testId="connect-picker">
      {ports.length > 1 && (
        <fieldset className="connect-ports">
          <legend>From port</legend>
          {ports.map((p) => (
            <label key={p} className="connect-port">
              <input
                type="radio"
                name="connect-port"
                value={p}
                checked={port === p}
                onChange={() => {
                  setPort(p);
                  setRefusal(null);
                }}
                data-testid={`connect-port-${p}`}
              />
              {p}
            </label>
          ))}
        </fieldset>
      )}
      <label className="connect-filter">
        <span>To node</span>
        <input
          type="text"
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={candidates.length > 0 ? optionId(current) : undefined}
          placeholder="Type to filter by id or name"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setActive(0);
            setRefusal(null);
          }}
          onKeyDown={onKeyDown}
          data-testid="connect-filter"
        />
      </label>
      <div id={listId} role="listbox" aria-label="Target nodes" className="connect-list">
        {candidates.length === 0 && <p className="muted">No other node matches “{filter}”.</p>}
        {candidates.map((c, i) => (
          <div
            key={c.id}
            id={optionId(i)}
            role="option"
            tabIndex={-1}
            aria-selected={i === current}
            aria-disabled={!c.check.ok}
            className={`connect-option${i === current ? ' active' : ''}${c.check.ok ? '' : ' refused'}`}
            data-testid={`connect-option-${c.id}`}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              setActive(i);
              choose(i);
            }}
            onKeyDown={onKeyDown}
          >
            <span className="mono">{c.id}</span>
            <span className="connect-option-name">{c.name}</span>
            {!c.check.ok && <span className="connect-option-reason">{c.check.reason}</span>}
          </div>
        ))}
      </div>
      {refusal && (
        <p className="banner warning connect-refusal" role="alert" data-testid="connect-refusal">
          {refusal}
        </p>
      )}
      <p className="muted connect-keys">{ports.length > 1 ? 'Arrows pick a port, Tab moves to the list; ' : ''}↑/↓ choose a node, Enter connects, Esc closes.</p>
    </Dialog>
  );
}
