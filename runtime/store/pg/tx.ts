import { and, asc, count, desc, eq, exists, gt, gte, inArray, isNotNull, isNull, lt, lte, max, ne, notExists, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { alias } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { ConflictError } from '../../../shared/errors.js';
import { ACTIVE_EXECUTION_STATUSES, TERMINAL_EXECUTION_STATUSES, type ExecutionStatus } from '../../../shared/statuses.js';
import type { ApprovalDecisionRow } from '../approvals-repo.js';
import { eventRef } from '../events-repo.js';
import { newExecutionValues } from '../executions-repo.js';
import { parseStoredDocument, StoredFlowError, toFlowRow, type FlowRow } from '../flows-repo.js';
import { teamTaken, userTaken, type UserIndex } from '../people-repo.js';
import { newStepValues } from '../steps-repo.js';
import { flowIdsOfRefs, teamLookup } from '../teams-repo.js';
import { SECRETS_MASTER_KEY_ID_KEY, SECRETS_REVISION_KEY, secretValues, toSecretRow } from '../secrets-repo.js';
import type { StoreTx } from '../tx.js';
import { appendAuditPostgres } from './audit-append.js';
import { outcomeRowsPostgres } from './outcomes.js';
import type { RunQueue } from './run-queue.js';
import * as schema from './schema.js';

const { approvalDecisions, approvalLinks, approvals, eventRefs, events, executions, flowBreakers, flowRevisions, flows, memberships, scheduleTicks, settings, steps, users } = schema;
const { afterRunTasks, secrets } = schema;

/**
 * secrets.bump: one statement where SQLite reads then writes, so two processes bumping at once
 * take turns on the row (the second adds to what the first committed) and no change goes unnoticed.
 */
async function bumpSecretsRevision(db: PgDb, now: number): Promise<void> {
  await db
    .insert(settings)
    .values({ key: SECRETS_REVISION_KEY, value: '1', updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`(${settings.value}::bigint + 1)::text`, updatedAt: now } });
}

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

/**
 * The unique index (constraint name) a statement was refused by, or undefined for any other
 * error: unique_violation, 23505, on the pg error drizzle wraps as its `cause`.
 */
function uniqueViolation(error: unknown): string | undefined {
  const pgError = (error instanceof Error && error.cause !== undefined ? error.cause : error) as { code?: string; constraint?: string };
  return pgError.code === '23505' ? (pgError.constraint ?? '') : undefined;
}

/** The users index a unique violation names, as people-repo's userTaken says it; undefined for any other error. */
function takenUserIndex(error: unknown): UserIndex | undefined {
  const constraint = uniqueViolation(error);
  if (constraint === 'users_username_idx') return 'username';
  if (constraint === 'users_oidc_idx') return 'oidc';
  if (constraint === 'users_pkey') return 'id';
  return undefined;
}

/** A transition's changes without its undefined keys: those columns keep their value (null clears one), as SQLite's preparedTransition. */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * What a transaction tells the metrics (as SQLite's execution-ends.ts): runs it ended and runs it
 * created held. PostgresStore passes one per attempt and reports them once the attempt committed.
 */
export interface RunNotes {
  ended(flowId: string, status: ExecutionStatus): void;
  held(flowId: string, limit: string): void;
}

/**
 * The PostgreSQL side of StoreTx (runtime/store/tx.ts): the same operations as SQLite's repos,
 * on a client inside a PostgresPool transaction. Each query mirrors the SQLite repo method of the
 * same name; test/postgres/tx-contract.test.ts holds both to the same answers.
 *
 * Where SQLite's executions table is itself the queue, PostgreSQL's processes take runs from
 * `queue` (pg-boss): a run inserted `queued` gets its job here, in the same transaction.
 */
export function pgTx(client: pg.PoolClient, queue: RunQueue, notes?: RunNotes): StoreTx {
  const db: PgDb = drizzle(client, { schema });
  return {
    engine: 'postgres',
    events: {
      async insert(row, refs = []) {
        const unique = [...new Set(refs)];
        if (unique.length === 0) {
          await db.insert(events).values(row);
          return;
        }
        // One statement, one round trip, for the event and its refs: this is every delivery's path.
        const event = db.insert(events).values(row).returning({ id: events.id });
        await db.execute(
          sql`with e as (${event.getSQL()}) insert into ${eventRefs} (${sql.identifier(eventRefs.ref.name)}, ${sql.identifier(eventRefs.eventId.name)}) select r, e.id from e, unnest(${sql.param(unique)}::text[]) as r on conflict do nothing`,
        );
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
      async get(id) {
        const rows = await db.select().from(events).where(eq(events.id, id));
        return rows[0];
      },
      async list(f) {
        // Ids compare by bytes, as SQLite's text (see byFlowId): the order and the `before` cursor agree on both engines.
        const id = sql`${events.id} collate "C"`;
        const hasRef = (refs: string[]) =>
          exists(db.select({ one: sql`1` }).from(eventRefs).where(and(eq(eventRefs.eventId, events.id), inArray(eventRefs.ref, refs))));
        const conds: SQL[] = [];
        if (f.visibleFlowIds) conds.push(hasRef(f.visibleFlowIds.map(eventRef.flow)));
        if (f.outcome) conds.push(eq(events.outcome, f.outcome));
        if (f.path) conds.push(eq(events.path, f.path));
        if (f.since !== undefined) conds.push(gte(events.receivedAt, f.since));
        if (f.until !== undefined) conds.push(lte(events.receivedAt, f.until));
        // SQLite reads a flow's or source's events from event_refs first; here each is a condition on the event: the same rows.
        if (f.flowId !== undefined) conds.push(hasRef([eventRef.flow(f.flowId)]));
        if (f.source !== undefined) conds.push(hasRef([eventRef.source(f.source)]));
        if (f.before) conds.push(lt(id, f.before));
        return db
          .select()
          .from(events)
          .where(conds.length ? and(...conds) : undefined)
          .orderBy(sql`${id} desc`)
          .limit(f.limit);
      },
      async forReplay(f) {
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
        const n = (await db.select({ n: count() }).from(events).where(where))[0]?.n ?? 0;
        if (n > f.limit) return { rows: [], count: n };
        // Ties of arrival by id, compared by bytes as SQLite does.
        const rows = await db.select().from(events).where(where).orderBy(asc(events.receivedAt), sql`${events.id} collate "C"`);
        return { rows, count: n };
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
        if (inserted.length > 0 && row.status === 'held') notes?.held(row.flowId, row.heldLimit ?? 'unknown');
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
      async countsByFlowAndStatus(statuses) {
        return db
          .select({ flowId: executions.flowId, status: executions.status, n: count() })
          .from(executions)
          .where(inArray(executions.status, [...statuses]))
          .groupBy(executions.flowId, executions.status);
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
          .returning({ flowId: executions.flowId });
        if (moved.length > 0 && changes.status === 'queued') await queue.enqueue(client, [id]);
        const status = changes.status;
        if (moved.length > 0 && status && TERMINAL_EXECUTION_STATUSES.includes(status)) notes?.ended(moved[0]!.flowId, status);
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
        await db.delete(afterRunTasks).where(inArray(afterRunTasks.executionId, ids));
        const deleted = await db.delete(executions).where(inArray(executions.id, ids)).returning({ id: executions.id });
        return deleted.length;
      },
      async list(filter) {
        // Ids compare by bytes, as SQLite's text (see byFlowId): the order and the `before` cursor agree on both engines.
        const id = sql`${executions.id} collate "C"`;
        const conds: SQL[] = [];
        if (filter.flowId) conds.push(eq(executions.flowId, filter.flowId));
        if (filter.flowIds) conds.push(inArray(executions.flowId, [...filter.flowIds]));
        if (filter.status) conds.push(eq(executions.status, filter.status));
        if (filter.before) conds.push(lt(id, filter.before));
        return db
          .select()
          .from(executions)
          .where(conds.length ? and(...conds) : undefined)
          .orderBy(sql`${id} desc`)
          .limit(filter.limit);
      },
      async forEvent(eventId) {
        return db.select().from(executions).where(eq(executions.eventId, eventId)).orderBy(sql`${executions.id} collate "C"`);
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
      async countPending() {
        const rows = await db.select({ n: count() }).from(approvals).where(eq(approvals.status, 'pending'));
        return rows[0]?.n ?? 0;
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
      async list(filter) {
        const conds: SQL[] = [];
        if (filter.flowIds) {
          const runs = db.select({ id: executions.id }).from(executions).where(inArray(executions.flowId, [...filter.flowIds]));
          conds.push(inArray(approvals.executionId, runs));
        }
        if (filter.status) conds.push(eq(approvals.status, filter.status));
        if (filter.executionId) conds.push(eq(approvals.executionId, filter.executionId));
        const order = filter.status === 'pending' ? asc(approvals.deadlineAt) : desc(approvals.createdAt);
        return db
          .select()
          .from(approvals)
          .where(conds.length ? and(...conds) : undefined)
          .orderBy(order)
          .limit(filter.limit);
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
    afterRun: {
      async insert(row) {
        await db.insert(afterRunTasks).values(row).onConflictDoNothing();
      },
      async due(now, limit) {
        const rows = await db
          .select({ task: afterRunTasks })
          .from(afterRunTasks)
          .innerJoin(executions, eq(executions.id, afterRunTasks.executionId))
          .where(and(lte(afterRunTasks.nextAt, now), inArray(executions.status, [...TERMINAL_EXECUTION_STATUSES])))
          .orderBy(asc(afterRunTasks.nextAt))
          .limit(limit);
        return rows.map((r) => r.task);
      },
      async claim(stepId, now, until) {
        // One statement: of two processes claiming at once, the second finds next_at moved on.
        const rows = await db
          .update(afterRunTasks)
          .set({ nextAt: until })
          .where(and(eq(afterRunTasks.stepId, stepId), lte(afterRunTasks.nextAt, now)))
          .returning({ stepId: afterRunTasks.stepId });
        return rows.length > 0;
      },
      async retryLater(stepId, nextAt, error) {
        await db
          .update(afterRunTasks)
          .set({ attempts: sql`${afterRunTasks.attempts} + 1`, nextAt, lastError: error })
          .where(eq(afterRunTasks.stepId, stepId));
      },
      async remove(stepId) {
        await db.delete(afterRunTasks).where(eq(afterRunTasks.stepId, stepId));
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
    outcomes: {
      async rows(filter) {
        return outcomeRowsPostgres(db, filter);
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
      async userByOidc(issuer, subject) {
        const rows = await db
          .select()
          .from(users)
          .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject)));
        return rows[0];
      },
      async usersByEmail(email) {
        // Under "C", lower() folds ASCII letters only, as SQLite's lower() (a linguistic collation would fold 'Ä' too).
        return db
          .select()
          .from(users)
          .where(sql`lower(${users.email} collate "C") = ${email.toLowerCase()}`)
          .orderBy(sql`${users.username} collate "C"`);
      },
      async listUsers() {
        return db.select().from(users).orderBy(sql`${users.username} collate "C"`);
      },
      async insertUser(row) {
        try {
          await db.insert(users).values(row);
        } catch (error) {
          // Another transaction took the name (or identity) after the caller checked it was free.
          const index = takenUserIndex(error);
          throw index ? userTaken(index, row) : error;
        }
      },
      async updateUser(id, set) {
        try {
          const rows = await db.update(users).set(set).where(eq(users.id, id)).returning();
          return rows[0];
        } catch (error) {
          const index = takenUserIndex(error);
          throw index ? userTaken(index, set) : error;
        }
      },
      async allMemberships() {
        return db
          .select()
          .from(memberships)
          .orderBy(sql`${memberships.userId} collate "C"`, sql`${memberships.teamId} collate "C"`, sql`${memberships.role} collate "C"`);
      },
      async membersOf(teamId) {
        return db
          .select()
          .from(memberships)
          .where(eq(memberships.teamId, teamId))
          .orderBy(sql`${memberships.userId} collate "C"`, sql`${memberships.role} collate "C"`);
      },
      async replaceMemberships(userId, origin, rows) {
        await db.delete(memberships).where(and(eq(memberships.userId, userId), eq(memberships.origin, origin)));
        // A role the user holds from the other origin stays as it is (the key has no origin), as on SQLite.
        if (rows.length > 0) await db.insert(memberships).values(rows.map((r) => ({ userId, teamId: r.teamId, role: r.role, origin }))).onConflictDoNothing();
      },
      async endAccessOf(userId, now) {
        const ended = await db.delete(schema.sessions).where(eq(schema.sessions.userId, userId)).returning({ id: schema.sessions.id });
        const revoked = await db
          .update(schema.apiTokens)
          .set({ revokedAt: now })
          .where(and(eq(schema.apiTokens.userId, userId), isNull(schema.apiTokens.revokedAt)))
          .returning({ id: schema.apiTokens.id });
        return { sessions: ended.length, tokens: revoked.length };
      },
      async team(id) {
        const rows = await db.select().from(schema.teams).where(eq(schema.teams.id, id));
        return rows[0];
      },
      async listTeams() {
        return db.select().from(schema.teams).orderBy(sql`${schema.teams.id} collate "C"`);
      },
      async insertTeam(row) {
        try {
          await db.insert(schema.teams).values(row);
        } catch (error) {
          // Another transaction created the same id after the caller checked it was free.
          throw uniqueViolation(error) === 'teams_pkey' ? teamTaken(row.id) : error;
        }
      },
      async renameTeam(id, name) {
        const rows = await db.update(schema.teams).set({ name }).where(eq(schema.teams.id, id)).returning({ id: schema.teams.id });
        return rows.length > 0;
      },
      async deleteTeam(id) {
        await db.delete(memberships).where(eq(memberships.teamId, id));
        const rows = await db.delete(schema.teams).where(eq(schema.teams.id, id)).returning({ id: schema.teams.id });
        return rows.length > 0;
      },
      async teamHoldings(id) {
        const owned = await db.select({ n: count() }).from(flows).where(eq(flows.teamId, id));
        const kept = await db.select({ n: count() }).from(schema.secrets).where(eq(schema.secrets.teamId, id));
        return { flows: owned[0]?.n ?? 0, secrets: kept[0]?.n ?? 0 };
      },
      async flowCounts() {
        const rows = await db.select({ team: flows.teamId, n: count() }).from(flows).groupBy(flows.teamId);
        return new Map(rows.map((r) => [r.team, r.n]));
      },
      async membershipsOf(userId) {
        return db.select().from(memberships).where(eq(memberships.userId, userId));
      },
      async userByUsername(username) {
        const rows = await db.select().from(users).where(eq(users.username, username));
        return rows[0];
      },
      async hasEnabledAdmin() {
        const rows = await db
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.admin, true), eq(users.disabled, false)))
          .limit(1);
        return rows.length > 0;
      },
    },
    sessions: {
      async insert(row) {
        await db.insert(schema.sessions).values(row);
      },
      async byTokenHash(tokenHash) {
        const rows = await db.select().from(schema.sessions).where(eq(schema.sessions.tokenHash, tokenHash));
        return rows[0];
      },
      async byId(id) {
        const rows = await db.select().from(schema.sessions).where(eq(schema.sessions.id, id));
        return rows[0];
      },
      async forUser(userId) {
        // Ties by id, as sessions-repo.ts (ids compared as bytes, as SQLite does).
        return db
          .select()
          .from(schema.sessions)
          .where(eq(schema.sessions.userId, userId))
          .orderBy(desc(schema.sessions.createdAt), sql`${schema.sessions.id} collate "C" desc`);
      },
      async touch(id, now) {
        await db.update(schema.sessions).set({ lastUsedAt: now }).where(eq(schema.sessions.id, id));
      },
      async delete(id) {
        const rows = await db.delete(schema.sessions).where(eq(schema.sessions.id, id)).returning({ id: schema.sessions.id });
        return rows.length > 0;
      },
      async deleteUnusable(opts) {
        const s = schema.sessions;
        const rows = await db
          .delete(s)
          .where(
            or(
              lte(s.expiresAt, opts.now),
              lte(s.lastUsedAt, opts.idleBefore),
              and(isNull(s.userId), ne(s.adminTokenFingerprint, opts.adminTokenFingerprint)),
            ),
          )
          .returning({ id: s.id });
        return rows.length;
      },
    },
    apiTokens: {
      async list(userId) {
        const t = schema.apiTokens;
        // Ties by id, as api-tokens-repo.ts (ids compared as bytes, as SQLite does).
        return db
          .select()
          .from(t)
          .where(userId === undefined ? undefined : eq(t.userId, userId))
          .orderBy(desc(t.createdAt), sql`${t.id} collate "C" desc`);
      },
      async byHash(tokenHash) {
        const rows = await db.select().from(schema.apiTokens).where(eq(schema.apiTokens.tokenHash, tokenHash));
        return rows[0];
      },
      async byId(id) {
        const rows = await db.select().from(schema.apiTokens).where(eq(schema.apiTokens.id, id));
        return rows[0];
      },
      async insert(row) {
        await db.insert(schema.apiTokens).values(row);
      },
      async revoke(id, now) {
        const t = schema.apiTokens;
        const rows = await db
          .update(t)
          .set({ revokedAt: now })
          .where(and(eq(t.id, id), isNull(t.revokedAt)))
          .returning({ id: t.id });
        return rows.length > 0;
      },
      async revokeForTeam(teamId, now) {
        const t = schema.apiTokens;
        const rows = await db
          .update(t)
          .set({ revokedAt: now })
          .where(and(eq(t.teamId, teamId), isNull(t.revokedAt)))
          .returning({ id: t.id });
        return rows.length;
      },
      async touch(id, now) {
        await db.update(schema.apiTokens).set({ lastUsedAt: now }).where(eq(schema.apiTokens.id, id));
      },
    },
    authFailures: {
      async live(prefix, now, limit) {
        const f = schema.authFailures;
        // starts_with: the same test as SQLite's substr over the prefix, with no LIKE wildcards to escape.
        return db
          .select()
          .from(f)
          .where(and(sql`starts_with(${f.key}, ${prefix})`, gt(f.windowEndsAt, now)))
          .orderBy(desc(f.windowEndsAt), sql`${f.key} collate "C"`)
          .limit(limit);
      },
      async save(row) {
        await db
          .insert(schema.authFailures)
          .values(row)
          .onConflictDoUpdate({ target: schema.authFailures.key, set: { failures: row.failures, windowEndsAt: row.windowEndsAt } });
      },
      async count(key, now, windowMs) {
        const f = schema.authFailures;
        // One statement: concurrent failures on several processes each add one (the row lock orders them).
        const open = sql`${f.windowEndsAt} > ${now}`;
        const [row] = await db
          .insert(f)
          .values({ key, failures: 1, windowEndsAt: now + windowMs })
          .onConflictDoUpdate({
            target: f.key,
            set: {
              failures: sql`case when ${open} then ${f.failures} + 1 else 1 end`,
              windowEndsAt: sql`case when ${open} then ${f.windowEndsAt} else ${now + windowMs}::bigint end`,
            },
          })
          .returning();
        return row!;
      },
      async delete(key) {
        await db.delete(schema.authFailures).where(eq(schema.authFailures.key, key));
      },
      async deleteEnded(now) {
        const rows = await db
          .delete(schema.authFailures)
          .where(lte(schema.authFailures.windowEndsAt, now))
          .returning({ key: schema.authFailures.key });
        return rows.length;
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
    teams: {
      async ofFlow(id) {
        const rows = await db.select({ team: flows.teamId }).from(flows).where(eq(flows.id, id));
        return rows[0] ? teamLookup.owned([rows[0].team]) : teamLookup.notFound;
      },
      async ofExecution(id) {
        // One query for SQLite's two: the run, and its flow's team if the flow is still there.
        const rows = await db
          .select({ team: flows.teamId })
          .from(executions)
          .leftJoin(flows, eq(flows.id, executions.flowId))
          .where(eq(executions.id, id));
        return rows[0] ? teamLookup.owned([rows[0].team ?? undefined]) : teamLookup.notFound;
      },
      async ofApproval(id) {
        // An approval whose run is gone is not found, as on SQLite.
        const rows = await db
          .select({ team: flows.teamId })
          .from(approvals)
          .innerJoin(executions, eq(executions.id, approvals.executionId))
          .leftJoin(flows, eq(flows.id, executions.flowId))
          .where(eq(approvals.id, id));
        return rows[0] ? teamLookup.owned([rows[0].team ?? undefined]) : teamLookup.notFound;
      },
      async ofEvent(id) {
        const refs = await db.select({ ref: eventRefs.ref }).from(eventRefs).where(eq(eventRefs.eventId, id));
        if (refs.length === 0) {
          // No refs at all: the event may still exist (a delivery to a path nobody listens on).
          const found = await db.select({ id: events.id }).from(events).where(eq(events.id, id));
          return found.length > 0 ? teamLookup.owned([]) : teamLookup.notFound;
        }
        const flowIds = flowIdsOfRefs(refs.map((r) => r.ref));
        if (flowIds.length === 0) return teamLookup.owned([]);
        const rows = await db.select({ team: flows.teamId }).from(flows).where(inArray(flows.id, flowIds)).orderBy(byFlowId);
        return teamLookup.owned(rows.map((r) => r.team));
      },
      async ofSecret(name) {
        const rows = await db.select({ team: secrets.teamId }).from(secrets).where(eq(secrets.name, name));
        return rows[0] ? teamLookup.owned([rows[0].team]) : teamLookup.notFound;
      },
      async flowIdsOf(teams) {
        if (teams.length === 0) return [];
        const rows = await db
          .select({ id: flows.id })
          .from(flows)
          .where(inArray(flows.teamId, [...teams]))
          .orderBy(byFlowId);
        return rows.map((r) => r.id);
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
      async setIfAbsent(key, value, now) {
        // ON CONFLICT DO NOTHING waits for a racing insert to commit, then reads the winner's value.
        await db.insert(settings).values({ key, value, updatedAt: now }).onConflictDoNothing();
        const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
        return rows[0]!.value;
      },
    },
    secrets: {
      async list() {
        // Bytes, as SQLite orders names (a linguistic collation would skip the '_' at first).
        const rows = await db.select().from(secrets).orderBy(sql`${secrets.name} collate "C"`);
        return rows.map(toSecretRow);
      },
      async get(name) {
        const rows = await db.select().from(secrets).where(eq(secrets.name, name));
        return rows[0] && toSecretRow(rows[0]);
      },
      async count() {
        const rows = await db.select({ n: count() }).from(secrets);
        return rows[0]?.n ?? 0;
      },
      async put(row) {
        const values = secretValues(row);
        const { name: _name, createdAt: _createdAt, ...changes } = values;
        await db.insert(secrets).values(values).onConflictDoUpdate({ target: secrets.name, set: changes });
        await bumpSecretsRevision(db, row.updatedAt);
      },
      async rewrap(name, wrap, now) {
        await db.update(secrets).set(wrap).where(eq(secrets.name, name));
        await bumpSecretsRevision(db, now);
      },
      async delete(name, now) {
        const deleted = await db.delete(secrets).where(eq(secrets.name, name)).returning({ name: secrets.name });
        if (deleted.length > 0) await bumpSecretsRevision(db, now);
        return deleted.length > 0;
      },
      async revision() {
        const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, SECRETS_REVISION_KEY));
        return Number(rows[0]?.value ?? '0');
      },
      async bump(now) {
        await bumpSecretsRevision(db, now);
      },
      async masterKeyId() {
        const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, SECRETS_MASTER_KEY_ID_KEY));
        return rows[0]?.value;
      },
      async setMasterKeyId(id, now) {
        await db
          .insert(settings)
          .values({ key: SECRETS_MASTER_KEY_ID_KEY, value: id, updatedAt: now })
          .onConflictDoUpdate({ target: settings.key, set: { value: id, updatedAt: now } });
      },
    },
    audit: {
      async append(entry) {
        await appendAuditPostgres(client, entry);
      },
      async list(f) {
        const { audit } = schema;
        // Starts with the prefix, case and all (as audit-repo.ts: LIKE would read % and _).
        const startsWith = (column: typeof audit.action | typeof audit.target, prefix: string) => sql`substr(${column}, 1, ${prefix.length}) = ${prefix}`;
        const where: SQL[] = [];
        if (f.actor !== undefined) where.push(eq(audit.actor, f.actor));
        if (f.via !== undefined) where.push(eq(audit.via, f.via));
        if (f.action !== undefined) where.push(f.action.endsWith('.*') ? startsWith(audit.action, f.action.slice(0, -1)) : eq(audit.action, f.action));
        if (f.targetPrefix !== undefined) where.push(startsWith(audit.target, f.targetPrefix));
        if (f.from !== undefined) where.push(gte(audit.at, f.from));
        if (f.to !== undefined) where.push(lte(audit.at, f.to));
        if (f.before !== undefined) where.push(lt(audit.id, f.before));
        return db
          .select()
          .from(audit)
          .where(and(...where))
          .orderBy(desc(audit.id))
          .limit(f.limit);
      },
    },
    runQueue: {
      async restoreLost(queuedBefore, limit) {
        return queue.restoreLost(client, queuedBefore, limit);
      },
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
