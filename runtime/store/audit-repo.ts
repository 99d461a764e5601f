import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../shared/audit.js';
import { auditRowHash, type ChainedFields, GENESIS_HASH } from './audit-chain.js';
import type { Db } from './db.js';
import { audit } from './schema.js';

/** A summary (details, before, after) longer than this is replaced by a note: audit rows stay small. */
const SUMMARY_MAX_CHARS = 4096;

function summary(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length <= SUMMARY_MAX_CHARS ? json : JSON.stringify({ truncated: true, chars: json.length });
}

export interface AuditInput {
  actor: Actor;
  action: string;
  target: string;
  /** Context (revision, execution id, comment…); never a secret value. */
  details?: unknown;
  /** Small summaries of the target before and after, where they apply; secrets by name only. */
  before?: unknown;
  after?: unknown;
  now: number;
}

/**
 * The row that follows `last` (the newest row, if any) for `entry`, with its hash: the next id
 * and the link to `last`'s hash (audit-chain.ts). Both engines append with it.
 */
export function nextAuditRow(entry: AuditInput, last: { id: number; hash: string } | undefined): ChainedFields & { hash: string } {
  const row: ChainedFields = {
    id: (last?.id ?? 0) + 1,
    at: entry.now,
    actor: entry.actor.name,
    via: entry.actor.via,
    address: entry.actor.address ?? null,
    action: entry.action,
    target: entry.target,
    details: summary(entry.details ?? {}),
    before: entry.before === undefined ? null : summary(entry.before),
    after: entry.after === undefined ? null : summary(entry.after),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return { ...row, hash: auditRowHash(row) };
}

/**
 * Appends one audit record: the only writer of the audit table. Call it inside the write
 * transaction of the change it records. It takes the next id after the last row and chains the
 * row to that row's hash (audit-chain.ts); the transaction holds the write lock, so no other
 * writer (another process included) can append in between.
 */
export function appendAudit(db: Db, entry: AuditInput): void {
  const last = db.select({ id: audit.id, hash: audit.hash }).from(audit).orderBy(desc(audit.id)).limit(1).get();
  db.insert(audit).values(nextAuditRow(entry, last)).run();
}

export type AuditRow = typeof audit.$inferSelect;

export interface AuditFilter {
  actor?: string;
  via?: string;
  action?: string;
  /** Rows whose target starts with this. */
  targetPrefix?: string;
  from?: number;
  to?: number;
  /** Rows older than this id (the cursor of the previous page). */
  before?: number;
  limit: number;
}

/** `column` starts with `prefix`, case and all (LIKE would ignore case and read % and _). */
const startsWith = (column: typeof audit.action | typeof audit.target, prefix: string) => sql`substr(${column}, 1, ${prefix.length}) = ${prefix}`;

export const auditRepo = {
  /** Newest first. */
  list(db: Db, f: AuditFilter): AuditRow[] {
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
      .limit(f.limit)
      .all();
  },
};
