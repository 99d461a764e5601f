import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ACTIVE_EXECUTION_STATUSES } from '../shared/statuses.js';
import type { Store } from './store/store.js';

/**
 * What the engine reports as it happens (an optional hook: without one nothing is counted).
 * Label values are bounded: source types and outcomes are fixed lists, node types are the
 * registry's; nothing an alert sender controls (paths, alert labels) becomes a label.
 */
export interface EngineMetrics {
  /** A webhook delivery was answered: `sources` are the source types on the path (none: no flow listens). */
  delivery(sources: readonly string[], outcome: string): void;
  /** A step's try ended (its outcome was committed) after `seconds`. */
  stepFinished(nodeType: string, seconds: number): void;
}

/** Seconds: from a quick check to a long command or notification call. */
const STEP_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds: a COMMIT with fsync on a healthy disk takes around a millisecond. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC, file descriptors): one registry
 * per process, made on first use, since they describe the process whatever the number of apps
 * (and each collector set starts observers of its own).
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named like counters: `promtool check metrics` refuses them. The same figures stay,
    // per kind, in nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

/**
 * Salve's Prometheus metrics, in a registry of its own (one per app: tests run several side by
 * side). Counters of events are incremented as they happen: deliveries and step durations by the
 * engine (EngineMetrics), ended runs and commits by the store once they committed. Figures that
 * mirror the database (active runs, queue depth, pending approvals) are counted with indexed
 * COUNT queries when Prometheus scrapes, so they are right after a restart too.
 */
export class SalveMetrics implements EngineMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'source' | 'outcome'>;
  private readonly stepDuration: Histogram<'node_type'>;
  private readonly commitDuration: Histogram;
  private stopCommits: (() => void) | undefined;
  private stopEnds: (() => void) | undefined;
  private stopHeld: (() => void) | undefined;

  constructor(store: Store, isPaused: () => boolean = () => false) {
    const registers = [this.registry];
    this.deliveries = new Counter({
      name: 'salve_deliveries_total',
      help: 'Webhook deliveries answered, by source type on the path (comma-separated when several; "none" when no flow listens) and event-log outcome.',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'salve_step_duration_seconds',
      help: 'How long step tries took, from start to their committed outcome, by node type.',
      labelNames: ['node_type'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.commitDuration = new Histogram({
      name: 'salve_store_commit_duration_seconds',
      help: "How long this process's COMMITs took (SQLite: one per group of writes; PostgreSQL: one per transaction).",
      buckets: COMMIT_BUCKETS,
      registers,
    });
    this.stopCommits = store.onCommit((seconds) => this.commitDuration.observe(seconds));

    const ended = new Counter({
      name: 'salve_executions_total',
      help: 'Executions that ended, by flow and final status.',
      labelNames: ['flow', 'status'],
      registers,
    });
    // Told once the change that ended a run committed, whoever in this process ended it. On
    // PostgreSQL each process counts its own: Prometheus sums the processes' counters.
    this.stopEnds = store.onExecutionEnded((flow, status) => ended.inc({ flow, status }));
    const held = new Counter({
      name: 'salve_executions_held_total',
      help: 'Runs created held by a guard rail, by flow and limit (maxRunsPerWindow, cooldown, maxConcurrent, blastRadius, breaker).',
      labelNames: ['flow', 'limit'],
      registers,
    });
    this.stopHeld = store.onExecutionHeld((flow, limit) => held.inc({ flow, limit }));
    new Gauge({
      name: 'salve_breakers_tripped',
      help: "Flows whose circuit breaker is tripped (their new runs are held until a person resets it).",
      registers,
      async collect() {
        this.set((await store.read((tx) => tx.breakers.tripped())).size);
      },
    });
    new Gauge({
      name: 'salve_executions_active',
      help: 'Executions not yet ended, by flow and status (queued, running, waiting).',
      labelNames: ['flow', 'status'],
      registers,
      async collect() {
        const rows = await store.read((tx) => tx.executions.countsByFlowAndStatus(ACTIVE_EXECUTION_STATUSES));
        this.reset();
        for (const r of rows) this.set({ flow: r.flowId, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'salve_queue_depth',
      help: 'Executions queued and waiting for a free slot (deliveries get 503 past SALVE_MAX_QUEUED).',
      registers,
      async collect() {
        this.set(await store.read((tx) => tx.executions.countByStatus('queued')));
      },
    });
    new Gauge({
      name: 'salve_approvals_pending',
      help: 'Approvals waiting for a decision.',
      registers,
      async collect() {
        this.set(await store.read((tx) => tx.approvals.countPending()));
      },
    });
    new Gauge({
      name: 'salve_automation_paused',
      help: '1 while the automation kill switch is on (no step starts), else 0.',
      registers,
      collect() {
        this.set(isPaused() ? 1 : 0);
      },
    });
  }

  delivery(sources: readonly string[], outcome: string): void {
    const source = sources.length > 0 ? [...new Set(sources)].sort().join(',') : 'none';
    this.deliveries.inc({ source, outcome });
  }

  stepFinished(nodeType: string, seconds: number): void {
    this.stepDuration.observe({ node_type: nodeType }, Math.max(0, seconds));
  }

  /** The exposition text and its content type, for GET /metrics. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    const own = await this.registry.metrics();
    return { body: `${await processMetrics().metrics()}\n${own}`, contentType: this.registry.contentType };
  }

  /** Stops listening to the store's commits. */
  close(): void {
    this.stopCommits?.();
    this.stopEnds?.();
    this.stopHeld?.();
    this.stopCommits = undefined;
    this.stopEnds = undefined;
    this.stopHeld = undefined;
  }
}
