import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { flowRevisions, flows } from './schema.js';

export type FlowRow = typeof flows.$inferSelect;

/** Reads and writes of flows and their revisions. Callers validate documents first. */
export const flowsRepo = {
  /** Every flow's current revision, ordered by id. */
  list(db: Db): FlowRow[] {
    return db.select().from(flows).orderBy(asc(flows.id)).all();
  },

  get(db: Db, id: string): FlowRow | undefined {
    return db.select().from(flows).where(eq(flows.id, id)).get();
  },

  /** The document of one revision (current or past), as stored JSON. */
  getRevision(db: Db, id: string, revision: number): string | undefined {
    return db
      .select({ document: flowRevisions.document })
      .from(flowRevisions)
      .where(and(eq(flowRevisions.flowId, id), eq(flowRevisions.revision, revision)))
      .get()?.document;
  },

  /** Inserts revision 1 of a new flow. */
  insert(db: Db, row: { id: string; name: string; enabled: boolean; document: string; now: number }): FlowRow {
    const inserted = db
      .insert(flows)
      .values({
        id: row.id,
        name: row.name,
        enabled: row.enabled,
        revision: 1,
        document: row.document,
        createdAt: row.now,
        updatedAt: row.now,
      })
      .returning()
      .get();
    db.insert(flowRevisions).values({ flowId: row.id, revision: 1, document: row.document, createdAt: row.now }).run();
    return inserted;
  },

  /**
   * Writes a new revision if the current one is `expectedRevision`; returns undefined when it
   * is not (a stale write), leaving everything unchanged.
   */
  update(
    db: Db,
    row: { id: string; name: string; enabled: boolean; document: string; expectedRevision: number; now: number },
  ): FlowRow | undefined {
    const next = row.expectedRevision + 1;
    const updated = db
      .update(flows)
      .set({ name: row.name, enabled: row.enabled, revision: next, document: row.document, updatedAt: row.now })
      .where(and(eq(flows.id, row.id), eq(flows.revision, row.expectedRevision)))
      .returning()
      .get();
    if (!updated) return undefined;
    db.insert(flowRevisions).values({ flowId: row.id, revision: next, document: row.document, createdAt: row.now }).run();
    return updated;
  },

  /** Removes the flow; its revisions stay so past executions can still show what ran. */
  delete(db: Db, id: string): boolean {
    return db.delete(flows).where(eq(flows.id, id)).run().changes > 0;
  },
};
