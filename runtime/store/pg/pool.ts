import pg from 'pg';
import { UnavailableError } from '../../../shared/errors.js';
import type { Logger } from '../../log.js';
import { printableUrl } from './migrate.js';

/**
 * The connection pool of the PostgreSQL engine (scale-out mode), and the one way it runs a
 * transaction. What it guarantees, so the operations built on it need not:
 * - a transaction is BEGIN … COMMIT around `fn`, rolled back when `fn` throws;
 * - a serialization failure or deadlock (another process won the race) runs `fn` again, so `fn`
 *   must be re-runnable: pure over the transaction, as SQLite's group commit asks too;
 * - a connection found closed is replaced once (the pool may hand out one the server just
 *   ended); a lost or refused connection (PostgreSQL restarting, stopped, unreachable, out of
 *   connections) then becomes an UnavailableError, which webhooks answer with 503 + Retry-After, and
 *   never crashes the process: the pool drops the dead connection and the next call opens a
 *   new one, so Salve recovers by itself when PostgreSQL is back;
 * - no statement runs longer than `statementTimeoutMs`, and no transaction sits idle holding
 *   locks (a process stuck between two statements releases them).
 */

export interface PostgresPoolOptions {
  /** Connections kept at most by this process (docs/operations.md: size it against max_connections). */
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  applicationName?: string;
  log?: Logger;
}

/** Serialization failure, deadlock: the transaction lost a race and may simply run again. */
const RETRY_CODES = new Set(['40001', '40P01']);
/** How many times a transaction that lost a race runs at most; between runs it waits a little, at random, so racers spread out. */
const MAX_ATTEMPTS = 10;
const raceBackoffMs = (attempt: number) => Math.random() * Math.min(100, 2 ** attempt);

/**
 * The error PostgreSQL or the driver raised. drizzle wraps a failed query's error in a
 * DrizzleQueryError (the original as its `cause`), which has no `code` of its own: without
 * unwrapping, a lost race or a lost connection inside a drizzle query would look like a bug.
 */
function driverError(error: unknown): { code?: string; message?: string } {
  let e = error as { code?: string; message?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && e.code === undefined && e.cause !== undefined && depth < 5; depth++) e = e.cause as typeof e;
  return e ?? {};
}

/** The SQLSTATE (or the driver's errno) of `error`, unwrapped; '' when it has none. */
function codeOf(error: unknown): string {
  return driverError(error).code ?? '';
}

/** True for errors that mean "PostgreSQL is not reachable right now", not "this statement is wrong". */
function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  // 08: connection exception; 57P01-3: admin shutdown, crash shutdown, cannot connect now; 53300: too many connections.
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code)) return true;
  const message = `${(error as Error).message ?? ''} ${driverError(error).message ?? ''}`;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/**
 * PostgreSQL could not be reached or kept losing races: passes by itself (503 + Retry-After for
 * a caller on the line; engine writes wait and try again). A subclass so that it is told apart
 * from the engine's own 503s (a full queue), which waiting would not cure.
 */
export class PostgresUnavailableError extends UnavailableError {}

export class PostgresPool {
  private readonly pool: pg.Pool;
  private readonly where: string;
  private readonly commitListeners = new Set<(seconds: number) => void>();

  constructor(url: string, private readonly options: PostgresPoolOptions = {}) {
    this.where = printableUrl(url);
    const statementTimeout = options.statementTimeoutMs ?? 30_000;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: options.applicationName ?? 'salve',
      statement_timeout: statementTimeout,
      idle_in_transaction_session_timeout: statementTimeout,
    });
    // An idle connection the server closed (restart, pg_terminate_backend) is reported here; the
    // pool has already dropped it. Without a listener the process would crash.
    this.pool.on('error', (error) => this.options.log?.warn({ err: error, database: this.where }, 'a PostgreSQL connection was closed; the pool opens a new one when needed'));
  }

  /** Runs `fn` in one transaction; see the file comment for retries and errors. */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let reconnected = false;
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let broken = false;
      let committing = false;
      try {
        await client.query('begin');
        const result = await fn(client);
        committing = true;
        const started = performance.now();
        await client.query('commit');
        const seconds = (performance.now() - started) / 1000;
        for (const listener of this.commitListeners) listener(seconds);
        return result;
      } catch (error) {
        broken = isConnectionError(error);
        if (!broken) await client.query('rollback').catch(() => {});
        // A connection the server had already closed can still be handed out by the pool (its
        // error not yet read): once, run again on a new one. Only before COMMIT was sent: a
        // connection lost during COMMIT may have committed, and must not run twice.
        if (broken && !committing && !reconnected) {
          reconnected = true;
          continue;
        }
        if (!RETRY_CODES.has(codeOf(error))) throw this.explain(error);
        // Still losing after MAX_ATTEMPTS: transient all the same, so the caller may try later (503).
        if (attempt >= MAX_ATTEMPTS) throw new PostgresUnavailableError(`a transaction on ${this.where} lost ${attempt} races with other processes; try again`);
      } finally {
        // A broken connection must not go back to the pool for the next caller.
        client.release(broken || undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, raceBackoffMs(attempt)));
    }
  }

  /** Runs `fn` with a connection outside any transaction (reads; run again once on a new connection if the first was already closed). */
  async read<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let reconnected = false; ; reconnected = true) {
      const client = await this.connect();
      let broken = false;
      try {
        return await fn(client);
      } catch (error) {
        broken = isConnectionError(error);
        if (broken && !reconnected) continue;
        throw this.explain(error);
      } finally {
        client.release(broken || undefined);
      }
    }
  }

  /** Calls `listener` with each COMMIT's duration (the metrics' commit histogram); returns the unsubscribe. */
  onCommit(listener: (seconds: number) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // Whatever stops a connection (refused, too many connections, the database closed to
      // connections for maintenance, a login refused) means PostgreSQL cannot serve this call now.
      const reason = codeOf(error) || (error as Error).message;
      throw new PostgresUnavailableError(`PostgreSQL at ${this.where} is unavailable (${reason})`);
    }
    // While checked out, a connection the server ends is reported on the client itself (the
    // pool's listener covers idle ones only); the query in flight fails and is handled there.
    if (client.listenerCount('error') === 0) client.on('error', () => {});
    return client;
  }

  /** A connection problem becomes an UnavailableError naming the server (never its password); others pass as they are. */
  private explain(error: unknown): unknown {
    if (!isConnectionError(error)) return error;
    const reason = codeOf(error) || (error as Error).message;
    return new PostgresUnavailableError(`PostgreSQL at ${this.where} is unavailable (${reason})`);
  }
}
