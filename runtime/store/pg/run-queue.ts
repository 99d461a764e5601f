import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from '../../log.js';
import { PostgresPool } from './pool.js';

/**
 * The run queue of the PostgreSQL engine, on pg-boss: which queued executions wait for a process
 * to run them. On SQLite the executions table is the queue (one process polls it); with several
 * processes pg-boss hands each job to one of them (`FOR UPDATE SKIP LOCKED`), and a job fetched
 * by a process that died comes back after its expiry.
 *
 * The promise that matters: a run is enqueued in the SAME transaction that inserts it
 * (`enqueue(client, …)` on the transaction's connection), so an acknowledged delivery always has
 * its jobs and a rolled-back one has none: no lost and no phantom jobs.
 *
 * pg-boss keeps its tables in its own schema (`pgboss`), which it creates and upgrades itself at
 * start under its own advisory lock; it runs its SQL through Salve's pool, so one pool (and one
 * way of handling a lost connection) serves both.
 */

/** The pg-boss queue of runs to start. */
export const RUN_QUEUE = 'salve-runs';

/**
 * A fetched job not completed within this time (its process died) is handed out again. A live
 * process claims its jobs within milliseconds of fetching them, and a second hand-out is harmless
 * (the claim checks the run's row), so this only bounds how long a dead process's runs wait.
 */
const JOB_EXPIRY_SECONDS = 30;

/**
 * How often pg-boss looks for expired jobs. Its default (120 s) added up to two minutes to the
 * expiry: a dead process's fetched runs waited up to 3 minutes. One process of the cluster does
 * the upkeep per interval (pg-boss takes turns through a row), so a short interval costs a few
 * small queries.
 */
const MAINTENANCE_INTERVAL_SECONDS = 10;

/** What a run's job carries: only the id; the execution row is the truth. */
export interface RunJob {
  /** pg-boss's job id (complete it in the transaction that claims the run). */
  jobId: string;
  executionId: string;
}

export interface RunQueueOptions {
  log?: Logger;
  /** Seconds before a fetched, uncompleted job is handed out again (tests shorten it). */
  expireInSeconds?: number;
  /** How often pg-boss looks for expired jobs (its supervisor); tests shorten it. */
  maintenanceIntervalSeconds?: number;
}

/** `db` for pg-boss calls that must join a transaction: its statements run on that connection. */
const onConnection = (client: pg.PoolClient): PgBoss.Db => ({ executeSql: (text, values) => client.query(text, values) });

/** pg-boss's `complete` as its code reads its arguments (see RunQueue.complete). */
type CompleteJobs = (name: string, ids: string[], data: null, options: PgBoss.ConnectionOptions) => Promise<unknown>;

export class RunQueue {
  /** Whether pg-boss's last fetch or upkeep failed (PostgreSQL away): /healthz says `failing` until one succeeds. */
  private failed = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: PostgresPool,
  ) {}

  /** How the queue is doing, for /healthz. */
  get state(): 'ok' | 'failing' {
    return this.failed ? 'failing' : 'ok';
  }

  /** Starts pg-boss on `pool` (creating or upgrading its schema and the run queue if needed). */
  static async open(pool: PostgresPool, options: RunQueueOptions = {}): Promise<RunQueue> {
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.read((client) => client.query(text, values)) },
      schema: 'pgboss',
      // Salve runs its own schedules (schedule ticks are rows): pg-boss's cron is not used.
      schedule: false,
      supervise: true,
      migrate: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? MAINTENANCE_INTERVAL_SECONDS,
    });
    // pg-boss reports its background failures (maintenance while PostgreSQL is away) as events;
    // without a listener they would crash the process.
    let queue: RunQueue | undefined;
    boss.on('error', (error) => {
      if (queue) queue.failed = true;
      options.log?.warn({ err: error }, 'the run queue (pg-boss) could not do its upkeep; it tries again');
    });
    await boss.start();
    const settings = {
      name: RUN_QUEUE,
      policy: 'standard' as const,
      expireInSeconds: options.expireInSeconds ?? JOB_EXPIRY_SECONDS,
      // A job is only a pointer to a run; what happens to the run is decided by its row and
      // lease. The limit only bounds how often a job whose process keeps dying comes back.
      retryLimit: 1000,
      retryDelay: 0,
    };
    await boss.createQueue(RUN_QUEUE, settings);
    // createQueue leaves an existing queue as it is: a database made by an older Salve gets
    // this version's settings (new jobs take the expiry from the queue).
    await boss.updateQueue(RUN_QUEUE, settings);
    queue = new RunQueue(boss, pool);
    return queue;
  }

  /** Enqueues one job per execution, in the transaction of `client` (committed or rolled back with it). */
  async enqueue(client: pg.PoolClient, executionIds: readonly string[]): Promise<void> {
    if (executionIds.length === 0) return;
    await this.boss.insert(
      executionIds.map((executionId) => ({ name: RUN_QUEUE, data: { executionId } })),
      { db: onConnection(client) },
    );
  }

  /** Takes up to `limit` jobs for this process; each is this process's until completed or expired. */
  async fetch(limit: number): Promise<RunJob[]> {
    // pg-boss's fetch swallows every error of its query and answers "no jobs"; the query goes
    // through this connection so that PostgreSQL being away is an error the caller (and /healthz) sees.
    let failure: { error: unknown } | undefined;
    const db: PgBoss.Db = {
      executeSql: async (text, values) => {
        try {
          return await this.pool.read((client) => client.query(text, values));
        } catch (error) {
          failure = { error };
          throw error;
        }
      },
    };
    const jobs = await this.boss.fetch<{ executionId: string }>(RUN_QUEUE, { batchSize: limit, db });
    if (failure) {
      this.failed = true;
      throw failure.error;
    }
    this.failed = false;
    return jobs.map((job) => ({ jobId: job.id, executionId: job.data.executionId }));
  }

  /**
   * Marks jobs done, in the transaction of `client` (the one that claims their runs): if that
   * transaction rolls back (or its process dies before the commit), the jobs stay fetched and
   * come back after their expiry, so a run is never left queued without a job.
   */
  async complete(client: pg.PoolClient, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    // pg-boss 10's code is complete(name, ids, data, options), but its types declare
    // complete(name, ids, options) for a list of ids: passed that way, the connection was taken
    // as the job's output and the jobs were completed on another connection, committed at once.
    const complete = this.boss.complete.bind(this.boss) as unknown as CompleteJobs;
    await complete(RUN_QUEUE, [...jobIds], null, { db: onConnection(client) });
  }

  /**
   * Gives a new job to each run that is `queued` since before `queuedBefore` but has no job
   * waiting or fetched, in the transaction of `client`; answers their ids (at most `limit`).
   * Every path that queues a run enqueues its job in the same transaction, so this normally finds
   * nothing. It is the net under what would strand a run for good: pg-boss archives a job still
   * waiting after its retention (14 days: automation paused that long), or someone cleaned up
   * the `pgboss` schema. One process does it at a time (the others skip the turn).
   */
  async restoreLost(client: pg.PoolClient, queuedBefore: number, limit: number): Promise<string[]> {
    const turn = await client.query<{ mine: boolean }>("select pg_try_advisory_xact_lock(hashtextextended('salve:run-queue:restore-lost', 0)) as mine");
    if (!turn.rows[0]?.mine) return [];
    // pg-boss's job states are an enum in this order: created, retry, active, completed, cancelled, failed.
    const lost = await client.query<{ id: string }>(
      `select e.id from executions e
        where e.status = 'queued' and e.updated_at < $1
          and not exists (select 1 from pgboss.job j where j.name = $2 and j.state < 'completed' and j.data->>'executionId' = e.id)
        order by e.updated_at limit $3`,
      [queuedBefore, RUN_QUEUE, limit],
    );
    const ids = lost.rows.map((r) => r.id);
    await this.enqueue(client, ids);
    return ids;
  }

  /** Jobs waiting to be fetched (for /healthz and metrics). */
  async waiting(): Promise<number> {
    return this.boss.getQueueSize(RUN_QUEUE);
  }

  /** Stops pg-boss's upkeep (the pool stays open: it is the caller's). */
  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: false, wait: true });
  }
}

/** Creates or upgrades pg-boss's schema and the run queue on the database at `url` (`salve migrate --database`). */
export async function prepareRunQueue(url: string): Promise<void> {
  const pool = new PostgresPool(url, { applicationName: 'salve migrate' });
  try {
    const queue = await RunQueue.open(pool);
    await queue.close();
  } finally {
    await pool.close();
  }
}
