import type { Flow, FlowNode } from '../../../shared/flow/schema.js';
import type { StoreTx } from '../../store/tx.js';
import type { Store } from '../../store/store.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { getScheduleTrigger } from '../../../nodes/registry.js';
import type { ScheduleTrigger, TickSchedule } from '../../../nodes/source-trigger.js';
import type { FlowRow } from '../../store/flows-repo.js';
import { TERMINAL_EXECUTION_STATUSES } from '../../store/schema.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import { queueDirectRun } from './direct-run.js';
import type { QueueCap } from '../ingest/queue-cap.js';
import type { Scrubber } from '../secrets/scrub.js';

export interface ScheduleRunnerDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  executionDeadlineMs: number;
  /** Called after a check queued at least one run (the engine pumps its dispatcher). */
  onQueued: () => void;
  /** The cap on queued executions; a tick that would exceed it waits (see `deferred`). */
  queueCap?: QueueCap;
  /**
   * Whether the runner sets its own timers (the server). Tests move a fake clock and call
   * `check()` themselves.
   */
  timers: boolean;
  /** Every secret Salve holds, scrubbed from the event rows of the runs. */
  scrubber: Scrubber;
}

/** Missed ticks counted one by one after a restart; beyond this the stretch's count stops (it is still one row). */
const MAX_COUNTED_MISSED_TICKS = 10_000;
/** How long handled ticks are remembered. */
const TICK_RETENTION_MS = 14 * 86_400_000;
/** Longest sleep between checks, so a changed system clock is noticed within a minute. */
const MAX_SLEEP_MS = 60_000;
/** After a failed write (storage busy), the next try. */
const RETRY_MS = 1000;

/** One schedule source node of one enabled flow. */
interface Schedule {
  key: string;
  flow: Flow;
  revision: number;
  node: FlowNode;
  trigger: ScheduleTrigger;
  /** The node's config, parsed by its definition's schema. */
  config: unknown;
  cron: TickSchedule;
  /** Every tick at or before this is handled (or was before this schedule existed). */
  since: number;
  /** The next tick after `since`; undefined when the expression never comes again. */
  nextAt: number | undefined;
  /** The tick last reported as deferred (queue full), so it is logged once. */
  deferredTick?: number;
}

/** What a check did with one schedule. */
export interface TickOutcome {
  flowId: string;
  nodeId: string;
  tickAt: number;
  /** `deferred`: the queue is full (SALVE_MAX_QUEUED); the tick is tried again, and recorded as missed once later than `catchUpSeconds`. */
  result: 'started' | 'missed' | 'overlap' | 'duplicate' | 'deferred';
  executionId?: string;
  /** `missed`: how many ticks this stretch stands for. */
  count?: number;
}

const TERMINAL = new Set<string>(TERMINAL_EXECUTION_STATUSES);

/**
 * Runs flows that start with a schedule source (its trigger is `schedule`). Each tick is handled in one transaction that
 * writes a `schedule_ticks` row together with the run it starts, so a tick is never run twice,
 * whether two processes or a restart see it.
 *
 * - Where a schedule resumes: after the later of its latest handled tick and the flow's last
 *   save. A new or re-enabled flow therefore starts with the next tick; a restart continues
 *   where the schedule stopped.
 * - Missed ticks (Salve was down, or busy past them): only the latest due tick can run, and only
 *   if it is at most `catchUpSeconds` late; all the others are recorded as one skipped stretch
 *   (`missed`).
 * - Overlap: while the previous run of the same schedule has not finished (queued, running,
 *   waiting), a tick starts nothing and is recorded as skipped (`overlap`), consecutive ones as
 *   one stretch. While automation is paused ticks queue like webhook deliveries do, so at most
 *   one run per schedule waits for the resume.
 */
export class ScheduleRunner {
  private schedules = new Map<string, Schedule>();
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TickOutcome[]> | undefined;
  private again = false;

  constructor(private readonly deps: ScheduleRunnerDeps) {}

  /** Re-reads the schedules of the enabled flows (the engine calls it whenever flows change). */
  refresh(rows: readonly FlowRow[]): void {
    const next = new Map<string, Schedule>();
    for (const row of rows) {
      if (!row.enabled) continue;
      const flow = row.flow;
      for (const node of flow.nodes) {
        const trigger = getScheduleTrigger(node.type);
        if (!trigger) continue;
        const key = JSON.stringify([flow.id, node.id]);
        const old = this.schedules.get(key);
        if (old && old.revision === row.revision) {
          next.set(key, old);
          continue;
        }
        const parsed = getNodeDefinition(node.type)?.configSchema.safeParse(node.config);
        if (!parsed?.success) {
          this.deps.log.error({ flowId: flow.id, nodeId: node.id }, 'schedule config does not parse; the schedule is not run');
          continue;
        }
        let cron: TickSchedule;
        try {
          cron = trigger.compile(parsed.data);
        } catch (error) {
          this.deps.log.error({ err: error, flowId: flow.id, nodeId: node.id }, 'schedule expression does not compile; the schedule is not run');
          continue;
        }
        // The ticks handled already (by this process before a restart, or by another sharing
        // PostgreSQL) are read when the schedule is next checked (handle).
        const since = Math.max(row.updatedAt, old?.since ?? -Infinity);
        next.set(key, { key, flow, revision: row.revision, node, trigger, config: parsed.data, cron, since, nextAt: cron.next(since) });
      }
    }
    this.schedules = next;
    if (this.started) this.arm();
  }

  /** Starts checking: at once (ticks missed while Salve was down), then at each next tick. */
  start(): void {
    this.started = true;
    this.stopped = false;
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The schedules being run, for diagnostics: flow, node and next tick. */
  list(): { flowId: string; nodeId: string; nextAt: number | undefined }[] {
    return [...this.schedules.values()].map((s) => ({ flowId: s.flow.id, nodeId: s.node.id, nextAt: s.nextAt }));
  }

  /**
   * Handles every schedule that is due at the clock's now, in one transaction. Calls made while
   * a check runs wait for it and then check once more.
   */
  check(): Promise<TickOutcome[]> {
    if (this.running) {
      this.again = true;
      return this.running.then(() => this.running ?? this.check());
    }
    this.running = this.checkOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.check();
      }
    });
    return this.running;
  }

  private async checkOnce(): Promise<TickOutcome[]> {
    if (this.stopped) return [];
    const now = this.deps.clock.now();
    const due = [...this.schedules.values()].filter((s) => s.nextAt !== undefined && s.nextAt <= now);
    if (due.length === 0) {
      this.arm();
      return [];
    }
    let outcomes: { schedule: Schedule; latest: number; outcomes: TickOutcome[] }[];
    try {
      outcomes = await this.deps.store.write(async (tx) => {
        const handled = [];
        for (const s of due) handled.push(await this.handle(tx, s, now));
        return handled;
      });
    } catch (error) {
      this.deps.log.error({ err: error }, 'schedule check failed; retrying');
      this.arm(RETRY_MS);
      return [];
    }
    const all: TickOutcome[] = [];
    let deferred = false;
    for (const { schedule, latest, outcomes: list } of outcomes) {
      // The flow may have changed meanwhile; the schedule object is then no longer in the map.
      schedule.since = Math.max(schedule.since, latest);
      schedule.nextAt = schedule.cron.next(schedule.since);
      all.push(...list);
      for (const o of list) {
        if (o.result === 'missed') this.deps.log.warn({ flowId: o.flowId, nodeId: o.nodeId, ticks: o.count, lastTick: new Date(o.tickAt).toISOString() }, 'schedule ticks missed');
        if (o.result === 'deferred') {
          deferred = true;
          if (schedule.deferredTick !== o.tickAt) this.deps.log.warn({ flowId: o.flowId, nodeId: o.nodeId, tick: new Date(o.tickAt).toISOString() }, 'schedule tick waits: too many executions are queued (SALVE_MAX_QUEUED)');
          schedule.deferredTick = o.tickAt;
        }
        if (o.result === 'overlap') this.deps.log.info({ flowId: o.flowId, nodeId: o.nodeId, tick: new Date(o.tickAt).toISOString(), runningExecution: o.executionId }, 'schedule tick skipped: previous run not finished');
      }
    }
    if (all.some((o) => o.result === 'started')) this.deps.onQueued();
    this.arm(deferred ? RETRY_MS : undefined);
    return all;
  }

  /** One due schedule, inside the check's transaction. */
  private async handle(tx: StoreTx, s: Schedule, now: number): Promise<{ schedule: Schedule; latest: number; outcomes: TickOutcome[] }> {
    const outcomes: TickOutcome[] = [];
    // Processes sharing PostgreSQL check the same schedule: they take turns, and each goes on
    // from the latest tick any of them handled.
    await tx.scheduleTicks.lock(s.flow.id, s.node.id);
    const since = Math.max(s.since, (await tx.scheduleTicks.latestTickAt(s.flow.id, s.node.id)) ?? -Infinity);
    const latest = s.cron.latest(now);
    if (latest === undefined || latest <= since) return { schedule: s, latest: since, outcomes };
    const ids = { flowId: s.flow.id, nodeId: s.node.id };

    // Ticks after `since` and before `latest`: none in normal operation, some after a restart.
    let missed = 0;
    let firstMissed: number | undefined;
    for (let t = s.cron.next(since); t !== undefined && t < latest && missed < MAX_COUNTED_MISSED_TICKS; t = s.cron.next(t)) {
      firstMissed ??= t;
      missed++;
    }
    const tooLate = now - latest > s.trigger.catchUpMs(s.config);
    const lastMissed = tooLate ? latest : missed > 0 ? s.cron.latest(latest - 1)! : undefined;
    if (lastMissed !== undefined) {
      const count = missed + (tooLate ? 1 : 0);
      const first = firstMissed ?? latest;
      if (!(await tx.scheduleTicks.covers(s.flow.id, s.node.id, lastMissed))) {
        await tx.scheduleTicks.insert({ ...ids, tickAt: lastMissed, firstTickAt: first, count, status: 'skipped', reason: 'missed', recordedAt: now });
        outcomes.push({ ...ids, tickAt: lastMissed, result: 'missed', count });
      }
    }
    let handled = latest;
    if (!tooLate) {
      const outcome = await this.startTick(tx, s, latest, now);
      outcomes.push(outcome);
      // Not handled yet: the next check tries this tick again.
      if (outcome.result === 'deferred') handled = lastMissed ?? since;
    }
    await tx.scheduleTicks.prune(s.flow.id, s.node.id, now - TICK_RETENTION_MS);
    return { schedule: s, latest: handled, outcomes };
  }

  /** Starts the run of one tick, unless it was handled already or the previous run still goes on. */
  private async startTick(tx: StoreTx, s: Schedule, tickAt: number, now: number): Promise<TickOutcome> {
    const ids = { flowId: s.flow.id, nodeId: s.node.id };
    if (await tx.scheduleTicks.covers(s.flow.id, s.node.id, tickAt)) return { ...ids, tickAt, result: 'duplicate' };

    const previous = await tx.scheduleTicks.lastStarted(s.flow.id, s.node.id);
    const running = previous?.executionId ? await tx.executions.get(previous.executionId) : undefined;
    if (running && !TERMINAL.has(running.status)) {
      const last = await tx.scheduleTicks.latest(s.flow.id, s.node.id);
      const extends_ = last?.status === 'skipped' && last.reason === 'overlap' && last.executionId === running.id;
      if (!(extends_ && (await tx.scheduleTicks.extend(s.flow.id, s.node.id, last.tickAt, tickAt, now)))) {
        await tx.scheduleTicks.insert({ ...ids, tickAt, firstTickAt: tickAt, status: 'skipped', reason: 'overlap', executionId: running.id, recordedAt: now });
      }
      return { ...ids, tickAt, result: 'overlap', executionId: running.id };
    }

    if (this.deps.queueCap && !(await this.deps.queueCap.fits(tx, 1))) return { ...ids, tickAt, result: 'deferred' };
    const { payload, alert } = s.trigger.tick(s.config, { flowId: s.flow.id, flowName: s.flow.name, nodeId: s.node.id, scheduledAt: tickAt, firedAt: now });
    const queued = await queueDirectRun(tx, {
      flowId: s.flow.id,
      revision: s.revision,
      node: s.node,
      alert,
      payload,
      path: `schedule/${s.flow.id}/${s.node.id}`,
      now,
      deadlineMs: this.deps.executionDeadlineMs,
      scrubber: this.deps.scrubber,
      limits: s.flow.limits,
      flowName: s.flow.name,
    });
    if (!queued) {
      // A run for this tick exists without its row (e.g. written by an older Salve): never a second one.
      await tx.scheduleTicks.insert({ ...ids, tickAt, firstTickAt: tickAt, status: 'skipped', reason: 'duplicate', recordedAt: now });
      return { ...ids, tickAt, result: 'duplicate' };
    }
    // A held run is not queued; while it stays held, later ticks are skipped as `overlap` (it has not ended).
    if (!queued.held) this.deps.queueCap?.added(1);
    await tx.scheduleTicks.insert({ ...ids, tickAt, firstTickAt: tickAt, status: 'started', executionId: queued.executionId, recordedAt: now });
    return { ...ids, tickAt, result: 'started', executionId: queued.executionId };
  }

  /** Sleeps until the earliest next tick (at most a minute), then checks. */
  private arm(delayMs?: number): void {
    if (!this.deps.timers || !this.started || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    let wait = delayMs;
    if (wait === undefined) {
      const next = Math.min(...[...this.schedules.values()].map((s) => s.nextAt ?? Infinity));
      if (next === Infinity) {
        this.timer = undefined;
        return;
      }
      wait = Math.min(Math.max(next - this.deps.clock.now(), 1), MAX_SLEEP_MS);
    }
    this.timer = setTimeout(() => void this.check(), wait);
    this.timer.unref();
  }
}
