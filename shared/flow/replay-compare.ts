/**
 * Replay against history: what one stored alert did under the saved flow and would do under a
 * draft, and how to say the difference in words. Pure (browser-safe): the runtime builds the
 * sides by simulation (runtime/engine/flows/replay.ts), the editor and the CLI show them.
 */

/** One node a side's path went through, with the port it left by (or the error it stopped at). */
interface ReplayStep {
  nodeId: string;
  port?: string;
  error?: string;
}

/** A side-effecting step's config as it would be sent (secrets as references). */
interface ReplayAction {
  nodeId: string;
  type: string;
  rendered: unknown;
}

/** What one flow (saved or draft) does with one alert: nothing runs, both are simulated. */
export interface ReplaySide {
  /** The revision simulated (the saved one current when the event arrived); null for the draft. */
  revision: number | null;
  starts: boolean;
  /** Why the source does not start a run (e.g. a resolved alert with `on: firing`). */
  reason?: string;
  path: ReplayStep[];
  edges: { source: string; sourcePort: string; target: string }[];
  actions: ReplayAction[];
}

/** What the event log recorded the saved flow did with the alert at the time. */
export interface ReplayRecorded {
  /** `held`: a run was created but a guard rail (limits, circuit breaker) held it. */
  result: 'started' | 'held' | 'duplicate' | 'not_started';
  executionId?: string;
}

export type ReplayDifference =
  /** The draft would start a run the saved flow did not (or the saved flow had no source on the path). */
  | { kind: 'starts' }
  | { kind: 'stops' }
  /** Both reach the node; it leaves by another port. */
  | { kind: 'port'; nodeId: string; savedPort: string | null; port: string | null }
  | { kind: 'reached'; nodeId: string }
  | { kind: 'unreached'; nodeId: string }
  /** The draft stops with an error at the node (rendering or evaluating). */
  | { kind: 'error'; nodeId: string; error: string }
  /** A rendered action differs in one top-level field (`''` when the rendered value is not an object). */
  | { kind: 'action'; nodeId: string; field: string };

/** One alert of one stored event, replayed. `saved` is null when no saved revision listened on the path then. */
export interface ReplayRun {
  eventId: string;
  receivedAt: string;
  alertName: string;
  /** The alert's one-line summary (tells alerts of one name apart). */
  alertSummary: string;
  fingerprint: string;
  status: string;
  sourceNodeId: string;
  recorded: ReplayRecorded | null;
  saved: ReplaySide | null;
  draft: ReplaySide | null;
  differences: ReplayDifference[];
}

/** One sentence of the summary, with the runs it counts. */
export interface ReplaySummaryLine {
  kind: ReplayDifference['kind'] | 'unchanged';
  count: number;
  text: string;
}

/** `POST /api/flows/replay`. */
export interface ReplayResult {
  flowId: string;
  since: string;
  until: string;
  events: {
    /** Stored events in the range on a path the draft or the saved flow listens on. */
    considered: number;
    replayed: number;
    /** Events that could not be replayed (their body is not stored in full, or no longer parses). */
    skipped: number;
  };
  runs: { total: number; changed: number };
  summary: ReplaySummaryLine[];
  /** The runs that differ (all runs with `show: "all"`), oldest first, at most `rowLimit`. */
  rows: ReplayRun[];
  rowsTruncated: boolean;
  skippedEvents: { eventId: string; reason: string }[];
  /** Set when the time budget ran out before every event was replayed. */
  cutShort: { reason: string; remainingEvents: number } | null;
  durationMs: number;
}

const started = (side: ReplaySide | null) => side?.starts === true;

function fieldsOf(value: unknown): Map<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return new Map([['', JSON.stringify(value) ?? '']]);
  return new Map(Object.entries(value).map(([k, v]) => [k, JSON.stringify(v) ?? '']));
}

/**
 * The differences between what the saved flow and the draft do with one alert, in path order:
 * whether a run starts, then per node the port taken, nodes newly (no longer) reached, errors,
 * and each rendered action's fields that differ. Empty when they would do the same.
 */
export function compareSides(saved: ReplaySide | null, draft: ReplaySide | null): ReplayDifference[] {
  const s = started(saved);
  const d = started(draft);
  if (!s && !d) return [];
  if (!s) return [{ kind: 'starts' }];
  if (!d) return [{ kind: 'stops' }];
  const out: ReplayDifference[] = [];
  const savedSteps = new Map(saved!.path.map((st) => [st.nodeId, st]));
  const draftSteps = new Map(draft!.path.map((st) => [st.nodeId, st]));
  for (const step of draft!.path) {
    const before = savedSteps.get(step.nodeId);
    if (!before) {
      out.push({ kind: 'reached', nodeId: step.nodeId });
    } else if (step.error !== undefined && before.error === undefined) {
      out.push({ kind: 'error', nodeId: step.nodeId, error: step.error });
    } else if ((before.port ?? null) !== (step.port ?? null)) {
      out.push({ kind: 'port', nodeId: step.nodeId, savedPort: before.port ?? null, port: step.port ?? null });
    }
    if (step.error !== undefined && !before) out.push({ kind: 'error', nodeId: step.nodeId, error: step.error });
  }
  for (const step of saved!.path) if (!draftSteps.has(step.nodeId)) out.push({ kind: 'unreached', nodeId: step.nodeId });
  const savedActions = new Map(saved!.actions.map((a) => [a.nodeId, a]));
  for (const action of draft!.actions) {
    const before = savedActions.get(action.nodeId);
    if (!before) continue;
    const was = fieldsOf(before.rendered);
    const now = fieldsOf(action.rendered);
    for (const field of new Set([...was.keys(), ...now.keys()])) {
      if (was.get(field) !== now.get(field)) out.push({ kind: 'action', nodeId: action.nodeId, field });
    }
  }
  return out;
}

const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

function sentence(d: ReplayDifference, n: number): string {
  switch (d.kind) {
    case 'starts':
      return `would now start ${runs(n)} that did not start`;
    case 'stops':
      return `would no longer start ${runs(n)} that started`;
    case 'port':
      return `${runs(n)} would take \`${d.port ?? '(none)'}\` at \`${d.nodeId}\` (was \`${d.savedPort ?? '(none)'}\`)`;
    case 'reached':
      return `${runs(n)} would now reach \`${d.nodeId}\``;
    case 'unreached':
      return `${runs(n)} would no longer reach \`${d.nodeId}\``;
    case 'error':
      return `${runs(n)} would stop with an error at \`${d.nodeId}\`: ${d.error}`;
    case 'action':
      return d.field === '' ? `rendered \`${d.nodeId}\` differs in ${runs(n)}` : `rendered ${d.field} of \`${d.nodeId}\` differs in ${runs(n)}`;
  }
}

const ORDER: ReplayDifference['kind'][] = ['starts', 'stops', 'port', 'error', 'reached', 'unreached', 'action'];

/** A stable key for grouping the same difference across runs (errors grouped by node, not message). */
function keyOf(d: ReplayDifference): string {
  switch (d.kind) {
    case 'starts':
    case 'stops':
      return d.kind;
    case 'port':
      return `port:${d.nodeId}:${d.savedPort}:${d.port}`;
    case 'reached':
    case 'unreached':
    case 'error':
      return `${d.kind}:${d.nodeId}`;
    case 'action':
      return `action:${d.nodeId}:${d.field}`;
  }
}

/**
 * The summary of a replay: one sentence per kind of difference with how many runs show it
 * ("would now start 14 runs that did not start", "3 runs would take `nomatch` at `disk_full`",
 * "rendered url of `restart` differs in 40 runs"), most common first within a kind, then how
 * many runs are unchanged.
 */
export function summarize(all: readonly Pick<ReplayRun, 'differences'>[]): ReplaySummaryLine[] {
  const groups = new Map<string, { d: ReplayDifference; count: number }>();
  let unchanged = 0;
  for (const run of all) {
    if (run.differences.length === 0) unchanged++;
    const seen = new Set<string>();
    for (const d of run.differences) {
      const key = keyOf(d);
      if (seen.has(key)) continue;
      seen.add(key);
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { d, count: 1 });
    }
  }
  const lines = [...groups.values()]
    .sort((a, b) => ORDER.indexOf(a.d.kind) - ORDER.indexOf(b.d.kind) || b.count - a.count)
    .map(({ d, count }): ReplaySummaryLine => ({ kind: d.kind, count, text: sentence(d, count) }));
  if (all.length === 0) return [{ kind: 'unchanged', count: 0, text: 'no stored alert in the range reached this flow' }];
  lines.push({ kind: 'unchanged', count: unchanged, text: unchanged === all.length ? `all ${runs(unchanged)} unchanged` : `${runs(unchanged)} unchanged` });
  return lines;
}

/** One line saying what differs in one run (the diff table, the CLI). */
export function describeDifferences(differences: readonly ReplayDifference[]): string {
  if (differences.length === 0) return 'same';
  return differences.map(differenceWords).join('; ');
}

function differenceWords(d: ReplayDifference): string {
  switch (d.kind) {
    case 'starts':
      return 'would start a run';
    case 'stops':
      return 'would not start a run';
    case 'port':
      return `${d.nodeId} takes ${d.port ?? '(none)'} (was ${d.savedPort ?? '(none)'})`;
    case 'reached':
      return `now reaches ${d.nodeId}`;
    case 'unreached':
      return `no longer reaches ${d.nodeId}`;
    case 'error':
      return `fails at ${d.nodeId}`;
    case 'action':
      return d.field === '' ? `${d.nodeId} renders differently` : `${d.field} of ${d.nodeId} differs`;
  }
}

/** A side's path as node ids joined by arrows, or why it does not start. */
export function describePath(side: ReplaySide | null): string {
  if (!side) return 'not listening';
  if (!side.starts) return 'not started';
  return side.path.map((s) => (s.error !== undefined ? `${s.nodeId}!` : s.nodeId)).join(' → ');
}
