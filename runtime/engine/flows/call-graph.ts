import type { Issue } from '../../../shared/errors.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { MAX_CALL_DEPTH } from '../../../nodes/call-contract.js';
import { startsBy } from '../../../nodes/trigger-spec.js';

/**
 * The save-time checks of `flow.call` across flows: what a flow calls must exist and have a
 * manual source, and calls over the saved flows (their current revisions) may neither loop
 * (`a → b → a`) nor nest deeper than MAX_CALL_DEPTH. Pure: the caller passes every flow as it
 * will be once the save commits.
 */

/** The flows `flow` calls: each calling node's index and called id (its type's `calledFlow`). */
export function callsOf(flow: Flow): { index: number; nodeId: string; target: string }[] {
  return flow.nodes.flatMap((n, index) => {
    const def = getNodeDefinition(n.type);
    if (!def?.calledFlow) return [];
    // Saved documents were validated, so their configs parse.
    const config = def.configSchema.safeParse(n.config);
    return config.success ? [{ index, nodeId: n.id, target: def.calledFlow(config.data) }] : [];
  });
}

const hasManualSource = (flow: Flow) => flow.nodes.some((n) => startsBy(getNodeDefinition(n.type), 'manual'));

/**
 * Problems of the saved `flow` (paths inside it), given every flow by id as it will be after the
 * save (`all`, including `flow` itself).
 */
export function callIssues(flow: Flow, all: ReadonlyMap<string, Flow>): Issue[] {
  const issues: Issue[] = [];
  const edges = (id: string) => {
    const f = all.get(id);
    return f ? callsOf(f).map((c) => c.target).filter((t) => all.has(t)) : [];
  };
  // The longest call chain leading into this flow (its callers, theirs…), cycles aside.
  const into = longestInto(flow.id, all);
  for (const call of callsOf(flow)) {
    const path = ['nodes', call.index, 'config', 'flow'];
    const called = all.get(call.target);
    if (!called) {
      issues.push({ path, message: `flow "${call.target}" does not exist: save it first (a called flow must exist)` });
      continue;
    }
    if (!hasManualSource(called)) {
      issues.push({ path, message: `flow "${call.target}" has no "Run by hand" source: add one, it is where a called run starts` });
      continue;
    }
    const cycle = findCycle(flow.id, call.target, edges);
    if (cycle) {
      issues.push({ path, message: `calls would loop: ${cycle.join(' → ')}` });
      continue;
    }
    const deepest = longestFrom(call.target, edges);
    const chain = [...into, flow.id, ...deepest];
    if (chain.length - 1 > MAX_CALL_DEPTH) {
      issues.push({ path, message: `calls would nest ${chain.length - 1} deep (${chain.join(' → ')}); at most ${MAX_CALL_DEPTH} are allowed` });
    }
  }
  const callers = [...all.values()].filter((f) => f.id !== flow.id && callsOf(f).some((c) => c.target === flow.id));
  if (callers.length > 0 && !hasManualSource(flow)) {
    issues.push({
      path: ['nodes'],
      message: `flow "${flow.id}" is called by ${callers.map((f) => `"${f.id}"`).join(', ')}: it must keep a "Run by hand" source, where a called run starts`,
    });
  }
  return issues;
}

/**
 * `limits.onHeld.flow`: the flow started when a run is held must exist, have a "Run by hand"
 * source and be in the same team (`teamOf` gives a flow's team as it will be after the save).
 */
export function onHeldIssues(flow: Flow, all: ReadonlyMap<string, Flow>, teamOf: (id: string) => string | undefined, ownTeam: string): Issue[] {
  const target = flow.limits?.onHeld?.flow;
  if (target === undefined) return [];
  const path = ['limits', 'onHeld', 'flow'];
  if (target === flow.id) return [{ path, message: 'a flow cannot escalate its held runs to itself: name another flow (e.g. one that pages on-call)' }];
  const called = all.get(target);
  if (!called) return [{ path, message: `flow "${target}" does not exist: save it first (the onHeld flow must exist)` }];
  if (!hasManualSource(called)) return [{ path, message: `flow "${target}" has no "Run by hand" source: add one, it is where an escalation run starts` }];
  const team = teamOf(target);
  if (team !== undefined && team !== ownTeam) return [{ path, message: `flow "${target}" belongs to team "${team}": onHeld can only start flows of its own team` }];
  return [];
}

/** The path `from → start → … → from`, when following calls from `start` comes back to `from`. */
function findCycle(from: string, start: string, edges: (id: string) => string[]): string[] | undefined {
  const seen = new Set<string>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    if (id === from) return [...path, id];
    if (seen.has(id)) return undefined;
    seen.add(id);
    for (const next of edges(id)) {
      const found = walk(next, [...path, id]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [from]);
}

/**
 * The longest chain of calls starting at `id` (inclusive). Loops elsewhere are cut where they
 * repeat; results are remembered per flow (exact when there is no loop, which saving refuses).
 */
function longestFrom(id: string, edges: (id: string) => string[], onPath = new Set<string>(), memo = new Map<string, string[]>()): string[] {
  if (onPath.has(id)) return [];
  const known = memo.get(id);
  if (known) return known;
  onPath.add(id);
  let best: string[] = [];
  for (const next of edges(id)) {
    const chain = longestFrom(next, edges, onPath, memo);
    if (chain.length > best.length) best = chain;
  }
  onPath.delete(id);
  const chain = [id, ...best];
  memo.set(id, chain);
  return chain;
}

/** The longest chain of callers ending just before `id` (outermost first). */
function longestInto(id: string, all: ReadonlyMap<string, Flow>): string[] {
  const callersOf = (target: string) => [...all.values()].filter((f) => f.id !== target && callsOf(f).some((c) => c.target === target)).map((f) => f.id);
  const chain = longestFrom(id, callersOf);
  return chain.slice(1).reverse();
}

/** The flows (other than `id`) whose current revision calls `id`. */
export function callersOf(id: string, all: Iterable<Flow>): string[] {
  return [...all].filter((f) => f.id !== id && callsOf(f).some((c) => c.target === id)).map((f) => f.id);
}
