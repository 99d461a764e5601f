import { and, asc, count, eq, getTableColumns, inArray, max, sql, type Column } from 'drizzle-orm';
import type { Db } from './db.js';
import { TERMINAL_EXECUTION_STATUSES } from '../../shared/statuses.js';
import { afterRunTasks, eventRefs, events, executions, flows, steps } from './schema.js';

/**
 * drizzle prepared statements for the queries on the hot path (ingest, every step of every
 * run). Building and preparing a query costs more than running it here; these are built once per
 * database. Other queries are prepared each time they run: they are rare enough (API reads,
 * sweeps, flow changes) that a cache would cost more than it saves.
 */
function build(db: Db) {
  const p = sql.placeholder;
  return {
    /** Raw rows: read with `readExecution` (see rowReader). */
    executionById: db.select().from(executions).where(eq(executions.id, p('id'))).prepare(),
    /** The flow of a run that ended (the metrics' end count). */
    executionFlowId: db.select({ flowId: executions.flowId }).from(executions).where(eq(executions.id, p('id'))).prepare(),
    /** Every step's lease fence (leasesRepo.holds). */
    leaseOwner: db.select({ owner: executions.leaseOwner }).from(executions).where(eq(executions.id, p('id'))).prepare(),
    /** The queue cap counts queued executions once per write transaction that admits alerts. */
    countByStatus: db.select({ n: count() }).from(executions).where(eq(executions.status, p('status'))).prepare(),
    /** Raw rows: read with `readStep` (see rowReader). */
    stepsOfExecution: db.select().from(steps).where(eq(steps.executionId, p('executionId'))).orderBy(asc(steps.seq)).prepare(),
    maxStepSeq: db.select({ m: max(steps.seq) }).from(steps).where(eq(steps.executionId, p('executionId'))).prepare(),
    // Oldest first by insertion (rowid): executions_status_idx holds (status, rowid), so the first
    // `limit` queued runs are read straight from it. Ordering by id sorted every queued run on each
    // claim (with thousands queued, most of a claim's cost), and left to itself the planner picks
    // executions_lease_idx, which needs that sort too.
    queuedIds: db
      .select({ id: sql<string>`${executions.id}` })
      .from(sql`${executions} indexed by executions_status_idx`)
      .where(eq(executions.status, 'queued'))
      .orderBy(sql`${executions}.rowid`)
      .limit(p('limit'))
      .prepare(),
    eventById: db.select().from(events).where(eq(events.id, p('id'))).prepare(),
    /** Looked for as each run ends (runtime/engine/after-run.ts), usually finding none. */
    afterRunDue: db
      .select({ task: afterRunTasks })
      .from(afterRunTasks)
      .innerJoin(executions, eq(executions.id, afterRunTasks.executionId))
      .where(and(sql`${afterRunTasks.nextAt} <= ${p('now')}`, inArray(executions.status, [...TERMINAL_EXECUTION_STATUSES])))
      .orderBy(asc(afterRunTasks.nextAt))
      .limit(p('limit'))
      .prepare(),
    /** The team a step's flow belongs to (the runner's check of the secrets it uses). */
    flowTeam: db.select({ teamId: flows.teamId }).from(flows).where(eq(flows.id, p('id'))).prepare(),
    insertStep: db
      .insert(steps)
      .values({
        id: p('id'),
        executionId: p('executionId'),
        seq: p('seq'),
        nodeId: p('nodeId'),
        nodeType: p('nodeType'),
        parentStepId: p('parentStepId'),
        status: p('status'),
        attempt: p('attempt'),
        port: p('port'),
        input: p('input'),
        config: p('config'),
        output: p('output'),
        error: p('error'),
        createdAt: p('createdAt'),
        startedAt: p('startedAt'),
        endedAt: p('endedAt'),
        wakeAt: p('wakeAt'),
        waitReason: p('waitReason'),
        scope: p('scope'),
      })
      .prepare(),
    insertExecution: db
      .insert(executions)
      .values({
        id: p('id'),
        flowId: p('flowId'),
        flowRevision: p('flowRevision'),
        eventId: p('eventId'),
        sourceNodeId: p('sourceNodeId'),
        dedupKey: p('dedupKey'),
        alert: p('alert'),
        status: p('status'),
        createdAt: p('createdAt'),
        updatedAt: p('updatedAt'),
        deadlineAt: p('deadlineAt'),
        fingerprint: p('fingerprint'),
        parentExecutionId: p('parentExecutionId'),
        parentStepId: p('parentStepId'),
        callDepth: p('callDepth'),
        input: p('input'),
        startedBy: p('startedBy'),
        targetKey: p('targetKey'),
        heldLimit: p('heldLimit'),
        heldReason: p('heldReason'),
        heldAt: p('heldAt'),
      })
      .onConflictDoNothing()
      .prepare(),
    insertEvent: db
      .insert(events)
      .values({
        id: p('id'),
        receivedAt: p('receivedAt'),
        path: p('path'),
        outcome: p('outcome'),
        httpStatus: p('httpStatus'),
        sources: p('sources'),
        deliveryId: p('deliveryId'),
        reason: p('reason'),
        remoteAddress: p('remoteAddress'),
        headers: p('headers'),
        body: p('body'),
        bodyBytes: p('bodyBytes'),
        bodyTruncated: p('bodyTruncated'),
        routes: p('routes'),
        alerts: p('alerts'),
        matches: p('matches'),
        error: p('error'),
        alertCount: p('alertCount'),
        executionCount: p('executionCount'),
        duplicateCount: p('duplicateCount'),
        notStartedCount: p('notStartedCount'),
        suppressedBefore: p('suppressedBefore'),
      })
      .prepare(),
    insertEventRef: db
      .insert(eventRefs)
      .values({ ref: p('ref'), eventId: p('eventId') })
      .onConflictDoNothing()
      .prepare(),
    executionIdByDedup: db
      .select({ id: executions.id })
      .from(executions)
      .where(and(eq(executions.flowId, p('flowId')), eq(executions.dedupKey, p('dedupKey'))))
      .prepare(),
  };
}

/**
 * Turns a raw row of `select().from(table)` (its values in the order of the table's columns,
 * which is the order drizzle selects them in) into the row object drizzle would return. The
 * same per-column decoding, without drizzle's generic mapping (a type check of every field of
 * every row): the execution and step rows are read several times in every step.
 */
function rowReader<T extends typeof executions | typeof steps>(table: T): (raw: readonly unknown[]) => T['$inferSelect'] {
  const columns = Object.entries(getTableColumns(table)) as [string, Column][];
  return (raw) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const [key, column] = columns[i]!;
      const value = raw[i];
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as T['$inferSelect'];
  };
}

export const readExecution = rowReader(executions);
export const readStep = rowReader(steps);

const cache = new WeakMap<Db, ReturnType<typeof build>>();

/** The prepared statements of `db`, built on first use. */
export function prepared(db: Db): ReturnType<typeof build> {
  let s = cache.get(db);
  if (!s) {
    s = build(db);
    cache.set(db, s);
  }
  return s;
}

type Transition = { run(values: Record<string, unknown>): { changes: number } };
const transitions = new WeakMap<Db, Map<string, Transition>>();

/**
 * A prepared `UPDATE <table> SET <columns> WHERE id = ? AND status IN (<from>)`, one per
 * shape (columns set + allowed statuses); the state machines use a handful of shapes.
 */
export function preparedTransition(db: Db, table: typeof executions | typeof steps, columns: string[], from: readonly string[]): Transition {
  let byShape = transitions.get(db);
  if (!byShape) {
    byShape = new Map();
    transitions.set(db, byShape);
  }
  const key = `${table === executions ? 'executions' : 'steps'}|${columns.join(',')}|${from.join(',')}`;
  let stmt = byShape.get(key);
  if (!stmt) {
    const set = Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)]));
    stmt = db
      .update(table)
      .set(set)
      .where(and(eq(table.id, sql.placeholder('__id')), inArray(table.status, [...from] as never[])))
      .prepare() as unknown as Transition;
    byShape.set(key, stmt);
  }
  return stmt;
}
