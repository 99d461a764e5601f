import { CirclePause } from 'lucide-react';
import { api, call } from '../api/client.js';
import { usePolling } from '../ui/usePolling.js';
import '../styles/limits.css';

/** Held runs counted up to this many (the button then says "100+"). */
const COUNT_LIMIT = 100;
const LIVE_MS = 3000;

/**
 * The Runs page's "Held" filter: one press shows only the runs a guard rail holds, with how many
 * wait for a person (of `flowId` when the page shows one flow's runs).
 */
export function HeldFilter({ flowId, active, onToggle }: { flowId?: string; active: boolean; onToggle: (on: boolean) => void }) {
  const held = usePolling(() => call(api.executions.$get({ query: { flowId, status: 'held', limit: COUNT_LIMIT } })), LIVE_MS, [flowId]);
  const n = held.data?.items.length;
  const count = n === undefined ? '' : n >= COUNT_LIMIT && held.data?.nextCursor ? `${COUNT_LIMIT}+` : String(n);
  return (
    <button
      type="button"
      className={`held-filter${active ? ' active' : ''}${n ? ' has-held' : ''}`}
      aria-pressed={active}
      onClick={() => onToggle(!active)}
      title={active ? 'Show runs of every status' : 'Show only runs a guard rail holds: they wait for a person to release or cancel them'}
      data-testid="held-filter"
    >
      <CirclePause size={14} aria-hidden="true" /> Held{count !== '' && <span className="held-count">{count}</span>}
    </button>
  );
}
