import { sqliteStore, type QueueState, type Store, type WriteState } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';
import type { RecoveryReport } from './dispatch/recovery.js';
import type { Flow } from '../../shared/flow/schema.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { SqliteStore } from '../store/db.js';
import type { Actor } from '../../shared/audit.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';
import { DestinationPolicy, type Resolver } from '../net/destination-policy.js';
import type { SecretStore } from './secrets/secrets.js';
import type { ClusterSpecs } from '../kubernetes/cluster-specs.js';
import { KubernetesDirectory } from '../kubernetes/clusters.js';
import { scrubberFor, type Scrubber } from './secrets/scrub.js';
import type { CommandUser } from '../../nodes/command-user.js';
import { FlowService } from './flows/flow-service.js';
import { HookRouter } from './ingest/hook-router.js';
import { ingestDelivery, type IngestResult } from './ingest/ingest.js';
import type { IngestRequest } from '../../nodes/source-adapter.js';
import { EventRecorder } from './ingest/event-recorder.js';
import { refusalOf, routeEntry, sourceName } from './ingest/event-rows.js';
import type { EngineMetrics } from '../metrics.js';
import type { HookRoute } from './ingest/hook-router.js';
import { EventRetention } from './ingest/retention.js';
import { ExecutionRetention } from './execution-retention.js';
import { AfterRunWorker, type AfterRunOptions } from './after-run.js';
import { automationState, PAUSE_SETTING, readPaused } from './automation-state.js';
import type { AutomationState } from '../../shared/api-views.js';
import { type DryRuns, simulateFlow } from './flows/simulate.js';
import { replayFlow, type ReplayInput } from './flows/replay.js';
import type { ReplayResult } from '../../shared/flow/replay-compare.js';
import type { SimulatedAlert } from '../../shared/api-views.js';
import { runManually, type ManualRunInput, type ManualRunResult } from './triggers/manual-run.js';
import { ScheduleRunner } from './triggers/schedule-runner.js';
import { QueueCap } from './ingest/queue-cap.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { endExecution } from './dispatch/transitions.js';
import { decideApproval, type DecisionInput, type DecisionResult } from './approvals/decide.js';
import type { Decider } from './approvals/rules.js';

export type { Decider } from './approvals/rules.js';
export type { DecisionInput, DecisionResult } from './approvals/decide.js';
import { calledRuns } from './dispatch/calls.js';
import { ApprovalLinks } from './approvals/approval-links.js';
import type { BreakerView } from '../../shared/api-views.js';
import { breakerFailures } from '../store/breakers-repo.js';
import { breakerView } from './limits/breaker.js';

export interface EngineOptions {
  /** The embedded SQLite store, or a Store over PostgreSQL (PostgresStore) that several processes share. */
  store: SqliteStore | Store;
  clock: Clock;
  log: Logger;
  secrets: SecretStore;
  /** The user command steps run as (SALVE_COMMAND_USER); default Salve's own. */
  commandUser?: CommandUser;
  /** The Kubernetes clusters steps may act on (SALVE_KUBERNETES_CLUSTERS); none by default. */
  kubernetesClusters?: ClusterSpecs;
  maxConcurrent: number;
  executionDeadlineMs: number;
  maxQueued?: number;
  /** The after-run worker's timing (tests make it quick). */
  afterRun?: AfterRunOptions;
  tickMs?: number;
  /** Events older than this are deleted (default 14 days). */
  eventRetentionDays?: number;
  /** Executions that finished longer ago than this are deleted (default 30 days). */
  executionRetentionDays?: number;
  /** Whether schedule ticks set their own timers (default true; engine tests call `schedules.check()`). */
  scheduleTimers?: boolean;
  /** `SALVE_ALLOWED_TARGETS`: non-public destinations steps may connect to (default none). */
  allowedTargets?: readonly string[];
  /** How host names are resolved for the destination policy (tests inject one; default the system's). */
  resolver?: Resolver;
  /** SALVE_PUBLIC_ORIGIN: where people reach the editor, so notifications can link to a run. */
  publicOrigin?: string;
  /**
   * The key approval links are signed with (deriveLinkKey of the master key: the server passes
   * it); without it templates get no `approval.link` and no link is accepted.
   */
  linkKey?: Buffer;
  /** Counts deliveries and step durations for GET /metrics; without it nothing is counted. */
  metrics?: EngineMetrics;
  /**
   * PostgreSQL (several processes): what else this process keeps in memory from the shared
   * database and must re-read when another process changed it (the stored secrets), called at
   * each tick with the flows' check. Each returns whether it reloaded.
   */
  sharedState?: readonly (() => Promise<boolean>)[];
}


/**
 * The runtime's core, wired together: flows, hook routing, ingest, the dispatcher and the
 * operations people perform on executions and approvals. HTTP routes and the CLI call this.
 */
export class Engine {
  readonly flows: FlowService;
  readonly router = new HookRouter();
  readonly dispatcher: Dispatcher;
  /** Deletes expired events in small batches (started by start()). */
  readonly retention: EventRetention;
  /** Deletes long-finished executions in small batches (started by start()). */
  readonly executionRetention: ExecutionRetention;
  /** Runs the work steps left for after their run ended, e.g. expiring a silence (started by start()). */
  readonly afterRun: AfterRunWorker;
  /** Runs the flows that start with a schedule source (started by start()). */
  readonly schedules: ScheduleRunner;
  private readonly recorder: EventRecorder;
  private readonly revisionCache = new Map<string, Flow>();
  /** The hard cap on queued executions, shared by every way executions are queued. */
  readonly queueCap: QueueCap;
  /** Signed, single-use approval links (`approval.link` in templates). */
  readonly links: ApprovalLinks;
  /** The engine's database as a Store: reads and transactions over StoreTx, whichever engine holds the state. */
  readonly store: Store;
  private admitting = true;
  /** PostgreSQL: the timer that notices other processes' changes to flows and secrets. */
  private sharedTimer: NodeJS.Timeout | undefined;
  /** Every secret Salve holds (and the extras the store lists): scrubbed from the event log and simulate answers. */
  private readonly scrubber: Scrubber;
  /** Where steps may connect (and the Test tab's dry runs). */
  private readonly network: DestinationPolicy;
  private readonly kubernetes: KubernetesDirectory | undefined;

  constructor(private readonly options: EngineOptions) {
    const sqlite = options.store instanceof SqliteStore ? options.store : undefined;
    this.store = sqlite ? sqliteStore(sqlite) : (options.store as Store);
    this.scrubber = scrubberFor(options.secrets);
    this.links = new ApprovalLinks(options.linkKey, options.publicOrigin);
    // The SQLite writer's position lets the cap remember its count within a batch; PostgreSQL counts each time.
    this.queueCap = new QueueCap(sqlite, options.maxQueued ?? 10_000);
    this.flows = new FlowService(this.store, options.clock, () => this.refreshRoutes());
    this.network = new DestinationPolicy({
      allowedTargets: options.allowedTargets ?? [],
      secretHosts: (name) => options.secrets.hosts(name),
      secretHostsSetting: (name) => options.secrets.hostsSetting?.(name),
      resolver: options.resolver,
    });
    this.kubernetes = options.kubernetesClusters ? new KubernetesDirectory({ specs: options.kubernetesClusters, secrets: options.secrets }) : undefined;
    this.dispatcher = new Dispatcher(
      {
        store: this.store,
        clock: options.clock,
        log: options.log,
        secrets: options.secrets,
        commandUser: options.commandUser,
        ...(this.kubernetes ? { kubernetes: this.kubernetes } : {}),
        network: this.network,
        flowAt: (tx, id, revision) => this.revisionIn(tx, id, revision),
        publicOrigin: options.publicOrigin,
        approvalLinks: this.links,
        metrics: options.metrics,
        // Built below: called only once runs are running.
        afterRunRecorded: () => this.afterRun.noteRecorded(),
      },
      { maxConcurrent: options.maxConcurrent, tickMs: options.tickMs ?? 1000 },
    );
    this.recorder = new EventRecorder(this.store, options.log, this.scrubber);
    this.retention = new EventRetention(this.store, options.clock, options.log, { days: options.eventRetentionDays ?? 14 });
    this.executionRetention = new ExecutionRetention(this.store, options.clock, options.log, { days: options.executionRetentionDays ?? 30 });
    this.afterRun = new AfterRunWorker(
      {
        store: this.store,
        clock: options.clock,
        log: options.log,
        secrets: options.secrets,
        network: this.network,
        ...(this.kubernetes ? { kubernetes: this.kubernetes } : {}),
        flowAt: (tx, id, revision) => this.revisionIn(tx, id, revision),
      },
      options.afterRun,
    );
    this.schedules = new ScheduleRunner({
      store: this.store,
      clock: options.clock,
      log: options.log,
      executionDeadlineMs: options.executionDeadlineMs,
      onQueued: () => this.dispatcher.pump(),
      queueCap: this.queueCap,
      timers: options.scheduleTimers ?? true,
      scrubber: this.scrubber,
    });
  }

  /** Loads routes and the pause switch, recovers from any crash, and starts running executions. */
  async start(): Promise<RecoveryReport> {
    await this.refreshRoutes();
    this.dispatcher.setPaused(await this.store.read(readPaused));
    this.retention.start();
    this.executionRetention.start();
    const report = await this.dispatcher.start();
    // After recovery: runs that ended while Salve was down have their tasks done now.
    this.afterRun.start();
    // After recovery, so runs a crash interrupted count as unfinished for the overlap rule.
    this.schedules.start();
    if (this.store.engine === 'postgres') {
      await this.flows.refreshIfChanged();
      this.sharedTimer = setInterval(() => void this.syncShared(), this.options.tickMs ?? 1000);
      this.sharedTimer.unref();
    }
    return report;
  }

  /**
   * PostgreSQL: picks up what other processes changed in the shared database that this one holds
   * in memory (hook routes and schedules from the flows; the stored secrets). A failure (the
   * database away) is logged and tried again at the next tick.
   */
  async syncShared(): Promise<void> {
    try {
      await this.flows.refreshIfChanged();
      for (const refresh of this.options.sharedState ?? []) await refresh();
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not check the shared database for changes by other processes; trying again at the next tick');
    }
  }

  /**
   * The global kill switch. Paused: deliveries are still accepted and queued, approvals can still
   * be decided, but no step starts; running executions finish their current step and go back to
   * the queue. Survives restarts.
   */
  async setPaused(paused: boolean, actor: Actor, reqId?: string): Promise<void> {
    const now = this.options.clock.now();
    await this.store.write(async (tx) => {
      const was = await readPaused(tx);
      await tx.settings.set(PAUSE_SETTING, String(paused), now);
      await tx.audit.append({ actor, action: paused ? 'automation.pause' : 'automation.resume', target: 'automation', before: { paused: was }, after: { paused }, now });
    });
    this.dispatcher.setPaused(paused);
    this.options.log.warn({ reqId, actor: actor.name, via: actor.via, paused }, paused ? 'automation paused' : 'automation resumed');
  }

  /** The engine's time (tests move it): what approval links expire by. */
  now(): number {
    return this.options.clock.now();
  }

  /** The kill switch with who paused it and its recent history (GET /api/automation). */
  async automation(): Promise<AutomationState> {
    // The switch as committed, read with its history: on PostgreSQL another process may have
    // flipped it since this one's last tick, and the answer must not contradict its own history.
    return this.store.read(async (tx) => automationState(tx, await readPaused(tx)));
  }

  get isPaused(): boolean {
    return this.dispatcher.isPaused;
  }

  async refreshRoutes(): Promise<void> {
    const [rows, disabled] = await Promise.all([this.flows.enabledRows(), this.flows.disabledRows()]);
    this.router.rebuild(rows, disabled);
    this.schedules.refresh(rows);
  }

  /** A flow revision, cached (revisions never change once written). */
  flowAt(id: string, revision: number): Promise<Flow | undefined> {
    return this.store.read((tx) => this.revisionIn(tx, id, revision));
  }

  /** A flow revision read in `tx`, cached like flowAt's (one cache: revisions never change once written). */
  async revisionIn(tx: StoreTx, id: string, revision: number): Promise<Flow | undefined> {
    const key = `${id}@${revision}`;
    const cached = this.revisionCache.get(key);
    if (cached) return cached;
    const flow = await tx.flows.getRevision(id, revision);
    if (flow) this.revisionCache.set(key, flow);
    return flow;
  }

  get isAdmitting(): boolean {
    return this.admitting;
  }

  /** How the run queue is doing (Store.queueState): shown by /healthz. */
  get queueState(): QueueState {
    return this.store.queueState;
  }

  /** How the database takes writes (Store.writeState): shown by /healthz. */
  get databaseState(): WriteState {
    return this.store.writeState;
  }

  /**
   * Accepts a webhook delivery (see ingestDelivery), then wakes the dispatcher. `reqId` (the
   * HTTP request's id) goes on the log lines about this delivery.
   */
  async ingest(path: string, request: IngestRequest, reqId?: string): Promise<IngestResult> {
    const { clock, secrets, log } = this.options;
    let result: IngestResult;
    try {
      result = await ingestDelivery(
        {
          store: this.store,
          router: this.router,
          clock,
          secrets: secrets.resolve,
          secretTeam: (name) => secrets.team?.(name),
          scrubber: this.scrubber,
          executionDeadlineMs: this.options.executionDeadlineMs,
          queueCap: this.queueCap,
          onRejectedAuth: (p, reasons) => log.warn({ reqId, path: p, reasons }, 'webhook rejected: authentication failed'),
          recorder: this.recorder,
        },
        path,
        request,
        reqId,
      );
    } catch (error) {
      this.countDelivery(path, error);
      throw error;
    }
    this.countDelivery(path, undefined, result.outcome);
    if (result.executions.length > 0) this.dispatcher.pump();
    return result;
  }

  /** Counts an answered delivery for the metrics: its outcome, or the refusal `error` stands for (500: `error`). */
  private countDelivery(path: string, error: unknown, outcome?: string): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const enabled = this.router.routes(path);
    const routes: readonly HookRoute[] = enabled.length > 0 ? enabled : this.router.disabledRoutes(path);
    metrics.delivery(
      routes.map((r) => sourceName(r.node.type)),
      outcome ?? refusalOf(error)?.outcome ?? 'error',
    );
  }

  /**
   * Records a delivery refused before ingest could read it (413: body too large; 503: shutting
   * down) in the event log, like the refusals ingest records itself. Not waited for.
   */
  recordUnreadDelivery(path: string, request: IngestRequest, error: unknown, reqId?: string): void {
    const routes = this.router.routes(path);
    const named = routes.length > 0 ? routes : this.router.disabledRoutes(path);
    const reason = routes.length > 0 ? 'not checked' : 'flow disabled';
    this.countDelivery(path, error);
    void this.recorder.recordRefusal({
      path,
      now: this.options.clock.now(),
      request,
      routes: named,
      trace: { routes: named.map((r) => routeEntry(r, 'skipped', reason)) },
      error,
      reqId,
    });
  }

  /** Starts a flow from its source.manual node with a payload (POST /api/flows/:id/run); see runManually. */
  async runManually(flowId: string, input: ManualRunInput, actor: Actor): Promise<ManualRunResult> {
    const { clock, executionDeadlineMs } = this.options;
    const deps = { store: this.store, clock, flows: this.flows, executionDeadlineMs, queueCap: this.queueCap, scrubber: this.scrubber };
    const result = await runManually(deps, flowId, input, actor);
    this.dispatcher.pump();
    return result;
  }

  /**
   * What `flow` would do with `payload` from its `source` node, at the engine's time (nothing
   * runs), scrubbed of every secret: the payload, the alert and each step's result may hold one.
   */
  async simulate(flow: Flow, source: string, payload: unknown, sourceNodeId?: string): Promise<SimulatedAlert[]> {
    const now = new Date(this.options.clock.now());
    return this.scrubber.scrub(await simulateFlow(flow, source, payload, now, sourceNodeId, this.dryRuns(flow, now)));
  }

  /** The Kubernetes clusters as the start-up output lists them (KubernetesDirectory.summary). */
  async kubernetesSummary(): Promise<{ name: string; usable: boolean; text: string }[]> {
    return this.kubernetes ? this.kubernetes.summary() : [];
  }

  /**
   * What the Test tab's dry runs may use: the destination policy of real steps (the flow's own
   * list included) and the Kubernetes clusters, as for a run of the saved flow. A dry run sends
   * no secret of the config (it is not resolved in a simulation); a kubeconfig is the cluster's.
   */
  private dryRuns(flow: Flow, now: Date): DryRuns {
    const signal = AbortSignal.timeout(60_000);
    const team = async () => this.store.read((tx) => tx.flows.team(flow.id));
    return {
      contextFor: (node, vars) => ({
        executionId: 'simulation',
        nodeId: node.id,
        stepId: 'simulation',
        attempt: 1,
        idempotencyKey: `simulation:${node.id}`,
        signal,
        vars,
        network: this.network.forStep({ flowTargets: flow.settings?.allowedTargets, secrets: [] }),
        secrets: [],
        now: () => now,
        ...(this.kubernetes ? { kubernetes: this.kubernetes.forTeam(team) } : {}),
      }),
    };
  }

  /**
   * A draft replayed against the stored deliveries of a range, compared with what the saved flow
   * did (flows/replay.ts): simulation only, scrubbed of every secret like `simulate`.
   */
  async replay(input: Omit<ReplayInput, 'until'> & { until?: number }): Promise<ReplayResult> {
    const until = input.until ?? this.options.clock.now();
    return this.scrubber.scrub(await replayFlow(this.store, { ...input, until }));
  }

  /**
   * One person's decision on an approval (see decideApproval): `decider` says who, whatever the
   * transport (the API, an approval link, a Slack button) — each builds one from its caller.
   * Recorded and audited; the run goes on once the quorum is reached or someone rejects.
   */
  async decide(approvalId: string, input: DecisionInput, decider: Decider): Promise<DecisionResult> {
    const deps = { store: this.store, now: this.options.clock.now(), flowAt: (tx: StoreTx, id: string, rev: number) => this.revisionIn(tx, id, rev) };
    const result = await decideApproval(deps, approvalId, input, decider);
    if (result.status !== 'pending') this.dispatcher.pump();
    return result;
  }

  /**
   * A decision made through an approval link (`token`): the link is marked used first, and
   * released again if the decision is refused, so a link is good for one decision that counted.
   * A used, expired or foreign link is refused (409) and nothing changes.
   */
  async decideWithLink(approvalId: string, token: string, input: DecisionInput, decider: Decider): Promise<DecisionResult> {
    const { store } = this;
    const used = await store.write((tx) => this.links.use(tx, token, approvalId, decider.actor, this.options.clock.now()));
    try {
      return await this.decide(approvalId, input, decider);
    } catch (error) {
      await store.write((tx) => this.links.release(tx, used));
      throw error;
    }
  }

  /** Cancels an execution that has not finished; its in-flight step is aborted. */
  async cancel(executionId: string, actor: Actor): Promise<void> {
    const { store } = this;
    const now = this.options.clock.now();
    await store.write(async (tx) => {
      const exec = await tx.executions.get(executionId);
      if (!exec) throw new NotFoundError(`execution "${executionId}" not found`);
      if (!(await endExecution(tx, exec, 'cancelled', `cancelled by ${actor.name}`, now))) {
        throw new ConflictError(`execution "${executionId}" has already finished (${exec.status})`, { status: exec.status });
      }
      await tx.audit.append({ actor, action: 'execution.cancel', target: executionId, details: { flowId: exec.flowId }, before: { status: exec.status }, after: { status: 'cancelled' }, now });
    });
    this.dispatcher.abort(executionId, 'cancel');
    // The runs it called were cancelled with it (flow.call); a run that called it continues.
    for (const id of await store.read((tx) => calledRuns(tx, executionId))) this.dispatcher.abort(id, 'cancel');
    this.dispatcher.pump();
  }

  /**
   * Releases a run a guard rail held: it goes to the queue with a fresh deadline and the
   * dispatcher starts it (the limits are NOT checked again: a person decided). Audited as
   * `execution.release`; 409 when the run is not held.
   */
  async release(executionId: string, actor: Actor, comment?: string): Promise<void> {
    const { clock, executionDeadlineMs } = this.options;
    const now = clock.now();
    await this.store.write(async (tx) => {
      const exec = await tx.executions.get(executionId);
      if (!exec) throw new NotFoundError(`execution "${executionId}" not found`);
      const by = actor.identity ?? actor.name;
      if (!(await tx.executions.release(executionId, by, comment ?? null, now, now + executionDeadlineMs))) {
        throw new ConflictError(`execution "${executionId}" is not held (it is ${exec.status}); only a held run can be released`, { status: exec.status });
      }
      await tx.audit.append({
        actor,
        action: 'execution.release',
        target: executionId,
        details: { flowId: exec.flowId, limit: exec.heldLimit, reason: exec.heldReason, ...(comment ? { comment } : {}) },
        before: { status: 'held' },
        after: { status: 'queued' },
        now,
      });
    });
    this.dispatcher.pump();
  }

  /** A flow's circuit breaker as the API shows it. */
  async breaker(flowId: string): Promise<BreakerView> {
    const stored = await this.flows.get(flowId);
    return this.store.read((tx) => breakerView(tx, flowId, stored.flow.limits?.breaker));
  }

  /** Closes a flow's tripped circuit breaker: its next runs start again. Audited as `flow.breaker.reset`; 409 when not tripped. */
  async resetBreaker(flowId: string, actor: Actor, comment?: string): Promise<BreakerView> {
    const stored = await this.flows.get(flowId);
    const now = this.options.clock.now();
    await this.store.write(async (tx) => {
      const before = await tx.breakers.get(flowId);
      if (!(await tx.breakers.reset(flowId, actor.identity ?? actor.name, now))) {
        throw new ConflictError(`the circuit breaker of flow "${flowId}" is not tripped`, { state: 'closed' });
      }
      await tx.audit.append({
        actor,
        action: 'flow.breaker.reset',
        target: flowId,
        details: { trippedAt: before?.trippedAt ?? null, failures: before ? breakerFailures(before).map((f) => f.executionId) : [], ...(comment ? { comment } : {}) },
        before: { state: 'tripped' },
        after: { state: 'closed' },
        now,
      });
    });
    return this.store.read((tx) => breakerView(tx, flowId, stored.flow.limits?.breaker));
  }

  /**
   * Resolves once the engine has finished what it started: refused deliveries are in the event
   * log, every execution that could start has run until it ended or parked, and every write has
   * committed. Each can start work for another (a run ends and the queue is pumped again; a
   * write commits and a run goes on), so it waits until all three are quiet at the same moment.
   * Timers (ticks, schedules, retention) are not waited for. Tests use it before checking that
   * something did, or did not, happen.
   */
  async idle(): Promise<void> {
    const { store } = this;
    do {
      await this.recorder.idle();
      await this.dispatcher.idle();
      await store.idle();
    } while (this.recorder.busy || this.dispatcher.busy || store.busy);
  }

  /** Stops admitting deliveries and lets running steps finish or checkpoint. */
  async shutdown(graceMs: number): Promise<number> {
    this.admitting = false;
    clearInterval(this.sharedTimer);
    this.retention.stop();
    this.executionRetention.stop();
    this.schedules.stop();
    const interrupted = await this.dispatcher.drain(graceMs);
    await this.afterRun.stop();
    return interrupted;
  }
}
