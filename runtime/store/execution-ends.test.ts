import { describe, expect, it } from 'vitest';
import { SqliteStore } from './db.js';
import { executionsRepo } from './executions-repo.js';
import { onExecutionEnded } from './execution-ends.js';
import { afterCommit } from './group-commit.js';

const row = (id: string) => ({ id, flowId: 'disk', flowRevision: 1, eventId: 'ev1', sourceNodeId: 'am', dedupKey: id, alert: '{}', status: 'running' as const, createdAt: 1, updatedAt: 1, deadlineAt: 10 });

describe('afterCommit', () => {
  it('runs a write’s effects once it committed, and never those of a write that rolled back', async () => {
    const store = new SqliteStore(':memory:');
    const seen: string[] = [];
    const failed = store.write(() => {
      afterCommit(() => seen.push('rolled back'));
      throw new Error('this write fails');
    });
    const ok = store.write(() => {
      afterCommit(() => seen.push('committed'));
      expect(seen).toEqual([]); // not before the commit
    });
    await expect(failed).rejects.toThrow('this write fails');
    await ok;
    expect(seen).toEqual(['committed']);
    store.close();
  });
});

describe('onExecutionEnded', () => {
  it('tells of runs that reached a final status, once, after the commit; not of other moves or other stores', async () => {
    const store = new SqliteStore(':memory:');
    const other = new SqliteStore(':memory:');
    const ended: string[] = [];
    const stop = onExecutionEnded(store.db, (flow, status) => ended.push(`${flow}:${status}`));
    onExecutionEnded(other.db, () => ended.push('other store'));
    await store.write((db) => {
      executionsRepo.insertIfNew(db, row('a'));
      executionsRepo.insertIfNew(db, row('b'));
    });
    await store.write((db) => executionsRepo.transition(db, 'a', ['running'], { status: 'waiting', updatedAt: 2 }));
    await store.write((db) => executionsRepo.transition(db, 'b', ['running'], { status: 'succeeded', updatedAt: 2 }));
    // Already ended: the transition does not happen, nothing is told.
    await store.write((db) => executionsRepo.transition(db, 'b', ['running'], { status: 'failed', updatedAt: 3 }));
    await expect(
      store.write((db) => {
        executionsRepo.transition(db, 'a', ['waiting'], { status: 'cancelled', updatedAt: 3 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(ended).toEqual(['disk:succeeded']);
    stop();
    await store.write((db) => executionsRepo.transition(db, 'a', ['waiting'], { status: 'cancelled', updatedAt: 4 }));
    expect(ended).toEqual(['disk:succeeded']);
    store.close();
    other.close();
  });
});
