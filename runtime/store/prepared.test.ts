import { eq, getTableColumns } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './db.js';
import { executionsRepo } from './executions-repo.js';
import { flowsRepo } from './flows-repo.js';
import { leasesRepo } from './leases-repo.js';
import { executions, steps } from './schema.js';
import { stepsRepo } from './steps-repo.js';

describe('prepared statements', () => {
  let store: SqliteStore;
  afterEach(() => store.close());

  it('leaves better-sqlite3 as it is: drizzle .prepare() is the one statement cache', () => {
    store = new SqliteStore(':memory:');
    expect(Object.hasOwn(store.sqlite, 'prepare')).toBe(false);
  });

  it('prepares nothing again for the queries every alert and every step run', () => {
    store = new SqliteStore(':memory:');
    const now = 1_700_000_000_000;
    const hotPath = (i: number) =>
      store.writeNow((db) => {
        const id = `ex${i}`;
        executionsRepo.insertIfNew(db, {
          id,
          flowId: 'f',
          flowRevision: 1,
          eventId: 'ev',
          sourceNodeId: 'am',
          dedupKey: id,
          alert: '{}',
          status: 'queued',
          createdAt: now,
          updatedAt: now,
          deadlineAt: now + 60_000,
          fingerprint: id,
        });
        executionsRepo.idByDedupKey(db, 'f', id);
        executionsRepo.countByStatus(db, 'queued');
        executionsRepo.nextQueued(db, 10, new Set());
        executionsRepo.transition(db, id, ['queued'], { status: 'running', leaseOwner: 'me', updatedAt: now });
        executionsRepo.get(db, id);
        leasesRepo.holds(db, id, 'me');
        flowsRepo.team(db, 'f');
        stepsRepo.insert(db, { id: `st${i}`, executionId: id, seq: stepsRepo.nextSeq(db, id), nodeId: 'am', nodeType: 'source.alertmanager', status: 'pending', createdAt: now });
        stepsRepo.transition(db, `st${i}`, ['pending'], { status: 'succeeded', endedAt: now });
        stepsRepo.forExecution(db, id);
      });
    hotPath(0); // builds the prepared statements
    const prepared: string[] = [];
    const prepare = store.sqlite.prepare;
    store.sqlite.prepare = ((source: string) => (prepared.push(source), prepare.call(store.sqlite, source))) as typeof prepare;
    for (let i = 1; i <= 5; i++) hotPath(i);
    store.sqlite.prepare = prepare;
    expect(prepared).toEqual([]);
  });

  it('reads execution and step rows as drizzle maps them, every column set or none', () => {
    store = new SqliteStore(':memory:');
    // A value for every column (by its type), so a column read into the wrong field shows.
    const full = (table: typeof executions | typeof steps, tag: string) =>
      Object.fromEntries(
        Object.entries(getTableColumns(table)).map(([key, column], i) => [
          key,
          key === 'status' ? 'running' : key === 'waitReason' ? 'delay' : column.dataType === 'number' ? 1000 + i : `${tag}-${key}`,
        ]),
      );
    store.writeNow((db) => {
      db.insert(executions).values(full(executions, 'e') as typeof executions.$inferInsert).run();
      db.insert(steps).values({ ...full(steps, 's'), executionId: 'e-id' } as typeof steps.$inferInsert).run();
      executionsRepo.insertIfNew(db, { id: 'sparse', flowId: 'f', flowRevision: 1, eventId: 'ev', sourceNodeId: 'am', dedupKey: 'd', alert: '{}', status: 'queued', createdAt: 1, updatedAt: 1, deadlineAt: 1, fingerprint: '' });
      stepsRepo.insert(db, { id: 'st', executionId: 'sparse', seq: 1, nodeId: 'am', nodeType: 'source.alertmanager', status: 'pending', createdAt: 1 });
    });
    const db = store.db;
    for (const id of ['e-id', 'sparse']) {
      expect(executionsRepo.get(db, id)).toStrictEqual(db.select().from(executions).where(eq(executions.id, id)).get());
      expect(stepsRepo.forExecution(db, id)).toStrictEqual(db.select().from(steps).where(eq(steps.executionId, id)).all());
    }
    expect(stepsRepo.forExecution(db, 'e-id')[0]).toMatchObject({ id: 's-id', nodeType: 's-nodeType', status: 'running' });
    expect(executionsRepo.get(db, 'nope')).toBeUndefined();
  });

  it('lists queued runs oldest first (as inserted), without those excluded, up to the limit', () => {
    store = new SqliteStore(':memory:');
    store.writeNow((db) => {
      // Ids out of insertion order: the queue follows the order runs were queued in.
      for (const [id, status] of [['e3', 'queued'], ['e1', 'running'], ['e2', 'queued'], ['e0', 'queued'], ['e4', 'queued']] as const) {
        executionsRepo.insertIfNew(db, { id, flowId: 'f', flowRevision: 1, eventId: 'ev', sourceNodeId: 'am', dedupKey: id, alert: '{}', status, createdAt: 1, updatedAt: 1, deadlineAt: 1, fingerprint: '' });
      }
    });
    expect(executionsRepo.nextQueued(store.db, 10, new Set())).toEqual(['e3', 'e2', 'e0', 'e4']);
    expect(executionsRepo.nextQueued(store.db, 2, new Set(['e3']))).toEqual(['e2', 'e0']);
    store.writeNow((db) => executionsRepo.transition(db, 'e1', ['running'], { status: 'queued', updatedAt: 2 }));
    expect(executionsRepo.nextQueued(store.db, 2, new Set())).toEqual(['e3', 'e1']);
  });

  it('answers the lease fence and the queue count correctly from the prepared statements', () => {
    store = new SqliteStore(':memory:');
    const now = 1;
    store.writeNow((db) => {
      for (const id of ['e0', 'e1', 'e2']) {
        executionsRepo.insertIfNew(db, { id, flowId: 'f', flowRevision: 1, eventId: 'ev', sourceNodeId: 'am', dedupKey: id, alert: '{}', status: 'queued', createdAt: now, updatedAt: now, deadlineAt: now, fingerprint: '' });
      }
      executionsRepo.transition(db, 'e0', ['queued'], { status: 'running', leaseOwner: 'me', updatedAt: now });
    });
    expect([executionsRepo.countByStatus(store.db, 'queued'), executionsRepo.countByStatus(store.db, 'running'), executionsRepo.countByStatus(store.db, 'failed')]).toEqual([2, 1, 0]);
    expect([leasesRepo.holds(store.db, 'e0', 'me'), leasesRepo.holds(store.db, 'e0', 'other'), leasesRepo.holds(store.db, 'nope', 'me')]).toEqual([true, false, false]);
  });
});
