import { and, asc, eq, max } from 'drizzle-orm';
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

  /** The highest revision ever stored for `id` (0 if none), including those of a deleted flow. */
  lastRevision(db: Db, id: string): number {
    return db.select({ last: max(flowRevisions.revision) }).from(flowRevisions).where(eq(flowRevisions.flowId, id)).get()?.last ?? 0;
  },

  /**
   * Inserts a flow whose id is not in use. Its first revision is 1, or, when a flow with this
   * id was deleted, the one after the highest revision kept: past executions keep pointing at
   * the revision they ran, and the new flow's revisions never collide with them.
   */
  insert(db: Db, row: { id: string; name: string; enabled: boolean; document: string; now: number }): FlowRow {
    const revision = flowsRepo.lastRevision(db, row.id) + 1;
    const inserted = db
      .insert(flows)
      .values({
        id: row.id,
        name: row.name,
        enabled: row.enabled,
        revision,
        document: row.document,
        createdAt: row.now,
        updatedAt: row.now,
      })
      .returning()
      .get();
    db.insert(flowRevisions).values({ flowId: row.id, revision, document: row.document, createdAt: row.now }).run();
    return inserted;
  },

  /**
   * Writes a new revision if the current one is `expectedRevision`; returns undefined when it
   * is not (a stale write), leaving everything unchanged. The current revision of a flow is
   * always its highest stored one (insert and update keep it so), so the next is free.
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
