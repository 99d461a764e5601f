import { and, asc, desc, eq, gte, max } from 'drizzle-orm';
import { formatIssues, issuesFromZod } from '../../shared/errors.js';
import { FlowSchema, type Flow } from '../../shared/flow/schema.js';
import { DEFAULT_TEAM_ID } from '../../shared/people.js';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import { flowRevisions, flows } from './schema.js';

export type FlowsTableRow = typeof flows.$inferSelect;

/** A flow's current revision without its document (what the flows list shows). */
export type FlowSummaryRow = Omit<FlowsTableRow, 'document'>;

/** A flow's current revision, its document parsed and checked against the flow schema. */
export type FlowRow = FlowSummaryRow & { flow: Flow };

/**
 * A stored flow document that does not read back as a flow: the database was changed outside
 * Salve or is damaged (every document is validated before it is written).
 */
export class StoredFlowError extends Error {
  constructor(id: string, revision: number, problem: string) {
    super(`stored flow "${id}" revision ${revision} is not a valid flow document: ${problem}`);
    this.name = 'StoredFlowError';
  }
}

/**
 * The one place stored flow documents are parsed: JSON read back from the database is checked
 * with the flow schema here, so the rest of the runtime receives `Flow` objects, never text.
 * Exported for PostgreSQL's reads (pg/tx.ts), which must refuse the same documents.
 */
export function parseStoredDocument(id: string, revision: number, document: string): Flow {
  let json: unknown;
  try {
    json = JSON.parse(document);
  } catch (error) {
    throw new StoredFlowError(id, revision, `not JSON (${(error as Error).message})`);
  }
  const parsed = FlowSchema.safeParse(json);
  if (!parsed.success) throw new StoredFlowError(id, revision, formatIssues(issuesFromZod(parsed.error.issues)));
  return parsed.data;
}

/** A stored row with its document parsed (both engines read flows through it). */
export function toFlowRow({ document, ...row }: FlowsTableRow): FlowRow {
  return { ...row, flow: parseStoredDocument(row.id, row.revision, document) };
}

const summaryColumns = {
  id: flows.id,
  name: flows.name,
  enabled: flows.enabled,
  revision: flows.revision,
  createdAt: flows.createdAt,
  updatedAt: flows.updatedAt,
  teamId: flows.teamId,
};

/**
 * Reads and writes of flows and their revisions. Callers validate documents before writing
 * (validateFlow); reads return parsed flows.
 */
export const flowsRepo = {
  /** Every flow's current revision without its document, ordered by id. */
  list(db: Db): FlowSummaryRow[] {
    return db.select(summaryColumns).from(flows).orderBy(asc(flows.id)).all();
  },

  /** The enabled flows' current revisions, ordered by id (what routes hooks and runs schedules). */
  listEnabled(db: Db): FlowRow[] {
    return db.select().from(flows).where(eq(flows.enabled, true)).orderBy(asc(flows.id)).all().map(toFlowRow);
  },

  /**
   * The disabled flows' current revisions, ordered by id: what the event log names when a
   * delivery finds no enabled flow on its path. One whose document does not read back is left
   * out (it routes nothing either way, and must not stop the enabled ones from routing).
   */
  listDisabled(db: Db): FlowRow[] {
    const out: FlowRow[] = [];
    for (const row of db.select().from(flows).where(eq(flows.enabled, false)).orderBy(asc(flows.id)).all()) {
      try {
        out.push(toFlowRow(row));
      } catch (error) {
        if (!(error instanceof StoredFlowError)) throw error;
      }
    }
    return out;
  },

  get(db: Db, id: string): FlowRow | undefined {
    const row = db.select().from(flows).where(eq(flows.id, id)).get();
    return row && toFlowRow(row);
  },

  /** One flow's current revision without its document (the audit log's before/after). */
  summary(db: Db, id: string): FlowSummaryRow | undefined {
    return db.select(summaryColumns).from(flows).where(eq(flows.id, id)).get();
  },

  /** The team that owns the flow `id` now, or undefined when there is no such flow (every step asks). */
  team(db: Db, id: string): string | undefined {
    return prepared(db).flowTeam.get({ id })?.teamId;
  },

  /** The current revision of `id`, or undefined when there is no such flow. */
  currentRevision(db: Db, id: string): number | undefined {
    return db.select({ revision: flows.revision }).from(flows).where(eq(flows.id, id)).get()?.revision;
  },

  /** The document of one revision (current or past), parsed. */
  getRevision(db: Db, id: string, revision: number): Flow | undefined {
    const document = db
      .select({ document: flowRevisions.document })
      .from(flowRevisions)
      .where(and(eq(flowRevisions.flowId, id), eq(flowRevisions.revision, revision)))
      .get()?.document;
    return document === undefined ? undefined : parseStoredDocument(id, revision, document);
  },

  /** The highest revision ever stored for `id` (0 if none), including those of a deleted flow. */
  lastRevision(db: Db, id: string): number {
    return db.select({ last: max(flowRevisions.revision) }).from(flowRevisions).where(eq(flowRevisions.flowId, id)).get()?.last ?? 0;
  },

  /**
   * Inserts a validated flow whose id is not in use. Its first revision is 1, or, when a flow
   * with this id was deleted, the one after the highest revision kept: past executions keep
   * pointing at the revision they ran, and the new flow's revisions never collide with them.
   */
  insert(db: Db, flow: Flow, now: number, owner: { teamId: string; author: string | null } = { teamId: DEFAULT_TEAM_ID, author: null }): FlowRow {
    const revision = flowsRepo.lastRevision(db, flow.id) + 1;
    const document = JSON.stringify(flow);
    const inserted = db
      .insert(flows)
      .values({ id: flow.id, name: flow.name, enabled: flow.enabled, revision, document, createdAt: now, updatedAt: now, teamId: owner.teamId })
      .returning(summaryColumns)
      .get();
    db.insert(flowRevisions).values({ flowId: flow.id, revision, document, createdAt: now, author: owner.author }).run();
    return { ...inserted, flow };
  },

  /**
   * Writes a validated flow as a new revision if the current one is `expectedRevision`; returns
   * undefined when it is not (a stale write), leaving everything unchanged. The current revision
   * of a flow is always its highest stored one (insert and update keep it so), so the next is free.
   */
  update(db: Db, flow: Flow, expectedRevision: number, now: number, author: string | null = null): FlowRow | undefined {
    const next = expectedRevision + 1;
    const document = JSON.stringify(flow);
    const updated = db
      .update(flows)
      .set({ name: flow.name, enabled: flow.enabled, revision: next, document, updatedAt: now })
      .where(and(eq(flows.id, flow.id), eq(flows.revision, expectedRevision)))
      .returning(summaryColumns)
      .get();
    if (!updated) return undefined;
    db.insert(flowRevisions).values({ flowId: flow.id, revision: next, document, createdAt: now, author }).run();
    return { ...updated, flow };
  },

  /**
   * The revisions of the flow `id` as it exists now, newest first: those saved since it was
   * created (the revisions of an earlier flow deleted under the same id are kept for its past
   * executions but are not this flow's history). `since` is the flow's createdAt. Documents
   * are returned as stored text.
   */
  listRevisions(db: Db, id: string, since: number): { revision: number; createdAt: number; author: string | null; document: string }[] {
    return db
      .select({ revision: flowRevisions.revision, createdAt: flowRevisions.createdAt, author: flowRevisions.author, document: flowRevisions.document })
      .from(flowRevisions)
      .where(and(eq(flowRevisions.flowId, id), gte(flowRevisions.createdAt, since)))
      .orderBy(desc(flowRevisions.revision))
      .all();
  },

  /** Who saved a revision (`user:<id>`, `admin`, or null for revisions from before accounts). */
  revisionAuthor(db: Db, id: string, revision: number): string | null {
    return (
      db
        .select({ author: flowRevisions.author })
        .from(flowRevisions)
        .where(and(eq(flowRevisions.flowId, id), eq(flowRevisions.revision, revision)))
        .get()?.author ?? null
    );
  },

  /** Removes the flow; its revisions stay so past executions can still show what ran. */
  delete(db: Db, id: string): boolean {
    return db.delete(flows).where(eq(flows.id, id)).run().changes > 0;
  },
};
