import { and, desc, eq, exists, gte, inArray, lt, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { EventOutcome } from '../../shared/event-log.js';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import { eventRefs, events } from './schema.js';

export type EventRow = typeof events.$inferSelect;

/** Filters of the event list; times are epoch ms, `until` inclusive; `before` is an id cursor. */
export interface EventFilter {
  limit: number;
  before?: string;
  outcome?: EventOutcome;
  path?: string;
  /** A source type, e.g. `alertmanager`. */
  source?: string;
  /** Events delivered to a path this flow listens on. */
  flowId?: string;
  since?: number;
  until?: number;
  /** Visibility: only events delivered to a path one of these flows listens on (a team's view). */
  visibleFlowIds?: readonly string[];
}

/** The `event_refs` values of an event: what the list can filter on by key. */
export const eventRef = {
  flow: (flowId: string) => `flow:${flowId}`,
  source: (source: string) => `source:${source}`,
};

export const eventsRepo = {
  /** Inserts the event and its filter refs (`eventRef.flow(…)`, `eventRef.source(…)`). */
  insert(db: Db, row: EventRow, refs: readonly string[] = []): void {
    const p = prepared(db);
    p.insertEvent.run(row);
    for (const ref of new Set(refs)) p.insertEventRef.run({ ref, eventId: row.id });
  },

  get(db: Db, id: string): EventRow | undefined {
    return prepared(db).eventById.get({ id });
  },

  /** Newest first. A flow or source filter reads its events from `event_refs` by key. */
  list(db: Db, f: EventFilter): EventRow[] {
    const conds: SQL[] = [];
    if (f.visibleFlowIds) {
      const refs = f.visibleFlowIds.map(eventRef.flow);
      conds.push(exists(db.select({ one: sql`1` }).from(eventRefs).where(and(eq(eventRefs.eventId, events.id), inArray(eventRefs.ref, refs)))));
    }
    if (f.outcome) conds.push(eq(events.outcome, f.outcome));
    if (f.path) conds.push(eq(events.path, f.path));
    if (f.since !== undefined) conds.push(gte(events.receivedAt, f.since));
    if (f.until !== undefined) conds.push(lte(events.receivedAt, f.until));
    const refs = [f.flowId === undefined ? undefined : eventRef.flow(f.flowId), f.source === undefined ? undefined : eventRef.source(f.source)].filter(
      (r): r is string => r !== undefined,
    );
    if (refs.length === 0) {
      if (f.before) conds.push(lt(events.id, f.before));
      return db
        .select()
        .from(events)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(events.id))
        .limit(f.limit)
        .all();
    }
    const [first, ...more] = refs as [string, ...string[]];
    const driver = alias(eventRefs, 'r');
    for (const ref of more) {
      conds.push(exists(db.select({ one: sql`1` }).from(eventRefs).where(and(eq(eventRefs.ref, ref), eq(eventRefs.eventId, events.id)))));
    }
    if (f.before) conds.push(lt(driver.eventId, f.before));
    // CROSS JOIN keeps event_refs the outer loop (SQLite does not reorder it): the key gives the
    // events of one flow or source newest first, and the other filters are checked per row.
    return db
      .select({ event: events })
      .from(driver)
      .crossJoin(events)
      .where(and(eq(driver.ref, first), eq(events.id, driver.eventId), ...conds))
      .orderBy(desc(driver.eventId))
      .limit(f.limit)
      .all()
      .map((r) => r.event);
  },

  /**
   * What a replay reads (runtime/engine/flows/replay.ts): deliveries on `paths` received in
   * [since, until] that got through (accepted, duplicate, ignored), oldest first, at most
   * `limit`; with `visibleFlowIds`, only those delivered to a path one of these flows listens on.
   * `count` says how many there are in all, so a caller can refuse a range that holds too many.
   */
  forReplay(db: Db, f: { paths: readonly string[]; since: number; until: number; limit: number; visibleFlowIds?: readonly string[] }): { rows: EventRow[]; count: number } {
    if (f.paths.length === 0) return { rows: [], count: 0 };
    const conds: SQL[] = [
      inArray(events.path, [...f.paths]),
      inArray(events.outcome, ['accepted', 'duplicate', 'ignored']),
      gte(events.receivedAt, f.since),
      lte(events.receivedAt, f.until),
    ];
    if (f.visibleFlowIds) {
      const refs = f.visibleFlowIds.map(eventRef.flow);
      conds.push(exists(db.select({ one: sql`1` }).from(eventRefs).where(and(eq(eventRefs.eventId, events.id), inArray(eventRefs.ref, refs)))));
    }
    const where = and(...conds);
    const count = db.select({ n: sql<number>`count(*)` }).from(events).where(where).get()?.n ?? 0;
    if (count > f.limit) return { rows: [], count };
    return { rows: db.select().from(events).where(where).orderBy(events.receivedAt, events.id).all(), count };
  },

  /**
   * Whether a delivery with this source delivery id already got through on `path` (accepted,
   * duplicate, ignored or answered as a handshake; refused ones do not count).
   */
  seenDelivery(db: Db, path: string, deliveryId: string): boolean {
    return (
      db
        .select({ id: events.id })
        .from(events)
        .where(and(eq(events.path, path), eq(events.deliveryId, deliveryId), notInArray(events.outcome, ['rejected', 'invalid'])))
        .limit(1)
        .get() !== undefined
    );
  },

  /**
   * Deletes at most `batch` events received before `cutoff` (oldest first), with their refs.
   * Returns how many; the retention job calls it in small batches so no write waits long.
   */
  deleteReceivedBefore(db: Db, cutoff: number, batch: number): number {
    const ids = db
      .select({ id: events.id })
      .from(events)
      .where(lt(events.receivedAt, cutoff))
      .orderBy(events.receivedAt)
      .limit(batch)
      .all()
      .map((r) => r.id);
    if (ids.length === 0) return 0;
    db.delete(eventRefs).where(inArray(eventRefs.eventId, ids)).run();
    db.delete(events).where(inArray(events.id, ids)).run();
    return ids.length;
  },
};
