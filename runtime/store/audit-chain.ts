import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * The audit log's hash chain. Each row's `hash` is SHA-256 (hex) over a canonical serialization
 * of its fields and `prev_hash`, the hash of the row before it (GENESIS for the first row). Ids
 * are consecutive (appendAudit assigns them), so a removed row leaves a gap. Changing a row
 * breaks its hash; removing one breaks the ids and the next row's link. Whoever can write the
 * database can still rewrite the whole chain from the changed row on: export the last hash
 * elsewhere to catch that (docs/operations.md, "Audit log").
 */

/** The `prev_hash` of row 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** A row as stored: details/before/after are the stored JSON text, hashed exactly as stored. */
export interface ChainedFields {
  id: number;
  at: number;
  actor: string;
  via: string;
  address: string | null;
  action: string;
  target: string;
  details: string;
  before: string | null;
  after: string | null;
  prevHash: string;
}

/**
 * The canonical serialization: a JSON array in a fixed order behind a version tag. JSON.stringify
 * of strings, integers and null is fully determined, so this is byte-for-byte stable.
 */
export function canonicalAuditRow(r: ChainedFields): string {
  return JSON.stringify(['salve-audit-v1', r.id, r.at, r.actor, r.via, r.address, r.action, r.target, r.details, r.before, r.after, r.prevHash]);
}

export function auditRowHash(r: ChainedFields): string {
  return createHash('sha256').update(canonicalAuditRow(r)).digest('hex');
}

/** A stored row: its chained fields and its own hash. */
export type RawRow = ChainedFields & { hash: string };

const SELECT_ROWS = `SELECT id, at, actor, via, address, action, target, details, before, after, prev_hash AS prevHash, hash FROM audit`;

/**
 * Chains rows written before the chain existed (hash ''), once, at start: they form a prefix of
 * the log (every later row was appended with a hash). The update trigger is dropped and made
 * again in the same transaction, so the log stays append-only for everyone else. Returns how
 * many rows were chained. A row without a hash after a chained one is left as it is: verify
 * names it (it was inserted outside Salve).
 */
export function sealLegacyAuditRows(sqlite: Database.Database): number {
  const firstChained = sqlite.prepare(`SELECT min(id) AS id FROM audit WHERE hash <> ''`).get() as { id: number | null };
  const legacy = sqlite
    .prepare(`${SELECT_ROWS} WHERE hash = '' AND id < ? ORDER BY id`)
    .all(firstChained.id ?? Number.MAX_SAFE_INTEGER) as RawRow[];
  if (legacy.length === 0) return 0;
  const trigger = sqlite.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_no_update'`).get() as { sql: string } | undefined;
  sqlite
    .transaction(() => {
      if (trigger) sqlite.exec('DROP TRIGGER audit_no_update');
      const update = sqlite.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?');
      let prev = GENESIS_HASH;
      for (const row of legacy) {
        const hash = auditRowHash({ ...row, prevHash: prev });
        update.run(prev, hash, row.id);
        prev = hash;
      }
      if (trigger) sqlite.exec(trigger.sql);
    })
    .immediate();
  return legacy.length;
}

/** What verification found: intact (with the count and last hash), or the first problem. */
export type ChainReport = { ok: true; rows: number; lastId: number | null; lastHash: string | null } | { ok: false; rows: number; problem: string };

const describe = (r: RawRow) => `audit row ${r.id} (${new Date(r.at).toISOString()}, ${r.action})`;

/**
 * Checks rows of the log handed to it one by one in id order, keeping only the row before: so a
 * long log is never held in memory, whichever engine it is read from (the SQLite file below,
 * PostgreSQL in pg/audit-verify.ts). The first problem ends the check.
 */
export class AuditChainCheck {
  private prev: RawRow | undefined;
  private rows = 0;
  private problem: string | undefined;

  /** Checks the next row; returns the problem when it is the first bad one (then stop feeding). */
  next(row: RawRow): string | undefined {
    this.rows++;
    this.problem = this.problemOf(row);
    this.prev = row;
    return this.problem;
  }

  private problemOf(row: RawRow): string | undefined {
    const prev = this.prev;
    const expectedId = prev ? prev.id + 1 : 1;
    if (row.id !== expectedId) {
      return prev
        ? `row ${expectedId} is missing after ${prev.id}${row.id > expectedId + 1 ? ` (rows ${expectedId}–${row.id - 1} are gone)` : ''}`
        : `row 1 is missing before ${row.id}${row.id > 2 ? ` (rows 1–${row.id - 1} are gone)` : ''}`;
    }
    if (row.hash === '') return `${describe(row)}: has no hash (written outside Salve, or Salve has not started since the upgrade)`;
    if (auditRowHash(row) !== row.hash) return `${describe(row)}: hash does not match`;
    const link = prev ? prev.hash : GENESIS_HASH;
    if (row.prevHash !== link) {
      return `${describe(row)}: does not follow ${prev ? `row ${prev.id}` : 'the start of the log'} (its prev_hash does not match; the row before it was altered or replaced)`;
    }
    return undefined;
  }

  report(): ChainReport {
    if (this.problem !== undefined) return { ok: false, rows: this.rows, problem: this.problem };
    return { ok: true, rows: this.rows, lastId: this.prev?.id ?? null, lastHash: this.prev?.hash ?? null };
  }
}

/** Re-computes the chain of the SQLite log in id order (read-only) and names the first row that was altered, removed or inserted. */
export function verifyAuditChain(sqlite: Database.Database): ChainReport {
  const check = new AuditChainCheck();
  for (const row of sqlite.prepare(`${SELECT_ROWS} ORDER BY id`).iterate() as IterableIterator<RawRow>) {
    if (check.next(row) !== undefined) break;
  }
  return check.report();
}
