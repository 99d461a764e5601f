import { and, count, desc, eq, gte, inArray, isNotNull, isNull, notInArray, or } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { ACTIVE_EXECUTION_STATUSES } from '../../../shared/statuses.js';
import { newExecutionValues } from '../executions-repo.js';
import { toFlowRow } from '../flows-repo.js';
import type { StoreTx } from '../tx.js';
import type { RunQueue } from './run-queue.js';
import * as schema from './schema.js';

const { eventRefs, events, executions, flowBreakers, flows, steps } = schema;

type PgDb = NodePgDatabase<typeof schema>;

/** Not a held run that stayed held (or was cancelled while held): it counts against the limits (as executions-repo.ts). */
const admitted = or(isNull(executions.heldAt), isNotNull(executions.releasedAt));

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
    },
    breakers: {
      async get(flowId) {
        const rows = await db.select().from(flowBreakers).where(eq(flowBreakers.flowId, flowId));
        return rows[0];
      },
    },
    flows: {
      async get(id) {
        const rows = await db.select().from(flows).where(eq(flows.id, id));
        return rows[0] && toFlowRow(rows[0]);
      },
      async team(id) {
        const rows = await db.select({ teamId: flows.teamId }).from(flows).where(eq(flows.id, id));
        return rows[0]?.teamId;
      },
    },
  };
}
