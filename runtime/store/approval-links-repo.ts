import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { approvalLinks } from './schema.js';

export type ApprovalLinkRow = typeof approvalLinks.$inferSelect;

/** Approval links that were used (see schema.ts). */
export const approvalLinksRepo = {
  get(db: Db, id: string): ApprovalLinkRow | undefined {
    return db.select().from(approvalLinks).where(eq(approvalLinks.id, id)).get();
  },

  remove(db: Db, id: string): void {
    db.delete(approvalLinks).where(eq(approvalLinks.id, id)).run();
  },

  /** Records a use; false when the link was already used (nothing is written then). */
  markUsed(db: Db, row: ApprovalLinkRow): boolean {
    return db.insert(approvalLinks).values(row).onConflictDoNothing().run().changes > 0;
  },
};
