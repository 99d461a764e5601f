import type { Flow } from '../../../shared/flow/schema.js';
import { outgoingEdges } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import type { StoreTx } from '../../store/tx.js';
import type { StepRow } from '../../store/steps-repo.js';
import { parseScope, scopeOf } from './loop-vars.js';

/**
 * Loops (`control.foreach`, NodeSpec.loopPort): the loop step waits (waitReason `foreach`) while
 * the steps on its loop port run once per item, each item's steps carrying the scope
 * `<loop step id>#<index>` (spawnNext passes it on). The state is rows only, so a restart carries
 * on where it was: the loop step's output holds the list and how many items started; an item has
 * ended when no step of its scope is open. `advanceLoops` moves every loop on, inside the
 * transaction that recorded a step.
 */

/** What a waiting loop step keeps: the list, and how many items started (in order). */
interface LoopState {
  items: unknown[];
  started: number;
}

/** One item's result, as the loop step's output lists it. */
interface ItemResult {
  index: number;
  item: unknown;
  ok: boolean;
  steps: Record<string, unknown>;
  error?: string;
  /** Steps whose outputs were left out of `steps`, to keep the loop's output bounded. */
  omitted?: string[];
}

/** The most bytes of step outputs the results of one loop keep, shared by its items. */
const RESULTS_BYTES = 4 * 1024 * 1024;
/** The most one item keeps (less when the list is long). */
const ITEM_BYTES = 64 * 1024;

const json = (v: unknown) => JSON.stringify(v);
const parse = (text: string | null): unknown => (text == null ? undefined : JSON.parse(text));
const OPEN = new Set(['pending', 'intent', 'waiting']);

type Spawn = (tx: StoreTx, flow: Flow, executionId: string, from: StepRow, port: string, output: unknown, now: number) => Promise<void>;

/** How many items of loop node `nodeId` may run at once (its config's `concurrency`, 1 by default). */
function concurrencyOf(flow: Flow, nodeId: string): number {
  const value = (flow.nodes.find((n) => n.id === nodeId)?.config as { concurrency?: unknown } | undefined)?.concurrency;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 1;
}

/** Parks a loop step on its list (it ran and gave `items`); advanceLoops starts the first items. */
export async function parkLoop(
  tx: StoreTx,
  step: StepRow,
  from: 'pending' | 'intent',
  items: unknown[],
  base: { config: string | null; startedAt: number; attempt: number },
): Promise<boolean> {
  const state: LoopState = { items, started: 0 };
  return await tx.steps.transition(step.id, [from], { ...base, status: 'waiting', waitReason: 'foreach', output: json(state) });
}

/** Whether a failed step was handled: it left through a port with edges (an `error` branch). */
const handled = (flow: Flow, s: StepRow) => !!s.port && outgoingEdges(flow, s.nodeId, s.port, lookupNodeSpec).length > 0;

/** The result of an ended item, from its steps' rows; outputs beyond `budget` bytes are left out. */
function itemResult(flow: Flow, index: number, item: unknown, steps: readonly StepRow[], budget: number): ItemResult {
  const out: Record<string, unknown> = {};
  const omitted: string[] = [];
  let used = 0;
  for (const s of steps) {
    if (s.status !== 'succeeded' && s.status !== 'failed') continue;
    const size = s.output?.length ?? 4;
    if (used + size > budget) {
      omitted.push(s.nodeId);
      continue;
    }
    used += size;
    out[s.nodeId] = parse(s.output) ?? null;
  }
  const failed = steps.find((s) => s.status === 'failed' && !handled(flow, s));
  return {
    index,
    item,
    ok: !failed,
    steps: out,
    ...(failed ? { error: `step "${failed.nodeId}" failed: ${failed.error ?? 'unknown error'}` } : {}),
    ...(omitted.length ? { omitted } : {}),
  };
}

/**
 * Moves every waiting loop of an execution on: starts items while fewer than its `concurrency`
 * are open, and once every item has ended continues on `done` (all ok) or `error` (any item had
 * an unhandled failure; the loop step is then `failed`, so with nothing on `error` the execution
 * fails) with `{ items, results }`. `steps`: the execution's steps as they are now, when the
 * caller has them. Returns whether it changed anything.
 */
export async function advanceLoops(tx: StoreTx, flow: Flow, executionId: string, now: number, spawn: Spawn, steps?: StepRow[]): Promise<boolean> {
  let changed = false;
  let known = steps;
  for (;;) {
    const all = known ?? await tx.steps.forExecution(executionId);
    known = undefined;
    const loops = all.filter((s) => s.status === 'waiting' && s.waitReason === 'foreach');
    if (loops.length === 0) return changed;
    let progress = false;
    for (const loop of loops) progress = await advanceLoop(tx, flow, loop, all, now, spawn) || progress;
    if (!progress) return changed;
    changed = true;
  }
}

async function advanceLoop(tx: StoreTx, flow: Flow, loop: StepRow, all: readonly StepRow[], now: number, spawn: Spawn): Promise<boolean> {
  const state = parse(loop.output) as LoopState;
  const port = lookupNodeSpec(loop.nodeType)?.loopPort ?? 'each';
  const byItem = new Map<number, StepRow[]>();
  for (const s of all) {
    const at = parseScope(s.scope);
    if (at?.loopStepId !== loop.id) continue;
    const list = byItem.get(at.index);
    if (list) list.push(s);
    else byItem.set(at.index, [s]);
  }
  const isOpen = (index: number) => (byItem.get(index) ?? []).some((s) => OPEN.has(s.status));
  let open = 0;
  for (let i = 0; i < state.started; i++) if (isOpen(i)) open++;

  const limit = concurrencyOf(flow, loop.nodeId);
  if (open < limit && state.started < state.items.length) {
    let started = state.started;
    while (open < limit && started < state.items.length) {
      // Each item's steps carry its scope; their input is the item and its index.
      await spawn(tx, flow, loop.executionId, { ...loop, scope: scopeOf(loop.id, started) }, port, { item: state.items[started], index: started }, now);
      started++;
      open++;
    }
    await tx.steps.transition(loop.id, ['waiting'], { output: json({ ...state, started }) });
    return true;
  }
  if (open > 0 || state.started < state.items.length) return false;

  const budget = Math.min(ITEM_BYTES, Math.floor(RESULTS_BYTES / Math.max(1, state.items.length)));
  const results = state.items.map((item, index) => itemResult(flow, index, item, byItem.get(index) ?? [], budget));
  const failed = results.filter((r) => !r.ok);
  const output = { items: state.items, results };
  const endPort = failed.length > 0 ? 'error' : 'done';
  const ok = await tx.steps.transition(loop.id, ['waiting'], {
    status: failed.length > 0 ? 'failed' : 'succeeded',
    port: endPort,
    output: json(output),
    error: failed.length > 0 ? `${failed.length} of ${results.length} items failed; item ${failed[0]!.index}: ${failed[0]!.error}` : null,
    endedAt: now,
    wakeAt: null,
    waitReason: null,
  });
  if (ok) await spawn(tx, flow, loop.executionId, loop, endPort, output, now);
  return ok;
}
