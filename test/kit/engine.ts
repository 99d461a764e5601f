import pino from 'pino';
import { SqliteStore } from '../../runtime/store/db.js';
import type { Clock } from '../../runtime/engine/clock.js';
import { Engine } from '../../runtime/engine/engine.js';
import { secretStoreFrom } from '../../runtime/engine/secrets/secrets.js';
import type { ClusterSpecs } from '../../runtime/kubernetes/cluster-specs.js';
import type { AfterRunOptions } from '../../runtime/engine/after-run.js';
import type { Resolver } from '../../runtime/net/destination-policy.js';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public t = Date.parse('2026-11-24T00:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** What an engine test can set; nothing reaches a non-public address unless `allowedTargets` says so. */
export interface TestEngineOptions {
  file?: string;
  /** An open store instead of `file` (a second engine over it: a "restart" that keeps the database). */
  store?: SqliteStore;
  clock?: ManualClock;
  secrets?: Record<string, string>;
  /** Secret name → its `SALVE_SECRET_<NAME>_HOSTS` list as written. */
  secretHosts?: Record<string, string>;
  deadlineMs?: number;
  maxConcurrent?: number;
  maxQueued?: number;
  /** As `SALVE_ALLOWED_TARGETS`, e.g. `['127.0.0.1']` to reach a test target. */
  allowedTargets?: string[];
  resolver?: Resolver;
  /** As SALVE_KUBERNETES_CLUSTERS (parsed). */
  kubernetesClusters?: ClusterSpecs;
  /** The after-run worker's timing. */
  afterRun?: AfterRunOptions;
}

/** An engine over a database file (or memory) with a manual clock, for engine tests. */
export function testEngine(opts: TestEngineOptions = {}) {
  const clock = opts.clock ?? new ManualClock();
  const store = opts.store ?? new SqliteStore(opts.file ?? ':memory:');
  const engine = new Engine({
    store,
    clock,
    log: pino({ level: 'silent' }),
    secrets: secretStoreFrom(opts.secrets ?? {}, opts.secretHosts),
    allowedTargets: opts.allowedTargets,
    resolver: opts.resolver,
    ...(opts.kubernetesClusters ? { kubernetesClusters: opts.kubernetesClusters } : {}),
    ...(opts.afterRun ? { afterRun: opts.afterRun } : {}),
    maxConcurrent: opts.maxConcurrent ?? 4,
    executionDeadlineMs: opts.deadlineMs ?? 7_200_000,
    maxQueued: opts.maxQueued,
    tickMs: 3_600_000, // tests call tick() themselves
    scheduleTimers: false, // and schedules.check()
  });
  return { engine, store, clock };
}

/** A webhook delivery as a source's ingest receives it: `body` as JSON (a string as it is), `application/json` unless `headers` say otherwise. */
export function webhookDelivery(body: unknown, headers: Record<string, string> = {}) {
  return { headers: { 'content-type': 'application/json', ...headers }, rawBody: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)) };
}
