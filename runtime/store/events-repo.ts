import { desc, lt } from 'drizzle-orm';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import { events } from './schema.js';

export type EventRow = typeof events.$inferSelect;

export const eventsRepo = {
  insert(db: Db, row: EventRow): void {
    prepared(db).insertEvent.run(row);
  },

  get(db: Db, id: string): EventRow | undefined {
    return prepared(db).eventById.get({ id });
  },

  /** Newest first; `before` is an id cursor from a previous page. */
  list(db: Db, opts: { limit: number; before?: string }): EventRow[] {
    const q = db.select().from(events);
    const filtered = opts.before ? q.where(lt(events.id, opts.before)) : q;
    return filtered.orderBy(desc(events.id)).limit(opts.limit).all();
  },
};
