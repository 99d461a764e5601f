import { UnavailableError } from '../../../shared/errors.js';
import type { SqliteStore } from '../../store/db.js';
import type { StoreTx } from '../../store/tx.js';

/** PostgreSQL: how long a process reuses its last count of the queue (see QueueCap). */
const RECENT_COUNT_MS = 1000;

/** Retry-After sent to senders refused because the queue is full. */
const QUEUE_FULL_RETRY_AFTER_SECONDS = 30;

/** The refusal of a delivery or run that would put the queue over the cap (503 + Retry-After). */
function queueFullError(): UnavailableError {
  return new UnavailableError('too many executions are queued; retry later', QUEUE_FULL_RETRY_AFTER_SECONDS);
}

/**
 * The hard cap on queued executions (`SALVE_MAX_QUEUED`), decided inside the transaction that
 * inserts them, so concurrent deliveries can never push the queue past it.
 *
 * Why counting and not a counter: many places move executions in and out of `queued` (claims,
 * approvals, delays, shutdown checkpoints, recovery); a separately maintained counter would have
 * to follow every one of them exactly. A count in the admitting transaction is exact by
 * construction. To keep the hot path cheap, the count is remembered for the rest of a group-
 * commit batch and carried forward by the inserts the cap itself admits: a run of admitting
 * writes in one batch costs one `count(*)` over the status index. The memory is trusted only
 * when the previous write of the same transaction was the admission that left it (the store's
 * `position`); anything else in between (a claim, a rolled-back write, a new transaction) means
 * counting again.
 *
 * On PostgreSQL (no group commit, several processes) counts in concurrent transactions do not
 * see each other's uncommitted runs, so the cap is approximate there anyway. A count is a round
 * trip per delivery and grows with the queue (docs/performance.md measures it with the event's
 * refs in the same statement: 1.35× deliveries/s); so a process reuses its last count for up to a
 * second, adding what it admitted since, while that stays under 90% of the cap. Near the cap
 * every admission counts again.
 */
export class QueueCap {
  private memo: { tx: number; write: number; count: number } | undefined;
  /** PostgreSQL: this process's last count, when it was made, plus what it admitted since. */
  private recent: { at: number; count: number } | undefined;

  constructor(
    /** The SQLite store's writer position (the count's memory); none on PostgreSQL. */
    private readonly store: Pick<SqliteStore, 'position'> | undefined,
    readonly max: number,
    /** Milliseconds, for how old a PostgreSQL count is (tests move it). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Call inside the write, AFTER inserting `added` queued executions: returns if the queue is
   * still within the cap, else throws the queue-full error (503), which rolls the write back.
   */
  async admit(tx: StoreTx, added: number): Promise<void> {
    if (added === 0) return;
    if (tx.engine !== 'sqlite') {
      const estimate = this.estimate(added);
      if (estimate !== undefined) {
        this.recent!.count = estimate;
        return;
      }
      const count = await this.countNow(tx);
      if (count > this.max) throw queueFullError();
      return;
    }
    const known = this.known();
    const count = known !== undefined ? known + added : await tx.executions.countByStatus('queued');
    if (count > this.max) {
      // The throw rolls this write back, which moves the store's position one write on; the
      // count without this write's inserts is then right for the next write (no recount while
      // a burst is being refused, which is when counting would cost the most).
      const p = this.store!.position;
      this.memo = { tx: p.tx, write: p.write + 1, count: count - added };
      throw queueFullError();
    }
    this.remember(count);
  }

  /** Call inside the write, BEFORE inserting: whether `n` more queued executions fit. Pair with `added`. */
  async fits(tx: StoreTx, n: number): Promise<boolean> {
    if (tx.engine !== 'sqlite') return this.estimate(n) !== undefined || (await this.countNow(tx)) + n <= this.max;
    let count = this.known();
    if (count === undefined) {
      count = await tx.executions.countByStatus('queued');
      this.remember(count);
    }
    return count + n <= this.max;
  }

  /** Call inside the write after `fits` allowed it and `n` executions were inserted. */
  added(n: number): void {
    if (!this.store) {
      if (this.recent) this.recent.count += n;
      return;
    }
    const known = this.known();
    if (known !== undefined) this.remember(known + n);
  }

  /**
   * PostgreSQL: the queued count with `added` more, from this process's last count, if that is
   * under RECENT_COUNT_MS old and the result stays under 90% of the cap; else undefined (count).
   */
  private estimate(added: number): number | undefined {
    const r = this.recent;
    if (!r || this.now() - r.at >= RECENT_COUNT_MS) return undefined;
    const count = r.count + added;
    return count <= this.max * 0.9 ? count : undefined;
  }

  /** PostgreSQL: counts the queued runs (as this transaction sees them) and remembers the count. */
  private async countNow(tx: StoreTx): Promise<number> {
    const count = await tx.executions.countByStatus('queued');
    this.recent = { at: this.now(), count };
    return count;
  }

  /** The queued count as of the current write, if still known without counting. */
  private known(): number | undefined {
    const m = this.memo;
    const p = this.store?.position;
    if (!m || !p || m.tx !== p.tx) return undefined;
    return m.write === p.write || m.write === p.write - 1 ? m.count : undefined;
  }

  private remember(count: number): void {
    const p = this.store?.position;
    if (!p) return;
    this.memo = { tx: p.tx, write: p.write, count };
  }
}
