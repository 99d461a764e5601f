import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { SYSTEM_ACTOR } from '../../../shared/audit.js';
import { StoreClosedError } from '../../store/group-commit.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StepRow } from '../../store/steps-repo.js';
import type { Store } from '../../store/store.js';
import type { StoreTx } from '../../store/tx.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import { Leases } from './leases.js';
import { recoverAll, recoverCutShort, type RecoveryReport } from './recovery.js';
import { runExecution, type RunnerDeps, type StopReason } from './runner.js';
import { endExecution, finishResolvedWait, rerunStep, resumeStep, startExecution } from './transitions.js';
import { scrubberFor } from '../secrets/scrub.js';
import { callTimedOut } from './calls.js';
import { applyOnResolved } from './on-resolved.js';
import { RESOLVABLE_WAITS } from '../../../shared/flow/on-resolved.js';
import { readPaused } from '../automation-state.js';
import { UnavailableError } from '../../../shared/errors.js';

/**
 * PostgreSQL: how often a tick looks for queued runs that lost their pg-boss job, and how long a
 * run must have been queued to count (a run and its job are committed together, so this only
 * catches what pg-boss or an operator removed; see RunQueue.restoreLost).
 */
const LOST_JOB_CHECK_MS = 60_000;

export interface DispatcherOptions {
  maxConcurrent: number;
  /** How often timers (delays, approval timeouts, deadlines) are checked. */
  tickMs: number;
}

/**
 * Runs queued executions, at most `maxConcurrent` at once; the rest wait in the queue (in the
 * database, not in memory). A timer wakes parked steps and enforces deadlines. Nothing that
 * waits holds a worker: an execution waiting for an approval is only a row.
 */
export class Dispatcher {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private pumping = false;
  private pumpAgain = false;
  /** The claim loop in progress, while `pumping` (see idle()). */
  private claiming: Promise<void> | undefined;
  private draining = false;
  /** Global pause (kill switch): nothing new starts; running steps finish and checkpoint. */
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  /** Claims carry this process's lease; live runners renew it; the tick adopts expired ones. */
  readonly leases: Leases;
  private readonly runnerDeps: RunnerDeps;
  /** Called runs the tick's wake-ups cancelled (a `flow.call` timed out), to abort once committed. */
  private readonly cancelledCalls: string[] = [];
  /**
   * Waiting steps of resolved runs whose `onResolved` said `continue`: not looked at again while
   * they wait. In memory only: after a restart each is looked at once more, to the same answer.
   */
  private readonly resolvedSeen = new Set<string>();
  /** When this process last looked for queued runs without a job (PostgreSQL). */
  private lostJobsCheckedAt: number | undefined;
  /** Ticks in progress (the timer's and those asked for). */
  private readonly ticks = new Set<Promise<void>>();
  /** The database (reads and transactions over StoreTx, for both engines). */
  private readonly store: Store;

  constructor(
    private readonly deps: RunnerDeps & { clock: Clock; log: Logger },
    private readonly options: DispatcherOptions,
  ) {
    this.store = deps.store;
    this.leases = new Leases({
      store: this.store,
      clock: deps.clock,
      log: deps.log,
      isLive: (id) => this.running.has(id),
      liveIds: () => [...this.running.keys()],
    });
    this.runnerDeps = { ...deps, leaseOwner: this.leases.owner };
  }

  /** Repairs what a crash left behind, then starts the timer, the lease renewals and the queue. */
  async start(): Promise<RecoveryReport> {
    const report = await this.recover();
    this.leases.start();
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
    void this.tick();
    return report;
  }

  get activeCount(): number {
    return this.running.size;
  }

  /**
   * Crash recovery at start. On SQLite this process owns the data directory, so every `running`
   * execution and every step left in `intent` was interrupted (the leases of a previous process
   * are all dead). On PostgreSQL other processes may be running them: nothing is recovered here;
   * the lease sweep adopts what a dead process held once its lease ends (recovery.ts, same rules).
   */
  private async recover(): Promise<RecoveryReport> {
    if (this.store.engine === 'postgres') return { recoveredSteps: 0, needsAttention: 0, requeued: 0 };
    const now = this.deps.clock.now();
    return this.store.writeEventually((tx) => recoverAll(tx, now));
  }

  /** Pauses or resumes dispatch; resuming starts what waited in the queue. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.pump();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Starts queued executions while there is room. Safe to call often. */
  pump(): void {
    if (this.draining || this.paused) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.claiming = this.claimLoop()
      .catch((error) => {
        // PostgreSQL away: the next tick tries again; /healthz says so meanwhile.
        if (error instanceof UnavailableError) this.deps.log.warn({ err: error }, 'dispatcher could not take queued runs: the database is unavailable; the next tick tries again');
        else this.deps.log.error({ err: error }, 'dispatcher failed to claim executions');
      })
      .finally(() => {
        this.pumping = false;
        this.claiming = undefined;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  /** True while a tick runs, or executions are being claimed or run in this process. */
  get busy(): boolean {
    return this.claiming !== undefined || this.running.size > 0 || this.ticks.size > 0;
  }

  /**
   * Resolves once nothing is being claimed and no execution runs in this process: whatever was
   * queued and could start has run until it ended or parked (a delay, an approval), or waits
   * because dispatch is paused. A run that ends pumps the queue again, so this waits
   * until that settles too. Never rejects (runners and claims log their own failures).
   */
  async idle(): Promise<void> {
    while (this.busy) {
      await Promise.allSettled([this.claiming, ...this.ticks, ...[...this.running.values()].map((r) => r.done)]);
    }
  }

  private async claimLoop(): Promise<void> {
    for (;;) {
      const free = this.options.maxConcurrent - this.running.size;
      if (free <= 0 || this.draining || this.paused) return;
      const candidates = await this.store.takeQueued(free, new Set(this.running.keys()));
      if (candidates.length === 0) return;
      const now = this.deps.clock.now();
      const claimed = await this.store.writeEventually(async (tx) => {
        const rows: ExecutionRow[] = [];
        for (const { executionId: id } of candidates) {
          const exec = await tx.executions.get(id);
          const claim = { status: 'running' as const, startedAt: exec?.startedAt ?? now, updatedAt: now, ...this.leases.claim(now) };
          if (!exec || !(await tx.executions.transition(id, ['queued'], claim))) continue;
          // Start it in the same commit: the source step and the steps it leads to.
          const flow = await this.deps.flowAt(tx, exec.flowId, exec.flowRevision);
          if (flow) await startExecution(tx, flow, exec, now, scrubberFor(this.deps.secrets));
          // The row as this commit leaves it: its runner starts from it instead of reading it again.
          rows.push({ ...exec, ...claim });
        }
        // Claimed or gone (cancelled meanwhile): either way taken off the queue with this commit.
        await tx.runQueue.taken(candidates);
        return rows;
      });
      for (const exec of claimed) this.launch(exec);
    }
  }

  private launch(claimed: ExecutionRow): void {
    const id = claimed.id;
    // Claimed while a shutdown began: leave it `running`; the next start puts it back in the queue.
    if (this.draining) return;
    const controller = new AbortController();
    const done = runExecution(this.runnerDeps, id, controller.signal, () => this.draining || this.paused, claimed)
      .catch((error) => {
        // Its lease is no longer renewed: once it ends, the tick adopts the execution (recovery.ts).
        if (error instanceof StoreClosedError) this.deps.log.warn({ executionId: id }, 'execution left for recovery at the next start: the database closed');
        else this.deps.log.error({ err: error, executionId: id }, 'execution runner failed; the execution is adopted again when its lease ends');
      })
      .finally(() => {
        this.running.delete(id);
        this.pump();
      });
    this.running.set(id, { controller, done });
  }

  /** Aborts an execution's in-flight step, if it runs in this process. */
  abort(id: string, reason: StopReason): void {
    this.running.get(id)?.controller.abort(reason);
  }

  /**
   * Wakes due steps (delays over, approvals timed out), enforces deadlines, fills free slots.
   * Counted as busy while it runs, so `idle()` also waits for what a tick starts.
   */
  tick(): Promise<void> {
    const run = this.tickOnce().finally(() => this.ticks.delete(run));
    this.ticks.add(run);
    return run;
  }

  private async tickOnce(): Promise<void> {
    if (this.draining) return;
    const { clock, log } = this.deps;
    const { store } = this;
    try {
      // The kill switch holds cluster-wide: a pause set through another process stops this one too.
      if (store.engine === 'postgres') {
        const paused = await store.read(readPaused);
        if (paused !== this.paused) this.setPaused(paused);
      }
      const now = clock.now();
      const due = await store.read((tx) => tx.steps.due(now, 500));
      if (due.length > 0) {
        await store.writeEventually(async (tx) => {
          for (const step of due) {
            const exec = await tx.executions.get(step.executionId);
            const flow = exec && (await this.deps.flowAt(tx, exec.flowId, exec.flowRevision));
            if (!exec || !flow) continue;
            await this.wake(tx, flow, step, now);
          }
        });
        for (const id of this.cancelledCalls.splice(0)) this.abort(id, 'cancel');
      }
      await this.applyResolutions(now);
      for (const exec of await store.read((tx) => tx.executions.pastDeadline(now))) {
        if (this.running.has(exec.id)) this.abort(exec.id, 'deadline');
        // Running in another process (PostgreSQL) under a live lease: its own tick aborts its step.
        else if (exec.status === 'running' && exec.leaseOwner !== null && exec.leaseUntil !== null && exec.leaseUntil > now) continue;
        else await store.writeEventually((tx) => endExecution(tx, exec, 'timed_out', 'execution deadline exceeded', now));
      }
      await this.leases.sweep();
      if (store.engine === 'postgres') await this.restoreLostJobs(now);
    } catch (error) {
      log.error({ err: error }, 'dispatcher tick failed');
    }
    this.pump();
  }

  /** Queued runs without a job get one (PostgreSQL), once a minute; said in the log, as it should never happen. */
  private async restoreLostJobs(now: number): Promise<void> {
    if (this.lostJobsCheckedAt !== undefined && now - this.lostJobsCheckedAt < LOST_JOB_CHECK_MS) return;
    this.lostJobsCheckedAt = now;
    const restored = await this.store.writeEventually((tx) => tx.runQueue.restoreLost(now - LOST_JOB_CHECK_MS, 500));
    if (restored.length > 0) {
      this.deps.log.warn({ count: restored.length, executionIds: restored.slice(0, 20) }, 'queued runs had no job in the run queue (pg-boss); each got a new one');
    }
  }

  /**
   * Runs whose alert resolved while a step waits (approval, delay, retry, poll): each waiting
   * node's `onResolved` applies (on-resolved.ts); a cancelled run that runs here is aborted.
   */
  private async applyResolutions(now: number): Promise<void> {
    const { store } = this;
    const waiting = await store.read((tx) => tx.steps.waitingInResolvedRuns(RESOLVABLE_WAITS));
    const still = new Set(waiting.map((s) => s.id));
    for (const id of this.resolvedSeen) if (!still.has(id)) this.resolvedSeen.delete(id);
    // At most 500 a tick (one commit); the rest at the next.
    const fresh = waiting.filter((s) => !this.resolvedSeen.has(s.id)).slice(0, 500);
    if (fresh.length === 0) return;
    // Applying a policy twice is harmless (an ended run does not end again): ticks may overlap.
    const cancelled = await store.writeEventually(async (tx) => {
      const ids: string[] = [];
      for (const s of fresh) {
        const step = await tx.steps.get(s.id);
        const exec = step && (await tx.executions.get(step.executionId));
        const flow = exec && (await this.deps.flowAt(tx, exec.flowId, exec.flowRevision));
        if (step && exec && flow && (await applyOnResolved(tx, flow, exec, step, now, false))) ids.push(exec.id);
      }
      return ids;
    });
    for (const s of fresh) if (!cancelled.includes(s.executionId)) this.resolvedSeen.add(s.id);
    for (const id of cancelled) this.abort(id, 'cancel');
  }

  private async wake(tx: StoreTx, flow: Flow, step: StepRow, now: number): Promise<void> {
    const def = getNodeDefinition(step.nodeType);
    if (def?.category === 'approval') {
      const approval = await tx.approvals.forStep(step.id);
      if (!approval) return;
      if (!(await tx.approvals.decide(approval.id, { status: 'timeout', decidedAt: now, decidedBy: SYSTEM_ACTOR.name, comment: null }))) return;
      await tx.audit.append({
        actor: SYSTEM_ACTOR,
        action: 'approval.timeout',
        target: approval.id,
        details: { executionId: approval.executionId, stepId: approval.stepId },
        before: { status: approval.status },
        after: { status: 'timeout' },
        now,
      });
      await resumeStep(tx, flow, step, 'timeout', { decision: 'timeout', decidedAt: new Date(now).toISOString() }, now);
      return;
    }
    if (step.waitReason === 'call') {
      // Aborted once committed (see tick): their runners stop their steps in flight.
      this.cancelledCalls.push(...(await callTimedOut(tx, step, now)));
      return;
    }
    if (step.waitReason === 'retry' || step.waitReason === 'poll') {
      await rerunStep(tx, step, now);
      return;
    }
    if (step.waitReason === 'resolved') {
      await finishResolvedWait(tx, flow, step, now);
      return;
    }
    await resumeStep(tx, flow, step, step.port ?? def?.outputs[0] ?? 'done', step.output ? JSON.parse(step.output) : null, now);
  }

  /**
   * Graceful stop: admit nothing new, let running steps finish (each run then checkpoints back
   * to the queue) for up to `graceMs`, then abort what is left. Returns how many were aborted.
   */
  async drain(graceMs: number): Promise<number> {
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    // Wait for an in-progress claim to settle so no run starts after the snapshot below.
    while (this.pumping) await delay(5);
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
    const finished = await Promise.race([all().then(() => true), delay(graceMs).then(() => false)]);
    if (finished) {
      this.leases.stop();
      return 0;
    }
    const left = [...this.running.keys()];
    for (const r of this.running.values()) r.controller.abort('shutdown');
    await Promise.race([all(), delay(5000)]);
    this.leases.stop();
    // On PostgreSQL no restart of this process recovers what was cut short: the crash rules apply now.
    if (this.store.engine === 'postgres') {
      try {
        await this.store.write((tx) => recoverCutShort(tx, left, this.deps.clock.now()));
      } catch (error) {
        this.deps.log.warn({ err: error }, 'could not apply the crash rules to the runs cut short; another process adopts them when their leases end');
      }
    }
    return left.length;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
