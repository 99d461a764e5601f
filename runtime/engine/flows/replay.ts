import { ValidationError } from '../../../shared/errors.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { EventAlert, EventMatch } from '../../../shared/event-log.js';
import type { Flow } from '../../../shared/flow/schema.js';
import {
  compareSides,
  summarize,
  type ReplayRecorded,
  type ReplayResult,
  type ReplayRun,
  type ReplaySide,
} from '../../../shared/flow/replay-compare.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { getWebhookAdapter } from '../../../nodes/registry.js';
import { hookPathOf } from '../../../nodes/trigger-spec.js';
import { boundAlert } from '../../../nodes/source/limits.js';
import type { EventRow } from '../../store/events-repo.js';
import { parseStoredDocument } from '../../store/flows-repo.js';
import type { Store } from '../../store/store.js';
import type { StoreTx } from '../../store/tx.js';
import { simulateOne } from './simulate.js';

/** How much one replay may take on. */
export interface ReplayLimits {
  /** Widest range, in ms (31 days). */
  maxRangeMs: number;
  /** Most stored events one replay reads. */
  maxEvents: number;
  /** Wall time before the replay stops and reports what it did (ms). */
  budgetMs: number;
  /** Most runs returned in `rows`. */
  rowLimit: number;
}

export const REPLAY_LIMITS: ReplayLimits = { maxRangeMs: 31 * 24 * 3_600_000, maxEvents: 20_000, budgetMs: 30_000, rowLimit: 1000 };

export interface ReplayInput {
  /** The flow to try (a draft, or a saved revision). */
  draft: Flow;
  /** The saved flow to compare with: at each event, its revision current then. Undefined for a flow never saved. */
  savedFlowId?: string;
  since: number;
  until: number;
  /** `changed` (default): only runs that differ in `rows`; `all`: every run. */
  show?: 'changed' | 'all';
  /** Only events delivered to a path one of these flows listens on (the caller's teams); undefined: all. */
  visibleFlowIds?: readonly string[];
}

/** Refuses a range the replay will not read (422 naming the field). */
function checkReplayRange(since: number, until: number, limits: ReplayLimits = REPLAY_LIMITS): void {
  if (until <= since) throw new ValidationError('until must be after since', [{ path: ['until'], message: 'must be after since' }]);
  if (until - since > limits.maxRangeMs) {
    const days = Math.round(limits.maxRangeMs / 86_400_000);
    throw new ValidationError(`the range is longer than ${days} days`, [{ path: ['since'], message: `must be at most ${days} days before until` }]);
  }
}

/** The webhook source nodes of `flow` listening on `path`. */
function sourcesOn(flow: Flow, path: string) {
  return flow.nodes.filter((n) => hookPathOf(getNodeDefinition(n.type), n.config) === path && getWebhookAdapter(n.type) !== undefined);
}

function pathsOf(flow: Flow): string[] {
  const paths = new Set<string>();
  for (const n of flow.nodes) {
    const path = hookPathOf(getNodeDefinition(n.type), n.config);
    if (path !== undefined && getWebhookAdapter(n.type)) paths.add(path);
  }
  return [...paths];
}

/** One alert as one side sees it, keyed `<source node>#<index among that source's alerts>`. */
type SideAlerts = Map<string, { alert: Alert; side: ReplaySide }>;

/** What `flow` (revision `revision`, null for the draft) would do with the stored delivery: normalized from its body, then simulated. */
async function sideOf(flow: Flow, revision: number | null, row: EventRow, body: unknown, now: Date): Promise<{ alerts: SideAlerts; refused: Map<string, string> }> {
  const alerts: SideAlerts = new Map();
  const refused = new Map<string, string>();
  const request = { headers: JSON.parse(row.headers) as Record<string, string>, rawBody: Buffer.from(row.body), ...(row.remoteAddress ? { remoteAddress: row.remoteAddress } : {}) };
  for (const node of sourcesOn(flow, row.path)) {
    const adapter = getWebhookAdapter(node.type)!;
    let normalized: Alert[];
    try {
      normalized = adapter.normalize(node.config, body, { now: now.getTime(), request }).map(boundAlert);
    } catch (error) {
      refused.set(node.id, `the source refuses this payload: ${(error as Error).message}`);
      continue;
    }
    for (const [i, alert] of normalized.entries()) {
      const starts = adapter.accepts(node.config, alert);
      const sim = await simulateOne(flow, node.id, starts, alert, body, now);
      const side: ReplaySide = {
        revision,
        starts,
        ...(starts ? {} : { reason: adapter.notStartedReason(node.config, alert) }),
        path: starts
          ? sim.steps.map((s) => ({ nodeId: s.nodeId, ...(s.port !== undefined ? { port: s.port } : {}), ...(s.error !== undefined ? { error: s.error } : {}) }))
          : [],
        edges: sim.edges,
        actions: sim.steps.filter((s) => s.assumed && s.rendered !== undefined).map((s) => ({ nodeId: s.nodeId, type: s.type, rendered: s.rendered })),
      };
      alerts.set(`${node.id}#${i}`, { alert, side });
    }
  }
  return { alerts, refused };
}

/** The revision current at `t` among `revisions` (oldest first); undefined before the first. */
function currentAt(revisions: readonly { revision: number; createdAt: number }[], t: number): number | undefined {
  let found: number | undefined;
  for (const r of revisions) if (r.createdAt <= t) found = r.revision;
  return found;
}

/**
 * The saved flow's revisions by time: which one was current when an event arrived. Read whole
 * before the replay starts (`read`), so the replay itself reads nothing and holds no transaction.
 */
class SavedHistory {
  private readonly parsed = new Map<number, Flow>();

  private constructor(
    private readonly flowId: string,
    /** Oldest first. */
    private readonly revisions: { revision: number; createdAt: number }[],
    /** Each revision's stored document, parsed when an event first falls in it. */
    private readonly documents: Map<number, string>,
  ) {}

  /** The revisions of the flow as it exists now (none for a flow never saved), with their documents. */
  static async read(tx: StoreTx, flowId: string | undefined): Promise<SavedHistory> {
    const summary = flowId === undefined ? undefined : await tx.flows.summary(flowId);
    if (summary === undefined) return new SavedHistory('', [], new Map());
    const listed = (await tx.flows.listRevisions(summary.id, summary.createdAt)).reverse();
    return new SavedHistory(
      summary.id,
      listed.map((r) => ({ revision: r.revision, createdAt: r.createdAt })),
      new Map(listed.map((r) => [r.revision, r.document])),
    );
  }

  /** The revision current at `t` and its document; undefined before the flow existed. */
  at(t: number): { revision: number; flow: Flow } | undefined {
    const found = currentAt(this.revisions, t);
    if (found === undefined) return undefined;
    let flow = this.parsed.get(found);
    if (!flow) {
      // Parsed as tx.flows.getRevision parses it (a damaged document throws StoredFlowError).
      flow = parseStoredDocument(this.flowId, found, this.documents.get(found)!);
      this.parsed.set(found, flow);
    }
    return { revision: found, flow };
  }

  paths(): string[] {
    const paths = new Set<string>();
    for (const r of this.revisions) {
      const at = this.at(r.createdAt);
      if (at) for (const p of pathsOf(at.flow)) paths.add(p);
    }
    return [...paths];
  }
}

/** What the event log says the saved flow did with this alert at the time. */
function recordedOf(row: EventRow, flowId: string | undefined, sourceNodeId: string, alert: Alert): ReplayRecorded | null {
  if (flowId === undefined) return null;
  const stored = JSON.parse(row.alerts) as EventAlert[];
  const matches = JSON.parse(row.matches) as EventMatch[];
  const index = stored.findIndex((a) => a.fingerprint === alert.fingerprint && a.status === alert.status);
  const match = matches.find((m) => m.flowId === flowId && m.nodeId === sourceNodeId && m.alertIndex === index);
  return match ? { result: match.result, ...(match.executionId ? { executionId: match.executionId } : {}) } : null;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Replays a draft against the stored deliveries of a time range, in simulation only (nothing is
 * executed, sent or resolved: runtime/engine/flows/simulate.ts), and compares each alert with
 * what the saved flow's revision current at that delivery does with it, also simulated.
 * Deliveries are re-normalized from their stored bodies (accepted deliveries are stored in full)
 * so a draft that changes its source's settings is replayed as it would receive them. Refuses
 * (422) a range wider than `maxRangeMs` or holding more than `maxEvents` events; stops after
 * `budgetMs` and says so in `cutShort`. Everything it reads (the saved flow's revisions, the
 * deliveries) is read first, in one read of `store`: the replay runs outside any transaction.
 */
export async function replayFlow(store: Store, input: ReplayInput, limits: ReplayLimits = REPLAY_LIMITS, clock: () => number = Date.now): Promise<ReplayResult> {
  const started = clock();
  checkReplayRange(input.since, input.until, limits);
  const { saved, rows, count } = await store.read(async (tx) => {
    const saved = await SavedHistory.read(tx, input.savedFlowId);
    const paths = [...new Set([...pathsOf(input.draft), ...saved.paths()])];
    const events = await tx.events.forReplay({
      paths,
      since: input.since,
      until: input.until,
      limit: limits.maxEvents,
      ...(input.visibleFlowIds ? { visibleFlowIds: input.visibleFlowIds } : {}),
    });
    return { saved, ...events };
  });
  if (count > limits.maxEvents) {
    throw new ValidationError(`the range holds ${count} events; at most ${limits.maxEvents} are replayed at once`, [
      { path: ['since'], message: `the range holds ${count} events on the flow's paths, more than ${limits.maxEvents}: move since later (or until earlier)` },
    ]);
  }
  const all: ReplayRun[] = [];
  const skippedEvents: ReplayResult['skippedEvents'] = [];
  let replayed = 0;
  let cutShort: ReplayResult['cutShort'] = null;
  for (const [i, row] of rows.entries()) {
    if (clock() - started > limits.budgetMs) {
      cutShort = { reason: `stopped after ${Math.round(limits.budgetMs / 1000)} s: narrow the range to replay the rest`, remainingEvents: rows.length - i };
      break;
    }
    // Replay shares the process with live deliveries: let them in now and then.
    if (i > 0 && i % 200 === 0) await yieldToLoop();
    if (row.bodyTruncated) {
      skippedEvents.push({ eventId: row.id, reason: 'its body is not stored in full' });
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(row.body);
    } catch {
      skippedEvents.push({ eventId: row.id, reason: 'its stored body is not JSON' });
      continue;
    }
    replayed++;
    const now = new Date(row.receivedAt);
    const then = saved.at(row.receivedAt);
    const draftSide = await sideOf(input.draft, null, row, body, now);
    const savedSide = then ? await sideOf(then.flow, then.revision, row, body, now) : undefined;
    const keys = new Set([...draftSide.alerts.keys(), ...(savedSide?.alerts.keys() ?? [])]);
    for (const key of keys) {
      const sourceNodeId = key.slice(0, key.lastIndexOf('#'));
      const d = draftSide.alerts.get(key);
      const s = savedSide?.alerts.get(key);
      const alert = (d ?? s)!.alert;
      const refusedSide = (side: { refused: Map<string, string> } | undefined, revision: number | null): ReplaySide | null => {
        const reason = side?.refused.get(sourceNodeId);
        return reason === undefined ? null : { revision, starts: false, reason, path: [], edges: [], actions: [] };
      };
      const draft = d?.side ?? refusedSide(draftSide, null);
      const savedRun = s?.side ?? refusedSide(savedSide, then?.revision ?? null);
      all.push({
        eventId: row.id,
        receivedAt: now.toISOString(),
        alertName: alert.name,
        alertSummary: alert.summary,
        fingerprint: alert.fingerprint,
        status: alert.status,
        sourceNodeId,
        recorded: recordedOf(row, input.savedFlowId, sourceNodeId, alert),
        saved: savedRun,
        draft,
        differences: compareSides(savedRun, draft),
      });
    }
  }
  const changed = all.filter((r) => r.differences.length > 0);
  const shown = input.show === 'all' ? all : changed;
  return {
    flowId: input.draft.id,
    since: new Date(input.since).toISOString(),
    until: new Date(input.until).toISOString(),
    events: { considered: rows.length, replayed, skipped: skippedEvents.length },
    runs: { total: all.length, changed: changed.length },
    summary: summarize(all),
    rows: shown.slice(0, limits.rowLimit),
    rowsTruncated: shown.length > limits.rowLimit,
    skippedEvents: skippedEvents.slice(0, 100),
    cutShort,
    durationMs: clock() - started,
  };
}
