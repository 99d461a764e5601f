import { useState } from 'react';
import type { ReplayResult } from '../../../shared/flow/replay-compare.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { api, call } from '../api/client.js';
import { teamQuery } from '../flows/flows-api.js';

/** The ranges the Replay tab offers; `custom` takes two times. */
export type ReplayRangeChoice = '1h' | '24h' | '7d' | 'custom';

const HOURS: Record<Exclude<ReplayRangeChoice, 'custom'>, number> = { '1h': 1, '24h': 24, '7d': 168 };

/** `since`/`until` (epoch ms) for a choice at `now`; custom reads `datetime-local` texts (local time). */
export function replayRange(choice: ReplayRangeChoice, now: number, custom: { since: string; until: string }): { since: number; until: number } {
  if (choice !== 'custom') return { since: now - HOURS[choice] * 3_600_000, until: now };
  const since = Date.parse(custom.since);
  const until = Date.parse(custom.until);
  if (Number.isNaN(since) || Number.isNaN(until)) throw new Error('Choose both times of the custom range.');
  return { since, until };
}

/**
 * The Replay tab's state: the last replay, the flow it was computed for (`stale` once the flow
 * changed), and the run picked in its table (drawn on the canvas). `team`: where a new flow would
 * be created (its deliveries are that team's).
 */
export function useFlowReplay(flow: Flow, flowJson: string, team?: string) {
  const [replayed, setReplayed] = useState<{ result: ReplayResult; flowJson: string } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  const run = async (range: { since: number; until: number }) => {
    const result = await call(api.flows.replay.$post({ json: { flow, since: range.since, until: range.until }, query: teamQuery(team) }));
    setSelected(result.rows.length > 0 ? 0 : null);
    setReplayed({ result: result as ReplayResult, flowJson });
  };

  const result = replayed?.result ?? null;
  return {
    result,
    stale: replayed !== null && replayed.flowJson !== flowJson,
    selected,
    select: setSelected,
    /** The run drawn on the canvas. */
    run: result && selected !== null ? result.rows[selected] : undefined,
    replay: run,
    clear: () => {
      setReplayed(null);
      setSelected(null);
    },
  };
}
