import { desc, eq, lt } from 'drizzle-orm';
import type { Db } from './db.js';
import { events } from './schema.js';

export type EventRow = typeof events.$inferSelect;

export const eventsRepo = {
  insert(db: Db, row: EventRow): void {
    db.insert(events).values(row).run();
  },

  get(db: Db, id: string): EventRow | undefined {
    return db.select().from(events).where(eq(events.id, id)).get();
  },

  /** Newest first; `before` is an id cursor from a previous page. */
  list(db: Db, opts: { limit: number; before?: string }): EventRow[] {
    const q = db.select().from(events);
    const filtered = opts.before ? q.where(lt(events.id, opts.before)) : q;
    return filtered.orderBy(desc(events.id)).limit(opts.limit).all();
  },
};
