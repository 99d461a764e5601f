import { describe, expect, it } from 'vitest';
import { SqliteStore } from './db.js';
import { flowsRepo } from './flows-repo.js';

const row = (id: string, document = '{}', now = 1) => ({ id, name: id, enabled: true, document, now });

describe('flowsRepo', () => {
  it('starts a new id at revision 1', () => {
    const store = new SqliteStore(':memory:');
    expect(store.writeNow((db) => flowsRepo.insert(db, row('a'))).revision).toBe(1);
    expect(flowsRepo.getRevision(store.db, 'a', 1)).toBe('{}');
    store.close();
  });

  it('re-inserts a deleted id after its highest kept revision, leaving the old revisions as they were', () => {
    const store = new SqliteStore(':memory:');
    store.writeNow((db) => {
      flowsRepo.insert(db, row('a', '{"v":1}'));
      flowsRepo.update(db, { ...row('a', '{"v":2}'), expectedRevision: 1 });
      flowsRepo.update(db, { ...row('a', '{"v":3}'), expectedRevision: 2 });
      expect(flowsRepo.delete(db, 'a')).toBe(true);
    });
    const again = store.writeNow((db) => flowsRepo.insert(db, row('a', '{"v":"new"}', 2)));
    expect(again.revision).toBe(4);
    expect(flowsRepo.get(store.db, 'a')?.revision).toBe(4);
    expect([1, 2, 3, 4].map((r) => flowsRepo.getRevision(store.db, 'a', r))).toEqual(['{"v":1}', '{"v":2}', '{"v":3}', '{"v":"new"}']);

    const updated = store.writeNow((db) => flowsRepo.update(db, { ...row('a', '{"v":"newer"}'), expectedRevision: 4 }));
    expect(updated?.revision).toBe(5);
    // Other ids are not affected by a's history.
    expect(store.writeNow((db) => flowsRepo.insert(db, row('b'))).revision).toBe(1);
    store.close();
  });
});
