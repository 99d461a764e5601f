import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOutcome } from '../../shared/event-log.js';
import { SqliteStore } from './db.js';
import { eventRef, eventsRepo } from './events-repo.js';
import { executionsRepo } from './executions-repo.js';
import { eventRow } from '../../test/kit/rows.js';

const T0 = Date.parse('2026-11-24T00:00:00Z');


const execution = (id: string, flowId: string, fingerprint: string, eventId = 'ev_x') => ({
  id,
  flowId,
  flowRevision: 1,
  eventId,
  sourceNodeId: 'am',
  dedupKey: `${id}-key`,
  fingerprint,
  alert: JSON.stringify({ fingerprint }),
  status: 'queued' as const,
  createdAt: T0,
  updatedAt: T0,
  deadlineAt: T0 + 1000,
});

describe('eventsRepo (on the committed migrations)', () => {
  const stores: SqliteStore[] = [];
  const open = () => {
    const s = new SqliteStore(':memory:');
    stores.push(s);
    return s;
  };
  afterEach(() => stores.splice(0).forEach((s) => s.close()));

  /** Six events, one a minute: two paths, two flows, two sources, every outcome. */
  function seed(store: SqliteStore) {
    const specs: [string, EventOutcome, string[], number][] = [
      ['infra', 'accepted', ['flow:disk', 'source:alertmanager'], 0],
      ['infra', 'duplicate', ['flow:disk', 'source:alertmanager'], 1],
      ['infra', 'ignored', ['flow:disk', 'source:alertmanager'], 2],
      ['pd', 'rejected', ['flow:pager', 'source:pagerduty'], 3],
      ['pd', 'invalid', ['flow:pager', 'source:pagerduty'], 4],
      ['shared', 'handshake', ['flow:disk', 'flow:pager', 'source:alertmanager', 'source:webhook'], 5],
    ];
    const ids: string[] = [];
    store.writeNow((db) => {
      for (const [path, outcome, refs, minute] of specs) {
        const row = eventRow({ path, outcome, receivedAt: T0 + minute * 60_000, bodyTruncated: outcome === 'rejected' });
        eventsRepo.insert(db, row, refs);
        ids.push(row.id);
      }
    });
    return ids;
  }

  it('stores every column and reads booleans and JSON back as written', () => {
    const store = open();
    const row = eventRow({ receivedAt: T0, outcome: 'rejected', httpStatus: 401, bodyTruncated: true, bodyBytes: 9000, reason: 'authentication failed', suppressedBefore: 3 });
    store.writeNow((db) => eventsRepo.insert(db, row, [eventRef.flow('f'), eventRef.flow('f')]));
    expect(eventsRepo.get(store.db, row.id)).toEqual(row);
  });

  it('lists newest first and filters on outcome, path, source, flow, time and cursor', () => {
    const store = open();
    const ids = seed(store);
    const list = (f: Parameters<typeof eventsRepo.list>[1]) => eventsRepo.list(store.db, f).map((e) => ids.indexOf(e.id));
    expect(list({ limit: 50 })).toEqual([5, 4, 3, 2, 1, 0]);
    expect(list({ limit: 50, outcome: 'duplicate' })).toEqual([1]);
    expect(list({ limit: 50, path: 'pd' })).toEqual([4, 3]);
    expect(list({ limit: 50, source: 'alertmanager' })).toEqual([5, 2, 1, 0]);
    expect(list({ limit: 50, source: 'webhook' })).toEqual([5]);
    expect(list({ limit: 50, flowId: 'pager' })).toEqual([5, 4, 3]);
    expect(list({ limit: 50, flowId: 'pager', source: 'pagerduty' })).toEqual([4, 3]);
    expect(list({ limit: 50, flowId: 'disk', outcome: 'ignored' })).toEqual([2]);
    expect(list({ limit: 50, since: T0 + 60_000, until: T0 + 3 * 60_000 })).toEqual([3, 2, 1]);
    expect(list({ limit: 50, flowId: 'nobody' })).toEqual([]);
    // Pages by id, with and without a ref filter.
    expect(list({ limit: 2 })).toEqual([5, 4]);
    expect(list({ limit: 2, before: ids[4] })).toEqual([3, 2]);
    expect(list({ limit: 2, flowId: 'disk', before: ids[5] })).toEqual([2, 1]);
  });

  it('reads a flow or source filter from the event_refs key, not by scanning events', () => {
    const store = open();
    seed(store);
    const seen: string[] = [];
    const prepare = store.sqlite.prepare.bind(store.sqlite);
    store.sqlite.prepare = ((source: string) => (seen.push(source), prepare(source))) as typeof store.sqlite.prepare;
    eventsRepo.list(store.db, { limit: 50, flowId: 'disk', source: 'alertmanager', outcome: 'accepted', before: 'ev_z' });
    store.sqlite.prepare = prepare;
    const query = seen.find((q) => q.includes('event_refs'))!;
    // EXPLAIN does not run the query: any parameter values will do.
    const params = Array.from({ length: (query.match(/\?/g) ?? []).length }, () => 'x');
    const plan = (store.sqlite.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH r USING (COVERING )?INDEX sqlite_autoindex_event_refs_1 \(ref=\? AND event_id<\?\)/);
    expect(plan).not.toMatch(/SCAN/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('knows a delivery id seen on a path, ignoring refused deliveries and other paths', () => {
    const store = open();
    store.writeNow((db) => {
      eventsRepo.insert(db, eventRow({ receivedAt: T0, deliveryId: 'd-1' }));
      eventsRepo.insert(db, eventRow({ receivedAt: T0, deliveryId: 'd-2', outcome: 'rejected' }));
    });
    expect(eventsRepo.seenDelivery(store.db, 'infra', 'd-1')).toBe(true);
    expect(eventsRepo.seenDelivery(store.db, 'other', 'd-1')).toBe(false);
    expect(eventsRepo.seenDelivery(store.db, 'infra', 'd-2')).toBe(false);
  });

  it('deletes events received before a cutoff, oldest first, a batch at a time, with their refs', () => {
    const store = open();
    const ids = seed(store);
    const cutoff = T0 + 4 * 60_000; // the first four are older
    expect(store.writeNow((db) => eventsRepo.deleteReceivedBefore(db, cutoff, 3))).toBe(3);
    expect(eventsRepo.list(store.db, { limit: 50 }).map((e) => ids.indexOf(e.id))).toEqual([5, 4, 3]);
    expect(store.writeNow((db) => eventsRepo.deleteReceivedBefore(db, cutoff, 3))).toBe(1);
    expect(store.writeNow((db) => eventsRepo.deleteReceivedBefore(db, cutoff, 3))).toBe(0);
    const refs = store.sqlite.prepare('SELECT event_id FROM event_refs').all() as { event_id: string }[];
    expect(new Set(refs.map((r) => r.event_id))).toEqual(new Set([ids[4], ids[5]]));
  });
});

describe('executionsRepo: fingerprint and resolution', () => {
  it('marks the runs of one flow with the fingerprint once, and finds the run of a dedup key', () => {
    const store = new SqliteStore(':memory:');
    store.writeNow((db) => {
      executionsRepo.insertIfNew(db, execution('ex_1', 'disk', 'fp-a'));
      executionsRepo.insertIfNew(db, execution('ex_2', 'disk', 'fp-a'));
      executionsRepo.insertIfNew(db, execution('ex_3', 'disk', 'fp-b'));
      executionsRepo.insertIfNew(db, execution('ex_4', 'other', 'fp-a'));
    });
    const first = store.writeNow((db) => executionsRepo.markAlertResolved(db, 'disk', 'fp-a', T0 + 5000));
    expect(first.sort()).toEqual(['ex_1', 'ex_2']);
    expect(store.writeNow((db) => executionsRepo.markAlertResolved(db, 'disk', 'fp-a', T0 + 9000))).toEqual([]);
    expect(executionsRepo.get(store.db, 'ex_1')!.alertResolvedAt).toBe(T0 + 5000);
    expect(executionsRepo.get(store.db, 'ex_3')!.alertResolvedAt).toBeNull();
    expect(executionsRepo.get(store.db, 'ex_4')!.alertResolvedAt).toBeNull();
    // An empty fingerprint never links anything.
    expect(store.writeNow((db) => executionsRepo.markAlertResolved(db, 'disk', '', T0))).toEqual([]);
    expect(executionsRepo.idByDedupKey(store.db, 'disk', 'ex_2-key')).toBe('ex_2');
    expect(executionsRepo.idByDedupKey(store.db, 'other', 'ex_2-key')).toBeUndefined();
    const plan = (store.sqlite.prepare("EXPLAIN QUERY PLAN UPDATE executions SET alert_resolved_at = 1 WHERE flow_id = 'disk' AND fingerprint = 'fp-a' AND alert_resolved_at IS NULL").all() as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/executions_fingerprint_idx/);
    store.close();
  });
});

describe('migration 0004 (event log)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('keeps events and executions written before it, with outcomes, fingerprints and flow refs derived', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'salve-migrate-'));
    dirs.push(dir);
    // The migrations as they were before 0004.
    const before = join(dir, 'before');
    cpSync(join(here, 'migrations'), before, { recursive: true });
    const journalFile = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0004');
    writeFileSync(journalFile, JSON.stringify(journal));

    const file = join(dir, 'salve.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: before });
    old.exec(`INSERT INTO events (id, received_at, path, headers, body, alert_count, execution_count, duplicate_count) VALUES
      ('ev_0000000001a', ${T0}, 'infra', '{}', '{"alerts":[]}', 1, 1, 0),
      ('ev_0000000002a', ${T0}, 'infra', '{}', 'é', 1, 0, 1),
      ('ev_0000000003a', ${T0}, 'infra', '{}', '{}', 1, 0, 0)`);
    old.exec(`INSERT INTO executions (id, flow_id, flow_revision, event_id, source_node_id, dedup_key, alert, status, created_at, updated_at, deadline_at)
      VALUES ('ex_old', 'disk', 1, 'ev_0000000001a', 'am', 'k', '{"fingerprint":"fp-old","name":"DiskFull"}', 'succeeded', ${T0}, ${T0}, ${T0})`);
    old.close();

    const store = new SqliteStore(file);
    const events = eventsRepo.list(store.db, { limit: 10 });
    expect(events.map((e) => [e.id, e.outcome, e.bodyBytes, e.httpStatus, e.bodyTruncated])).toEqual([
      ['ev_0000000003a', 'ignored', 2, 202, false],
      ['ev_0000000002a', 'duplicate', 2, 202, false],
      ['ev_0000000001a', 'accepted', 13, 202, false],
    ]);
    expect(eventsRepo.list(store.db, { limit: 10, flowId: 'disk' }).map((e) => e.id)).toEqual(['ev_0000000001a']);
    const exec = executionsRepo.get(store.db, 'ex_old')!;
    expect(exec.fingerprint).toBe('fp-old');
    expect(exec.alertResolvedAt).toBeNull();
    store.close();
  });
});
