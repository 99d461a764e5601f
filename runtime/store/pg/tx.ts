import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, max, notExists, notInArray, or, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { alias } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { ConflictError } from '../../../shared/errors.js';
import { ACTIVE_EXECUTION_STATUSES, TERMINAL_EXECUTION_STATUSES } from '../../../shared/statuses.js';
import type { ApprovalDecisionRow } from '../approvals-repo.js';
import { newExecutionValues } from '../executions-repo.js';
import { parseStoredDocument, StoredFlowError, toFlowRow, type FlowRow } from '../flows-repo.js';
import { newStepValues } from '../steps-repo.js';
import type { StoreTx } from '../tx.js';
import { appendAuditPostgres } from './audit-append.js';
import type { RunQueue } from './run-queue.js';
import * as schema from './schema.js';

const { approvalDecisions, approvalLinks, approvals, eventRefs, events, executions, flowBreakers, flowRevisions, flows, memberships, scheduleTicks, settings, steps, users } = schema;

type PgDb = NodePgDatabase<typeof schema>;

/** Not a held run that stayed held (or was cancelled while held): it counts against the limits (as executions-repo.ts). */
const admitted = or(isNull(executions.heldAt), isNotNull(executions.releasedAt));

/** One schedule's rows (schedule-ticks-repo.ts `of`). */
const ofSchedule = (flowId: string, nodeId: string) => and(eq(scheduleTicks.flowId, flowId), eq(scheduleTicks.nodeId, nodeId));

/**
 * A schedule's turn (scheduleTicks.lock): a transaction-level advisory lock, released by COMMIT or
 * ROLLBACK, on a 64-bit hash of the JSON array [flow, node] (no two pairs give the same text, as a
 * plain concatenation could). The hash is passed as the two-int4 form of the lock, whose key
 * space PostgreSQL keeps apart from the single-bigint one that the audit chain
 * (audit-append.ts), the migrations (migrate.ts) and pg-boss lock in: a schedule's turn never
 * waits on those, nor they on it. Two schedules whose hashes collide only take turns needlessly.
 */
const SCHEDULE_LOCK_SQL = 'select pg_advisory_xact_lock((h >> 32)::int4, h::bit(32)::int4) from (select hashtextextended($1, 0) as h) as k';

/** A flow's current revision without its document (flows-repo.ts `summaryColumns`). */
const flowSummaryColumns = {
  id: flows.id,
  name: flows.name,
  enabled: flows.enabled,
  revision: flows.revision,
  createdAt: flows.createdAt,
  updatedAt: flows.updatedAt,
  teamId: flows.teamId,
};

/**
 * Flows ordered by id as SQLite orders them: its text compares bytes (BINARY), while a database
 * created with a locale such as en_US.UTF-8 compares linguistically (it skips '-' at first, putting
 * 'ab' before 'a-z', and mixes capitals in). "C" compares bytes, which for UTF-8 is the same order.
 */
const byFlowId = sql`${flows.id} collate "C"`;

/** A transition's changes without its undefined keys: those columns keep their value (null clears one), as SQLite's preparedTransition. */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The PostgreSQL side of StoreTx (runtime/store/tx.ts): the same operations as SQLite's repos,
 * on a client inside a PostgresPool transaction. Each query mirrors the SQLite repo method of the
 * same name; test/postgres/tx-contract.test.ts holds both to the same answers.
 *
 * Where SQLite's executions table is itself the queue, PostgreSQL's processes take runs from
 * `queue` (pg-boss): a run inserted `queued` gets its job here, in the same transaction.
 */
export function pgTx(client: pg.PoolClient, queue: RunQueue): StoreTx {
  const db: PgDb = drizzle(client, { schema });
  return {
    engine: 'postgres',
    events: {
      async insert(row, refs = []) {
        await db.insert(events).values(row);
        const unique = [...new Set(refs)];
        if (unique.length > 0) await db.insert(eventRefs).values(unique.map((ref) => ({ ref, eventId: row.id }))).onConflictDoNothing();
      },
      async seenDelivery(path, deliveryId) {
        const rows = await db
          .select({ id: events.id })
          .from(events)
          .where(and(eq(events.path, path), eq(events.deliveryId, deliveryId), notInArray(events.outcome, ['rejected', 'invalid'])))
          .limit(1);
        return rows.length > 0;
      },
      async body(id) {
        const rows = await db.select({ body: events.body }).from(events).where(eq(events.id, id));
        return rows[0]?.body;
      },
      async deleteReceivedBefore(cutoff, batch) {
        // Retention may run on several processes at once: SKIP LOCKED leaves the events another
        // one is deleting to it, and the count is what this delete removed.
        const ids = (
          await db
            .select({ id: events.id })
            .from(events)
            .where(lt(events.receivedAt, cutoff))
            .orderBy(asc(events.receivedAt), asc(events.id))
            .limit(batch)
            .for('update', { skipLocked: true })
        ).map((r) => r.id);
        if (ids.length === 0) return 0;
        await db.delete(eventRefs).where(inArray(eventRefs.eventId, ids));
        const deleted = await db.delete(events).where(inArray(events.id, ids)).returning({ id: events.id });
        return deleted.length;
      },
    },
    executions: {
      async insertIfNew(row) {
        const inserted = await db
          .insert(executions)
          .values(newExecutionValues(row))
          .onConflictDoNothing()
          .returning({ id: executions.id });
        if (inserted.length > 0 && row.status === 'queued') await queue.enqueue(client, [row.id]);
        return inserted.length > 0;
      },
      async idByDedupKey(flowId, dedupKey) {
        const rows = await db
          .select({ id: executions.id })
          .from(executions)
          .where(and(eq(executions.flowId, flowId), eq(executions.dedupKey, dedupKey)));
        return rows[0]?.id;
      },
      async latestAlertRuns(flowId, fingerprint, limit) {
        if (fingerprint === '') return [];
        return db
          .select()
          .from(executions)
          .where(and(eq(executions.flowId, flowId), eq(executions.fingerprint, fingerprint), isNull(executions.startedBy), isNull(executions.parentExecutionId)))
          .orderBy(desc(executions.createdAt), desc(executions.id))
          .limit(limit);
      },
      async markAlertResolved(flowId, fingerprint, at) {
        if (fingerprint === '') return [];
        const rows = await db
          .update(executions)
          .set({ alertResolvedAt: at })
          .where(and(eq(executions.flowId, flowId), eq(executions.fingerprint, fingerprint), isNull(executions.alertResolvedAt)))
          .returning({ id: executions.id });
        return rows.map((r) => r.id);
      },
      async countAdmittedSince(flowId, since) {
        const rows = await db
          .select({ n: count() })
          .from(executions)
          .where(and(eq(executions.flowId, flowId), gte(executions.createdAt, since), admitted));
        return rows[0]?.n ?? 0;
      },
      async lastAdmittedForTarget(flowId, targetKey, since) {
        const rows = await db
          .select({ id: executions.id, createdAt: executions.createdAt })
          .from(executions)
          .where(and(eq(executions.flowId, flowId), eq(executions.targetKey, targetKey), gte(executions.createdAt, since), admitted))
          .orderBy(desc(executions.createdAt))
          .limit(1);
        return rows[0];
      },
      async countActiveForTarget(flowId, targetKey) {
        const rows = await db
          .select({ n: count() })
          .from(executions)
          .where(and(eq(executions.flowId, flowId), eq(executions.targetKey, targetKey), inArray(executions.status, [...ACTIVE_EXECUTION_STATUSES])));
        return rows[0]?.n ?? 0;
      },
      async targetsSince(flowId, since, limit) {
        const rows = await db
          .selectDistinct({ key: executions.targetKey })
          .from(executions)
          .where(and(eq(executions.flowId, flowId), gte(executions.createdAt, since), isNotNull(executions.targetKey), admitted))
          .limit(limit);
        return rows.map((r) => r.key!);
      },
      async countByStatus(status) {
        const rows = await db.select({ n: count() }).from(executions).where(eq(executions.status, status));
        return rows[0]?.n ?? 0;
      },
      async get(id) {
        const rows = await db.select().from(executions).where(eq(executions.id, id));
        return rows[0];
      },
      async transition(id, from, changes) {
        const moved = await db
          .update(executions)
          .set(definedOnly(changes))
          .where(and(eq(executions.id, id), inArray(executions.status, [...from])))
          .returning({ id: executions.id });
        if (moved.length > 0 && changes.status === 'queued') await queue.enqueue(client, [id]);
        // SQLite also tells the metrics listeners of runs ending or held; PostgreSQL has none yet.
        return moved.length > 0;
      },
      async children(parentId) {
        return db.select().from(executions).where(eq(executions.parentExecutionId, parentId)).orderBy(asc(executions.id));
      },
      async endedSince(flowId, statuses, since) {
        const rows = await db
          .select({ id: executions.id, status: executions.status, finishedAt: executions.finishedAt })
          .from(executions)
          .where(and(eq(executions.flowId, flowId), gte(executions.finishedAt, since), inArray(executions.status, [...statuses])))
          .orderBy(asc(executions.finishedAt));
        return rows.map((r) => ({ id: r.id, status: r.status, finishedAt: r.finishedAt! }));
      },
      async withStatus(status) {
        return db.select().from(executions).where(eq(executions.status, status));
      },
      async nextQueued(limit, exclude) {
        // No rowid: oldest by creation time (executions_status_idx is (status, created_at)), id breaks ties.
        const rows = await db
          .select({ id: executions.id })
          .from(executions)
          .where(eq(executions.status, 'queued'))
          .orderBy(asc(executions.createdAt), asc(executions.id))
          .limit(limit + exclude.size);
        return rows.map((r) => r.id).filter((id) => !exclude.has(id)).slice(0, limit);
      },
      async pastDeadline(now) {
        return (
          db
            .select()
            .from(executions)
            // The partial executions_deadline_idx's condition, literally, so the planner can use it.
            .where(and(sql`${executions.status} in ('running', 'waiting', 'queued') and ${executions.waitStartedAt} is null`, lte(executions.deadlineAt, now)))
        );
      },
      async release(id, by, comment, now, deadlineAt) {
        const released = await db
          .update(executions)
          .set({ status: 'queued', releasedBy: by, releasedAt: now, releasedComment: comment, updatedAt: now, deadlineAt })
          .where(and(eq(executions.id, id), eq(executions.status, 'held')))
          .returning({ id: executions.id });
        if (released.length > 0) await queue.enqueue(client, [id]);
        return released.length > 0;
      },
      async deleteFinishedBefore(cutoff, batch) {
        const child = alias(executions, 'child');
        // Retention may run on several processes at once: FOR UPDATE SKIP LOCKED locks the runs
        // picked here until commit and leaves those another process picked to it, so no run is
        // deleted twice; the count is what the executions delete actually removed.
        const ids = (
          await db
            .select({ id: executions.id })
            .from(executions)
            .where(
              and(
                // created_at is indexed and never later than the end: it narrows the scan first.
                lt(executions.createdAt, cutoff),
                lt(sql`coalesce(${executions.finishedAt}, ${executions.updatedAt})`, cutoff),
                // A held run never released is deleted like a finished one: nobody acted on it in time.
                inArray(executions.status, [...TERMINAL_EXECUTION_STATUSES, 'held']),
                notExists(
                  db
                    .select({ one: sql`1` })
                    .from(child)
                    .where(and(eq(child.parentExecutionId, executions.id), inArray(child.status, [...ACTIVE_EXECUTION_STATUSES]))),
                ),
              ),
            )
            // The id breaks ties of creation time (SQLite: the scan's order).
            .orderBy(asc(executions.createdAt), asc(executions.id))
            .limit(batch)
            .for('update', { of: executions, skipLocked: true })
        ).map((r) => r.id);
        if (ids.length === 0) return 0;
        // Approvals are found through their step (approvals_step_idx), decisions through their approval.
        const stepIds = db.select({ id: steps.id }).from(steps).where(inArray(steps.executionId, ids));
        const approvalIds = db.select({ id: approvals.id }).from(approvals).where(inArray(approvals.stepId, stepIds));
        await db.delete(approvalDecisions).where(inArray(approvalDecisions.approvalId, approvalIds));
        await db.delete(approvalLinks).where(inArray(approvalLinks.executionId, ids));
        await db.delete(approvals).where(inArray(approvals.stepId, stepIds));
        await db.delete(steps).where(inArray(steps.executionId, ids));
        const deleted = await db.delete(executions).where(inArray(executions.id, ids)).returning({ id: executions.id });
        return deleted.length;
      },
    },
    steps: {
      async wakeWaiting(executionIds, reason, now) {
        if (executionIds.length === 0) return 0;
        const rows = await db
          .update(steps)
          .set({ wakeAt: now })
          .where(and(inArray(steps.executionId, [...executionIds]), eq(steps.status, 'waiting'), eq(steps.waitReason, reason)))
          .returning({ id: steps.id });
        return rows.length;
      },
      async insert(row) {
        await db.insert(steps).values(newStepValues(row));
      },
      async nextSeq(executionId) {
        const rows = await db.select({ m: max(steps.seq) }).from(steps).where(eq(steps.executionId, executionId));
        return (rows[0]?.m ?? 0) + 1;
      },
      async forExecution(executionId) {
        return db.select().from(steps).where(eq(steps.executionId, executionId)).orderBy(asc(steps.seq));
      },
      async get(id) {
        const rows = await db.select().from(steps).where(eq(steps.id, id));
        return rows[0];
      },
      async transition(id, from, changes) {
        const moved = await db
          .update(steps)
          .set(definedOnly(changes))
          .where(and(eq(steps.id, id), inArray(steps.status, [...from])))
          .returning({ id: steps.id });
        return moved.length > 0;
      },
      async cancelOpen(executionId, now) {
        await db
          .update(steps)
          .set({ status: 'cancelled', endedAt: now })
          .where(and(eq(steps.executionId, executionId), inArray(steps.status, ['pending', 'waiting'])));
      },
      async withStatus(status) {
        return db.select().from(steps).where(eq(steps.status, status));
      },
      async due(now, limit) {
        return db
          .select()
          .from(steps)
          .where(and(eq(steps.status, 'waiting'), lte(steps.wakeAt, now)))
          .orderBy(asc(steps.wakeAt))
          .limit(limit);
      },
      async waitingInResolvedRuns(reasons) {
        return db
          .select({ id: steps.id, executionId: steps.executionId })
          .from(steps)
          .innerJoin(executions, eq(executions.id, steps.executionId))
          .where(
            and(
              eq(steps.status, 'waiting'),
              inArray(steps.waitReason, [...reasons]),
              isNotNull(executions.alertResolvedAt),
              inArray(executions.status, [...ACTIVE_EXECUTION_STATUSES]),
            ),
          );
      },
    },
    approvals: {
      async insert(row) {
        await db.insert(approvals).values(row);
      },
      async get(id) {
        const rows = await db.select().from(approvals).where(eq(approvals.id, id));
        return rows[0];
      },
      async lock(id) {
        const rows = await db.select().from(approvals).where(eq(approvals.id, id)).for('update');
        return rows[0];
      },
      async decisionsFor(approvalId) {
        // Same-millisecond decisions by decider: the order SQLite's scan of the primary key gives them.
        return db
          .select()
          .from(approvalDecisions)
          .where(eq(approvalDecisions.approvalId, approvalId))
          .orderBy(asc(approvalDecisions.at), asc(approvalDecisions.decider));
      },
      async decisionsForMany(approvalIds) {
        const byApproval = new Map<string, ApprovalDecisionRow[]>();
        if (approvalIds.length === 0) return byApproval;
        const rows = await db
          .select()
          .from(approvalDecisions)
          .where(inArray(approvalDecisions.approvalId, [...approvalIds]))
          // Ties by decider, as decisionsFor.
          .orderBy(asc(approvalDecisions.at), asc(approvalDecisions.decider));
        for (const row of rows) byApproval.set(row.approvalId, [...(byApproval.get(row.approvalId) ?? []), row]);
        return byApproval;
      },
      async insertDecision(row) {
        const inserted = await db.insert(approvalDecisions).values(row).onConflictDoNothing().returning({ approvalId: approvalDecisions.approvalId });
        return inserted.length > 0;
      },
      async forStep(stepId) {
        const rows = await db.select().from(approvals).where(eq(approvals.stepId, stepId));
        return rows[0];
      },
      async forExecution(executionId, limit) {
        return db.select().from(approvals).where(eq(approvals.executionId, executionId)).orderBy(desc(approvals.createdAt)).limit(limit);
      },
      async decide(id, decision) {
        const rows = await db
          .update(approvals)
          .set(decision)
          .where(and(eq(approvals.id, id), eq(approvals.status, 'pending')))
          .returning({ id: approvals.id });
        return rows.length > 0;
      },
      async cancelForExecution(executionId, now) {
        await db
          .update(approvals)
          .set({ status: 'cancelled', decidedAt: now, decidedBy: 'salve' })
          .where(and(eq(approvals.executionId, executionId), eq(approvals.status, 'pending')));
      },
    },
    approvalLinks: {
      async get(id) {
        const rows = await db.select().from(approvalLinks).where(eq(approvalLinks.id, id));
        return rows[0];
      },
      async markUsed(row) {
        const inserted = await db.insert(approvalLinks).values(row).onConflictDoNothing().returning({ id: approvalLinks.id });
        return inserted.length > 0;
      },
      async remove(id) {
        await db.delete(approvalLinks).where(eq(approvalLinks.id, id));
      },
    },
    breakers: {
      async get(flowId) {
        const rows = await db.select().from(flowBreakers).where(eq(flowBreakers.flowId, flowId));
        return rows[0];
      },
      async trip(flowId, failures, now) {
        const failuresJson = JSON.stringify(failures);
        await db
          .insert(flowBreakers)
          .values({ flowId, trippedAt: now, failures: failuresJson })
          .onConflictDoUpdate({ target: flowBreakers.flowId, set: { trippedAt: now, failures: failuresJson } });
      },
      async reset(flowId, by, now) {
        const rows = await db
          .update(flowBreakers)
          .set({ trippedAt: null, resetBy: by, resetAt: now })
          .where(and(eq(flowBreakers.flowId, flowId), isNotNull(flowBreakers.trippedAt)))
          .returning({ flowId: flowBreakers.flowId });
        return rows.length > 0;
      },
      async tripped() {
        const rows = await db
          .select({ flowId: flowBreakers.flowId, trippedAt: flowBreakers.trippedAt })
          .from(flowBreakers)
          .where(isNotNull(flowBreakers.trippedAt));
        return new Map(rows.map((r) => [r.flowId, r.trippedAt!]));
      },
      async delete(flowId) {
        await db.delete(flowBreakers).where(eq(flowBreakers.flowId, flowId));
      },
    },
    flows: {
      async list() {
        return db.select(flowSummaryColumns).from(flows).orderBy(byFlowId);
      },
      async listEnabled() {
        const rows = await db.select().from(flows).where(eq(flows.enabled, true)).orderBy(byFlowId);
        return rows.map(toFlowRow);
      },
      async listDisabled() {
        // As SQLite: a disabled flow whose document does not read back routes nothing, and is left out.
        const out: FlowRow[] = [];
        for (const row of await db.select().from(flows).where(eq(flows.enabled, false)).orderBy(byFlowId)) {
          try {
            out.push(toFlowRow(row));
          } catch (error) {
            if (!(error instanceof StoredFlowError)) throw error;
          }
        }
        return out;
      },
      async summary(id) {
        const rows = await db.select(flowSummaryColumns).from(flows).where(eq(flows.id, id));
        return rows[0];
      },
      async currentRevision(id) {
        const rows = await db.select({ revision: flows.revision }).from(flows).where(eq(flows.id, id));
        return rows[0]?.revision;
      },
      async insert(flow, now, owner) {
        const last = await db.select({ last: max(flowRevisions.revision) }).from(flowRevisions).where(eq(flowRevisions.flowId, flow.id));
        const revision = (last[0]?.last ?? 0) + 1;
        const document = JSON.stringify(flow);
        // Another process may create the same id meanwhile: the second insert waits for the first
        // to commit, then inserts nothing, and writes no revision.
        const inserted = await db
          .insert(flows)
          .values({ id: flow.id, name: flow.name, enabled: flow.enabled, revision, document, createdAt: now, updatedAt: now, teamId: owner.teamId })
          .onConflictDoNothing()
          .returning(flowSummaryColumns);
        const row = inserted[0];
        if (!row) throw new ConflictError(`flow "${flow.id}" already exists`);
        await db.insert(flowRevisions).values({ flowId: flow.id, revision, document, createdAt: now, author: owner.author });
        return { ...row, flow };
      },
      async update(flow, expectedRevision, now, author) {
        const next = expectedRevision + 1;
        const document = JSON.stringify(flow);
        const updated = await db
          .update(flows)
          .set({ name: flow.name, enabled: flow.enabled, revision: next, document, updatedAt: now })
          .where(and(eq(flows.id, flow.id), eq(flows.revision, expectedRevision)))
          .returning(flowSummaryColumns);
        const row = updated[0];
        if (!row) return undefined;
        await db.insert(flowRevisions).values({ flowId: flow.id, revision: next, document, createdAt: now, author });
        return { ...row, flow };
      },
      async listRevisions(id, since) {
        return db
          .select({ revision: flowRevisions.revision, createdAt: flowRevisions.createdAt, author: flowRevisions.author, document: flowRevisions.document })
          .from(flowRevisions)
          .where(and(eq(flowRevisions.flowId, id), gte(flowRevisions.createdAt, since)))
          .orderBy(desc(flowRevisions.revision));
      },
      async delete(id) {
        const rows = await db.delete(flows).where(eq(flows.id, id)).returning({ id: flows.id });
        return rows.length > 0;
      },
      async get(id) {
        const rows = await db.select().from(flows).where(eq(flows.id, id));
        return rows[0] && toFlowRow(rows[0]);
      },
      async team(id) {
        const rows = await db.select({ teamId: flows.teamId }).from(flows).where(eq(flows.id, id));
        return rows[0]?.teamId;
      },
      async getRevision(id, revision) {
        const rows = await db
          .select({ document: flowRevisions.document })
          .from(flowRevisions)
          .where(and(eq(flowRevisions.flowId, id), eq(flowRevisions.revision, revision)));
        const document = rows[0]?.document;
        return document === undefined ? undefined : parseStoredDocument(id, revision, document);
      },
      async revisionAuthor(id, revision) {
        const rows = await db
          .select({ author: flowRevisions.author })
          .from(flowRevisions)
          .where(and(eq(flowRevisions.flowId, id), eq(flowRevisions.revision, revision)));
        return rows[0]?.author ?? null;
      },
    },
    people: {
      async user(id) {
        const rows = await db.select().from(users).where(eq(users.id, id));
        return rows[0];
      },
      async membershipsOf(userId) {
        return db.select().from(memberships).where(eq(memberships.userId, userId));
      },
    },
    scheduleTicks: {
      async lock(flowId, nodeId) {
        await client.query(SCHEDULE_LOCK_SQL, [JSON.stringify(['schedule', flowId, nodeId])]);
      },
      async insert(row) {
        const inserted = await db.insert(scheduleTicks).values(row).onConflictDoNothing().returning({ tickAt: scheduleTicks.tickAt });
        return inserted.length > 0;
      },
      async latestTickAt(flowId, nodeId) {
        const rows = await db.select({ at: max(scheduleTicks.tickAt) }).from(scheduleTicks).where(ofSchedule(flowId, nodeId));
        return rows[0]?.at ?? undefined;
      },
      async covers(flowId, nodeId, tickAt) {
        const rows = await db
          .select({ at: scheduleTicks.tickAt })
          .from(scheduleTicks)
          .where(and(ofSchedule(flowId, nodeId), gte(scheduleTicks.tickAt, tickAt), lte(scheduleTicks.firstTickAt, tickAt)))
          .limit(1);
        return rows.length > 0;
      },
      async latest(flowId, nodeId) {
        const rows = await db.select().from(scheduleTicks).where(ofSchedule(flowId, nodeId)).orderBy(desc(scheduleTicks.tickAt)).limit(1);
        return rows[0];
      },
      async lastStarted(flowId, nodeId) {
        const rows = await db
          .select()
          .from(scheduleTicks)
          .where(and(ofSchedule(flowId, nodeId), eq(scheduleTicks.status, 'started')))
          .orderBy(desc(scheduleTicks.tickAt))
          .limit(1);
        return rows[0];
      },
      async extend(flowId, nodeId, fromTickAt, toTickAt, recordedAt) {
        // One statement where SQLite reads the count first: the same row, and no increment lost to a concurrent extend.
        const moved = await db
          .update(scheduleTicks)
          .set({ tickAt: toTickAt, count: sql`${scheduleTicks.count} + 1`, recordedAt })
          .where(and(ofSchedule(flowId, nodeId), eq(scheduleTicks.tickAt, fromTickAt)))
          .returning({ tickAt: scheduleTicks.tickAt });
        return moved.length > 0;
      },
      async prune(flowId, nodeId, before) {
        await db.delete(scheduleTicks).where(and(ofSchedule(flowId, nodeId), lt(scheduleTicks.tickAt, before)));
      },
    },
    settings: {
      async get(key) {
        const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
        return rows[0]?.value;
      },
      async set(key, value, now) {
        await db
          .insert(settings)
          .values({ key, value, updatedAt: now })
          .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } });
      },
    },
    audit: {
      async append(entry) {
        await appendAuditPostgres(client, entry);
      },
    },
    runQueue: {
      async taken(runs) {
        await queue.complete(
          client,
          runs.flatMap((r) => (r.jobId === undefined ? [] : [r.jobId])),
        );
      },
    },
    leases: {
      async expired(now, limit) {
        return (
          db
            .select({ id: executions.id, leaseOwner: executions.leaseOwner, leaseUntil: executions.leaseUntil })
            .from(executions)
            // A literal status, as SQLite's, so the partial executions_lease_idx applies.
            .where(and(sql`${executions.status} = 'running'`, or(isNull(executions.leaseUntil), lte(executions.leaseUntil, now))))
            // PostgreSQL sorts nulls last by default, SQLite first: a run that never had a lease comes first on both.
            .orderBy(sql`${executions.leaseUntil} asc nulls first`)
            .limit(limit)
        );
      },
      async renew(owner, ids, until) {
        // One statement: PostgreSQL takes 65535 parameters, far more than a runner holds leases (SQLite chunks by 500).
        if (ids.length === 0) return 0;
        const rows = await db
          .update(executions)
          .set({ leaseUntil: until })
          .where(and(eq(executions.leaseOwner, owner), eq(executions.status, 'running'), inArray(executions.id, [...ids])))
          .returning({ id: executions.id });
        return rows.length;
      },
      async holds(id, owner) {
        // The status is not checked: a run cancelled meanwhile still records what its in-flight step did.
        const rows = await db.select({ owner: executions.leaseOwner }).from(executions).where(eq(executions.id, id)).for('share');
        return rows[0]?.owner === owner;
      },
      async lockExpired(id, now) {
        const rows = await db
          .select({ id: executions.id })
          .from(executions)
          .where(and(eq(executions.id, id), eq(executions.status, 'running'), or(isNull(executions.leaseUntil), lte(executions.leaseUntil, now))))
          .for('update');
        return rows.length > 0;
      },
    },
  };
}
