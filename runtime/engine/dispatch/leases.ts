import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../../store/store.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import { adoptExpired } from './recovery.js';

/** How long a claim holds without renewal. Longer than any plausible lock or pause of the process. */
export const LEASE_MS = 30_000;
/** How often a process renews the leases of the executions it runs. */
const RENEW_EVERY_MS = 10_000;
/** Executions adopted per sweep (the rest wait for the next tick). */
const ADOPT_PER_SWEEP = 200;

/**
 * An owner id unique to this process instance: host and pid for people reading the database,
 * plus a random part so that a restarted process with a recycled pid, or another process sharing
 * a PostgreSQL database, is never mistaken for the previous owner.
 */
function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface LeaseDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Whether a runner of this process is running the execution (it renews; never adopt it). */
  isLive(id: string): boolean;
  /** The executions this process's runners are running. */
  liveIds(): string[];
}

/**
 * The leases of one process: claims carry them, a timer renews those of live runners, and the
 * dispatcher's tick sweeps for `running` executions whose lease ended — a runner that died
 * without its process (an unexpected error) or a process that died (another one sharing the
 * database). They are recovered with the crash rules (recovery.ts), without a restart.
 *
 * A runner that is only waiting for a locked database keeps its execution: its process still
 * runs it (`isLive`), and its renewals commit as soon as the database can be written again.
 */
export class Leases {
  readonly owner = newLeaseOwner();
  private renewing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LeaseDeps) {}

  /** The lease columns of a claim made at `now`. */
  claim(now: number): { leaseOwner: string; leaseUntil: number } {
    return { leaseOwner: this.owner, leaseUntil: now + LEASE_MS };
  }

  /** Starts renewing every RENEW_EVERY_MS (the timer never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Renews the leases of every live runner; one renewal at a time (a slow one is not stacked). */
  renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    const ids = this.deps.liveIds();
    if (ids.length === 0) return;
    try {
      // Committed whenever the database can be written: a lock delays it, never drops it.
      await this.deps.store.writeEventually((tx) => tx.leases.renew(this.owner, ids, this.deps.clock.now() + LEASE_MS));
    } catch (error) {
      this.deps.log.error({ err: error }, 'could not renew execution leases');
    }
  }

  /**
   * Adopts `running` executions whose lease has ended and that no runner here runs; returns
   * their ids (they are back in the queue, or in `needs_attention`).
   */
  async sweep(): Promise<string[]> {
    const { store, clock, log } = this.deps;
    const now = clock.now();
    // Cheap read first: nearly always there is nothing to adopt, and no write is queued.
    const candidates = (await store.read((tx) => tx.leases.expired(now, ADOPT_PER_SWEEP))).filter((e) => !this.deps.isLive(e.id));
    if (candidates.length === 0) return [];
    const { ids, report } = await store.writeEventually((tx) => adoptExpired(tx, now, (id) => this.deps.isLive(id), ADOPT_PER_SWEEP));
    if (ids.length > 0) log.warn({ adopted: ids.length, executions: ids.slice(0, 20), ...report }, 'adopted executions whose runner stopped (lease expired)');
    return ids;
  }
}
