import { afterEach, describe, expect, it } from 'vitest';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import { SqliteStore } from './db.js';
import { flowsRepo, StoredFlowError } from './flows-repo.js';

const testFlow = (id: string, name = id, enabled = true) =>
  FlowSchema.parse({ format: FLOW_FORMAT, id, name, enabled, nodes: [{ id: 'am', type: 'source.alertmanager', config: { path: id } }] });

describe('flowsRepo', () => {
  let store: SqliteStore;
  afterEach(() => store.close());

  it('starts a new id at revision 1 and reads the flow back parsed', () => {
    store = new SqliteStore(':memory:');
    const flow = testFlow('a');
    expect(store.writeNow((db) => flowsRepo.insert(db, flow, 1)).revision).toBe(1);
    expect(flowsRepo.getRevision(store.db, 'a', 1)).toEqual(flow);
    expect(flowsRepo.get(store.db, 'a')).toMatchObject({ id: 'a', name: 'a', enabled: true, revision: 1, flow });
    expect(flowsRepo.currentRevision(store.db, 'a')).toBe(1);
    expect(flowsRepo.currentRevision(store.db, 'b')).toBeUndefined();
  });

  it('re-inserts a deleted id after its highest kept revision, leaving the old revisions as they were', () => {
    store = new SqliteStore(':memory:');
    store.writeNow((db) => {
      flowsRepo.insert(db, testFlow('a', 'v1'), 1);
      flowsRepo.update(db, testFlow('a', 'v2'), 1, 1);
      flowsRepo.update(db, testFlow('a', 'v3'), 2, 1);
      expect(flowsRepo.delete(db, 'a')).toBe(true);
    });
    const again = store.writeNow((db) => flowsRepo.insert(db, testFlow('a', 'new'), 2));
    expect(again.revision).toBe(4);
    expect(flowsRepo.get(store.db, 'a')?.revision).toBe(4);
    expect([1, 2, 3, 4].map((r) => flowsRepo.getRevision(store.db, 'a', r)?.name)).toEqual(['v1', 'v2', 'v3', 'new']);

    const updated = store.writeNow((db) => flowsRepo.update(db, testFlow('a', 'newer'), 4, 3));
    expect(updated?.revision).toBe(5);
    // A stale revision changes nothing.
    expect(store.writeNow((db) => flowsRepo.update(db, testFlow('a', 'stale'), 4, 4))).toBeUndefined();
    expect(flowsRepo.get(store.db, 'a')?.flow.name).toBe('newer');
    // Other ids are not affected by a's history.
    expect(store.writeNow((db) => flowsRepo.insert(db, testFlow('b'), 1)).revision).toBe(1);
  });

  it('lists summaries without documents, and the enabled flows parsed', () => {
    store = new SqliteStore(':memory:');
    store.writeNow((db) => {
      flowsRepo.insert(db, testFlow('b', 'b', false), 1);
      flowsRepo.insert(db, testFlow('a'), 1);
      flowsRepo.insert(db, testFlow('c'), 1);
    });
    const list = flowsRepo.list(store.db);
    expect(list.map((f) => f.id)).toEqual(['a', 'b', 'c']);
    expect(list[0]).not.toHaveProperty('document');
    expect(flowsRepo.listEnabled(store.db).map((r) => [r.id, r.flow.nodes[0]!.config])).toEqual([
      ['a', { path: 'a' }],
      ['c', { path: 'c' }],
    ]);
  });

  it('refuses a stored document that is not a flow, naming the flow, the revision and the problem', () => {
    store = new SqliteStore(':memory:');
    store.writeNow((db) => {
      flowsRepo.insert(db, testFlow('a'), 1);
      flowsRepo.insert(db, testFlow('b'), 1);
    });
    // As a damaged database or a hand edit would leave them.
    store.sqlite.prepare(`UPDATE flows SET document = '{"format":"salve.flow/v1","id":"a","name":"a","nodes":"none"}' WHERE id = 'a'`).run();
    store.sqlite.prepare(`UPDATE flow_revisions SET document = '{"format":' WHERE flow_id = 'b'`).run();
    expect(() => flowsRepo.get(store.db, 'a')).toThrow(StoredFlowError);
    expect(() => flowsRepo.get(store.db, 'a')).toThrow(/stored flow "a" revision 1 is not a valid flow document: nodes: /);
    expect(() => flowsRepo.listEnabled(store.db)).toThrow(StoredFlowError);
    expect(() => flowsRepo.getRevision(store.db, 'b', 1)).toThrow(/stored flow "b" revision 1 is not a valid flow document: not JSON/);
  });
});
