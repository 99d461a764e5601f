import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterEach } from 'vitest';
import { SqliteStore } from '../../runtime/store/db.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool } from '../../runtime/store/pg/pool.js';
import * as pgSchema from '../../runtime/store/pg/schema.js';
import { RunQueue, RUN_QUEUE } from '../../runtime/store/pg/run-queue.js';
import { pgTx } from '../../runtime/store/pg/tx.js';
import * as sqliteSchema from '../../runtime/store/schema.js';
import { sqliteTx, type QueuedRun, type StoreTx } from '../../runtime/store/tx.js';
import { sqliteStore } from '../../runtime/store/store.js';
import { PostgresStore } from '../../runtime/store/pg/store.js';
import { databasesPerTest, postgresAvailable } from './postgres.js';

/**
 * Both storage engines behind one harness, for suites that run every case on SQLite and on
 * PostgreSQL (`describe.each(storeEngines())`; PostgreSQL when a server answers, and `.ci/run`
 * requires one). Each `open()` gives a fresh, migrated database, closed and removed after the test.
 */

type Rows<T extends { $inferInsert: unknown }> = T['$inferInsert'][];

/** Rows StoreTx has no operation for yet, written directly (same shapes on both engines). */
export interface SeedRows {
  executions?: Rows<typeof sqliteSchema.executions>;
  steps?: Rows<typeof sqliteSchema.steps>;
  flows?: Rows<typeof sqliteSchema.flows>;
  breakers?: Rows<typeof sqliteSchema.flowBreakers>;
  /** flow_revisions rows (a flow's past documents). */
  revisions?: Rows<typeof sqliteSchema.flowRevisions>;
  approvals?: Rows<typeof sqliteSchema.approvals>;
  /** approval_decisions rows (each person's decision on an approval). */
  approvalDecisions?: Rows<typeof sqliteSchema.approvalDecisions>;
  /** approval_links rows (approval links that were used). */
  approvalLinks?: Rows<typeof sqliteSchema.approvalLinks>;
  /** A user's roles in teams (no users or teams rows needed: there are no foreign keys). */
  memberships?: Rows<typeof sqliteSchema.memberships>;
  users?: Rows<typeof sqliteSchema.users>;
}

type ApprovalRow = typeof sqliteSchema.approvals.$inferSelect;

/** What the contract checks of an audit row: its place in the chain. */
interface AuditChainRow {
  id: number;
  action: string;
  prevHash: string;
  hash: string;
}

export interface OpenEngine {
  /** Runs `fn` in one transaction of the engine, as the engine's operations do. */
  run<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  seed(rows: SeedRows): Promise<void>;
  /** The SQLite store (its writer position feeds QueueCap); undefined on PostgreSQL. */
  sqlite?: SqliteStore;
  /** The runs waiting in the engine's run queue: SQLite's queued executions, PostgreSQL's pg-boss jobs. */
  runQueue(): Promise<string[]>;
  /** Store.takeQueued of the engine's Store (PostgreSQL: fetches jobs, each handed out once). */
  takeQueued(limit: number): Promise<QueuedRun[]>;
  /** The execution's approvals by id (StoreTx has no read of them). */
  readApprovals(executionId: string): Promise<ApprovalRow[]>;
  /** Every event_refs row, ordered by event id then ref (StoreTx has no read of them). */
  eventRefs(): Promise<{ ref: string; eventId: string }[]>;
  /** The audit log oldest first, as far as the hash chain goes. */
  auditRows(): Promise<AuditChainRow[]>;
  /**
   * How many transactions wait for an advisory lock in this database right now (PostgreSQL:
   * pg_locks not granted); always 0 on SQLite, whose writers never wait inside a transaction.
   */
  advisoryLockWaits(): Promise<number>;
  /** How many transactions wait for a lock of any kind (a row another one writes…) in this database right now; always 0 on SQLite. */
  lockWaits(): Promise<number>;
  /**
   * PostgreSQL: makes flows.id compare by a linguistic collation, as in a database created with
   * a locale such as en_US.UTF-8 (the test server's default may be C, which compares bytes), so a
   * case can tell whether a query orders flow ids by bytes as SQLite does. False when the server
   * has no such collation (nothing changed), and on SQLite, whose text compares bytes (BINARY).
   */
  linguisticFlowIds(): Promise<boolean>;
  /** As linguisticFlowIds, for these text columns (`table.column`, e.g. `users.username`); PostgreSQL with ICU only. */
  linguisticColumns(columns: readonly string[]): Promise<boolean>;
}

export interface StoreEngine {
  name: 'sqlite' | 'postgres';
  /** False when the engine cannot run here (no PostgreSQL server): its cases are skipped. */
  available: boolean;
  open(): Promise<OpenEngine>;
}

/** The two engines; call once at the top of a test file (it registers the clean-up). */
export function storeEngines(): StoreEngine[] {
  const dirs: string[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const freshPostgres = postgresAvailable ? databasesPerTest() : undefined;

  const sqlite: StoreEngine = {
    name: 'sqlite',
    available: true,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'salve-engine-'));
      dirs.push(dir);
      const store = new SqliteStore(join(dir, 'salve.db'));
      closers.push(() => store.close());
      return {
        sqlite: store,
        runQueue: async () => store.db.select({ id: sqliteSchema.executions.id }).from(sqliteSchema.executions).where(eq(sqliteSchema.executions.status, 'queued')).all().map((r) => r.id).sort(),
        readApprovals: async (executionId) =>
          store.db.select().from(sqliteSchema.approvals).where(eq(sqliteSchema.approvals.executionId, executionId)).orderBy(asc(sqliteSchema.approvals.id)).all(),
        eventRefs: async () => {
          const { eventRefs } = sqliteSchema;
          return store.db.select({ ref: eventRefs.ref, eventId: eventRefs.eventId }).from(eventRefs).orderBy(asc(eventRefs.eventId), asc(eventRefs.ref)).all();
        },
        auditRows: async () => {
          const { audit } = sqliteSchema;
          return store.db.select({ id: audit.id, action: audit.action, prevHash: audit.prevHash, hash: audit.hash }).from(audit).orderBy(asc(audit.id)).all();
        },
        advisoryLockWaits: async () => 0,
        lockWaits: async () => 0,
        linguisticFlowIds: async () => false,
        linguisticColumns: async () => false,
        run: (fn) => store.write((db) => fn(sqliteTx(db))),
        takeQueued: (limit) => sqliteStore(store).takeQueued(limit, new Set()),
        seed: async ({ executions = [], steps = [], flows = [], breakers = [], revisions = [], approvals = [], approvalDecisions = [], approvalLinks = [], memberships = [], users = [] }) => {
          store.writeNow((db) => {
            if (executions.length) db.insert(sqliteSchema.executions).values(executions).run();
            if (steps.length) db.insert(sqliteSchema.steps).values(steps).run();
            if (flows.length) db.insert(sqliteSchema.flows).values(flows).run();
            if (breakers.length) db.insert(sqliteSchema.flowBreakers).values(breakers).run();
            if (revisions.length) db.insert(sqliteSchema.flowRevisions).values(revisions).run();
            if (approvals.length) db.insert(sqliteSchema.approvals).values(approvals).run();
            if (approvalDecisions.length) db.insert(sqliteSchema.approvalDecisions).values(approvalDecisions).run();
            if (approvalLinks.length) db.insert(sqliteSchema.approvalLinks).values(approvalLinks).run();
            if (memberships.length) db.insert(sqliteSchema.memberships).values(memberships).run();
            if (users.length) db.insert(sqliteSchema.users).values(users).run();
          });
        },
      };
    },
  };

  const postgres: StoreEngine = {
    name: 'postgres',
    available: postgresAvailable,
    open: async () => {
      const database = await freshPostgres!();
      await migratePostgres(database.url);
      const pool = new PostgresPool(database.url);
      const queue = await RunQueue.open(pool);
      // Closed before the database is dropped (databasesPerTest's afterEach runs later).
      closers.unshift(async () => {
        await queue.close();
        await pool.close();
      });
      return {
        run: (fn) => pool.transaction((client) => fn(pgTx(client, queue))),
        takeQueued: (limit) => new PostgresStore(pool, queue).takeQueued(limit),
        runQueue: () =>
          pool.read(async (client) => {
            const jobs = await client.query<{ id: string }>("select data->>'executionId' as id from pgboss.job where name = $1 and state = 'created'", [RUN_QUEUE]);
            return jobs.rows.map((r) => r.id).sort();
          }),
        readApprovals: (executionId) =>
          pool.read((client) =>
            drizzle(client, { schema: pgSchema })
              .select()
              .from(pgSchema.approvals)
              .where(eq(pgSchema.approvals.executionId, executionId))
              .orderBy(asc(pgSchema.approvals.id)),
          ),
        eventRefs: () =>
          pool.read((client) => {
            const { eventRefs } = pgSchema;
            return drizzle(client, { schema: pgSchema })
              .select({ ref: eventRefs.ref, eventId: eventRefs.eventId })
              .from(eventRefs)
              // Bytes, as SQLite compares text.
              .orderBy(sql`${eventRefs.eventId} collate "C"`, sql`${eventRefs.ref} collate "C"`);
          }),
        auditRows: () =>
          pool.read((client) => {
            const { audit } = pgSchema;
            return drizzle(client, { schema: pgSchema })
              .select({ id: audit.id, action: audit.action, prevHash: audit.prevHash, hash: audit.hash })
              .from(audit)
              .orderBy(asc(audit.id));
          }),
        advisoryLockWaits: () =>
          pool.read(async (client) => {
            const waits = await client.query<{ n: number }>(
              "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())",
            );
            return waits.rows[0]?.n ?? 0;
          }),
        lockWaits: () =>
          pool.read(async (client) => {
            const waits = await client.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
            return waits.rows[0]?.n ?? 0;
          }),
        linguisticFlowIds: () =>
          pool.read(async (client) => {
            // ICU's English with punctuation skipped at first ('ab' before 'a-z'), as glibc's en_US.UTF-8
            // (not installed everywhere); failing that, glibc's own.
            const icu = await client.query("select 1 from pg_collation where collprovider = 'i' limit 1");
            let collation: string | undefined;
            if (icu.rowCount) {
              await client.query("create collation salve_test_linguistic (provider = icu, locale = 'en-u-ka-shifted')");
              collation = 'salve_test_linguistic';
            } else {
              const libc = await client.query<{ name: string }>("select collname as name from pg_collation where collname in ('en_US.utf8', 'en_US.UTF-8') limit 1");
              collation = libc.rows[0]?.name;
            }
            if (collation === undefined) return false;
            await client.query(`alter table flows alter column id type text collate "${collation}"`);
            return true;
          }),
        linguisticColumns: (columns) =>
          pool.read(async (client) => {
            const icu = await client.query("select 1 from pg_collation where collprovider = 'i' limit 1");
            if (!icu.rowCount) return false;
            // The collation linguisticFlowIds makes ('ab' before 'a-z', capitals mixed in), made once per database.
            await client.query("create collation if not exists salve_test_linguistic (provider = icu, locale = 'en-u-ka-shifted')");
            for (const name of columns) {
              const [table, column] = name.split('.');
              await client.query(`alter table "${table}" alter column "${column}" type text collate "salve_test_linguistic"`);
            }
            return true;
          }),
        seed: async ({ executions = [], steps = [], flows = [], breakers = [], revisions = [], approvals = [], approvalDecisions = [], approvalLinks = [], memberships = [], users = [] }) => {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            const db = drizzle(client, { schema: pgSchema });
            if (executions.length) await db.insert(pgSchema.executions).values(executions);
            if (steps.length) await db.insert(pgSchema.steps).values(steps);
            if (flows.length) await db.insert(pgSchema.flows).values(flows);
            if (breakers.length) await db.insert(pgSchema.flowBreakers).values(breakers);
            if (revisions.length) await db.insert(pgSchema.flowRevisions).values(revisions);
            if (approvals.length) await db.insert(pgSchema.approvals).values(approvals);
            if (approvalDecisions.length) await db.insert(pgSchema.approvalDecisions).values(approvalDecisions);
            if (approvalLinks.length) await db.insert(pgSchema.approvalLinks).values(approvalLinks);
            if (memberships.length) await db.insert(pgSchema.memberships).values(memberships);
            if (users.length) await db.insert(pgSchema.users).values(users);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
  return [sqlite, postgres];
}
