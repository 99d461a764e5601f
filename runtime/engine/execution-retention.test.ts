import { sqliteStore } from '../store/store.js';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import type { SqliteStore } from '../store/db.js';
import { executionsRepo } from '../store/executions-repo.js';
import type { ExecutionStatus } from '../store/schema.js';
import { ExecutionRetention } from './execution-retention.js';

const DAY = 24 * 3600 * 1000;
const silent = pino({ level: 'silent' });

/** One execution with a step, an approval on it, a decision and a used approval link. */
function seedRun(store: SqliteStore, id: string, status: ExecutionStatus, createdAt: number, finishedAt: number | null, parent?: string) {
  const db = store.sqlite;
  db.prepare(
    `INSERT INTO executions (id, flow_id, flow_revision, event_id, source_node_id, dedup_key, alert, status, created_at, updated_at, finished_at, deadline_at, parent_execution_id)
     VALUES (?, 'f1', 1, 'ev', 'src', ?, '{}', ?, ?, ?, ?, ?, ?)`,
  ).run(id, `k-${id}`, status, createdAt, finishedAt ?? createdAt, finishedAt, createdAt + DAY, parent ?? null);
  db.prepare(`INSERT INTO steps (id, execution_id, seq, node_id, node_type, status, created_at) VALUES (?, ?, 1, 'ok', 'approval', 'succeeded', ?)`).run(`st-${id}`, id, createdAt);
  db.prepare(`INSERT INTO approvals (id, execution_id, step_id, node_id, message, status, created_at, deadline_at) VALUES (?, ?, ?, 'ok', 'm', 'approved', ?, ?)`).run(
    `ap-${id}`,
    id,
    `st-${id}`,
    createdAt,
    createdAt + DAY,
  );
  db.prepare(`INSERT INTO approval_decisions (approval_id, decider, decider_name, decision, via, at) VALUES (?, 'user:u1', 'alice', 'approve', 'session', ?)`).run(`ap-${id}`, createdAt);
  db.prepare(`INSERT INTO approval_links (id, execution_id, node_id, approval_id, expires_at, used_at, used_by, used_by_name) VALUES (?, ?, 'ok', ?, ?, ?, 'user:u1', 'alice')`).run(
    `ln-${id}`,
    id,
    `ap-${id}`,
    createdAt + DAY,
    createdAt,
  );
}

function countsOf(store: SqliteStore, id: string) {
  const n = (sql: string, arg: string) => (store.sqlite.prepare(sql).get(arg) as { n: number }).n;
  return {
    executions: n('SELECT count(*) AS n FROM executions WHERE id = ?', id),
    steps: n('SELECT count(*) AS n FROM steps WHERE execution_id = ?', id),
    approvals: n('SELECT count(*) AS n FROM approvals WHERE execution_id = ?', id),
    decisions: n('SELECT count(*) AS n FROM approval_decisions WHERE approval_id = ?', `ap-${id}`),
    links: n('SELECT count(*) AS n FROM approval_links WHERE execution_id = ?', id),
  };
}

const whole = { executions: 1, steps: 1, approvals: 1, decisions: 1, links: 1 };
const gone = { executions: 0, steps: 0, approvals: 0, decisions: 0, links: 0 };

describe('execution retention', () => {
  it('deletes runs that finished before the retention with their steps and approvals; recent and unfinished runs stay', async () => {
    const { store, clock } = testEngine();
    const now = clock.now();
    const old = now - 40 * DAY;
    seedRun(store, 'old-ok', 'succeeded', old, old + 60_000);
    seedRun(store, 'old-failed', 'failed', old, old + 60_000);
    seedRun(store, 'old-cancelled', 'cancelled', old, old + 60_000);
    seedRun(store, 'old-timed-out', 'timed_out', old, null); // ended before finishedAt was recorded: updatedAt counts
    // Unfinished runs stay however old they are.
    seedRun(store, 'old-waiting', 'waiting', old, null);
    seedRun(store, 'old-queued', 'queued', old, null);
    seedRun(store, 'old-running', 'running', old, null);
    // Started long ago but finished within the retention: kept.
    seedRun(store, 'late-finish', 'failed', old, now - 2 * DAY);
    seedRun(store, 'recent', 'succeeded', now - DAY, now - DAY + 1000);
    // A finished parent whose flow.call child still runs is kept (the child reports back to it).
    seedRun(store, 'old-parent', 'needs_attention', old, old + 1000);
    seedRun(store, 'live-child', 'running', old, null, 'old-parent');

    // A run a guard rail held that nobody released goes like a finished one; a recent one stays.
    seedRun(store, 'old-held', 'held', old, null);
    seedRun(store, 'recent-held', 'held', now - 2 * DAY, null);

    const retention = new ExecutionRetention(sqliteStore(store), clock, silent, { days: 30 });
    expect(await retention.runOnce()).toBe(5);
    for (const id of ['old-ok', 'old-failed', 'old-cancelled', 'old-timed-out', 'old-held']) expect(countsOf(store, id), id).toEqual(gone);
    for (const id of ['old-waiting', 'old-queued', 'old-running', 'late-finish', 'recent', 'recent-held', 'old-parent', 'live-child']) expect(countsOf(store, id), id).toEqual(whole);

    // Nothing more until time passes; then the run that finished 2 days ago expires too.
    expect(await retention.runOnce()).toBe(0);
    clock.advance(29 * DAY);
    expect(await retention.runOnce()).toBe(2);
    expect(countsOf(store, 'late-finish')).toEqual(gone);
    expect(countsOf(store, 'recent-held')).toEqual(gone);

    // Once the child has finished, the parent goes (and the child with it: both ended long ago).
    store.sqlite.prepare(`UPDATE executions SET status = 'succeeded', finished_at = ? WHERE id = 'live-child'`).run(old + 2000);
    expect(await retention.runOnce()).toBe(2);
    expect(countsOf(store, 'old-parent')).toEqual(gone);
    expect(executionsRepo.get(store.db, 'old-waiting')).toMatchObject({ status: 'waiting' });
  });

  it('deletes in bounded batches, each its own write, and leaves the rest to the next run', async () => {
    const { store, clock } = testEngine();
    for (let i = 0; i < 9; i++) seedRun(store, `r${i}`, 'succeeded', clock.now() - 60 * DAY + i, clock.now() - 59 * DAY);
    const batches = vi.spyOn(executionsRepo, 'deleteFinishedBefore');
    const retention = new ExecutionRetention(sqliteStore(store), clock, silent, { days: 30, batchSize: 2, maxBatchesPerRun: 3 });
    expect(await retention.runOnce()).toBe(6);
    expect(batches.mock.calls.map((c) => c[2])).toEqual([2, 2, 2]);
    // Oldest first: r0..r5 went.
    expect(countsOf(store, 'r5')).toEqual(gone);
    expect(countsOf(store, 'r6')).toEqual(whole);
    expect(await retention.runOnce()).toBe(3);
    expect(batches.mock.results.slice(3).map((r) => r.value)).toEqual([2, 1]);
    batches.mockRestore();
    expect((store.sqlite.prepare('SELECT count(*) AS n FROM steps').get() as { n: number }).n).toBe(0);
  });
});
