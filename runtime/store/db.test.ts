import { describe, expect, it } from 'vitest';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import { appendAudit } from './audit-repo.js';
import { SqliteStore } from './db.js';
import { flowsRepo } from './flows-repo.js';
import { newId } from './ids.js';

const testFlow = (id: string) => FlowSchema.parse({ format: FLOW_FORMAT, id, name: id, enabled: true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });

describe('SqliteStore', () => {
  it('commits the writes of one event-loop turn together (group commit)', async () => {
    const store = new SqliteStore(':memory:');
    const before = store.stats.commits;
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.write((db) => flowsRepo.insert(db, testFlow(`f${i}`), 1))));
    expect(store.stats.commits - before).toBe(1);
    expect(flowsRepo.list(store.db)).toHaveLength(50);
    store.close();
  });

  it('rolls back a failing write alone; the others in its batch commit', async () => {
    const store = new SqliteStore(':memory:');
    const results = await Promise.allSettled([
      store.write((db) => flowsRepo.insert(db, testFlow('a'), 1)),
      store.write((db) => {
        flowsRepo.insert(db, testFlow('half-written'), 1);
        throw new Error('boom after a partial write');
      }),
      store.write((db) => flowsRepo.insert(db, testFlow('b'), 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(flowsRepo.list(store.db).map((f) => f.id)).toEqual(['a', 'b']);
    store.close();
  });

  it('keeps the audit log append-only', async () => {
    const store = new SqliteStore(':memory:');
    await store.write((db) => appendAudit(db, { actor: { name: 'alice', via: 'token' }, action: 'flow.create', target: 'x', now: 1 }));
    expect(() => store.sqlite.exec("UPDATE audit SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => store.sqlite.exec('DELETE FROM audit')).toThrow(/append-only/);
    expect(store.sqlite.prepare('SELECT actor FROM audit').all()).toEqual([{ actor: 'alice' }]);
    store.close();
  });

  it('runs in WAL mode with synchronous=FULL', () => {
    const store = new SqliteStore(':memory:');
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    store.close();
  });
});

describe('newId', () => {
  it('sorts by creation time and does not repeat', () => {
    const ids = [newId('ex', 1000), newId('ex', 2000), newId('ex', 3000)];
    expect([...ids].sort()).toEqual(ids);
    const many = new Set(Array.from({ length: 10000 }, () => newId('ex')));
    expect(many.size).toBe(10000);
  });
});
