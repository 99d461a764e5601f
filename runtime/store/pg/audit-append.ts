import type pg from 'pg';
import { type AuditInput, nextAuditRow } from '../audit-repo.js';

/**
 * The audit chain's lock on PostgreSQL. Several Salve processes append to one log: each append
 * reads the newest row and chains to it, so two appends in parallel would both take the same
 * id and link (one would fail on the key, or the chain would fork). A transaction-level advisory
 * lock makes appends take turns; it is released by COMMIT or ROLLBACK. SQLite needs none: its
 * write transaction already excludes every other writer.
 */
const AUDIT_CHAIN_LOCK_KEY = 0x5a1e_a0d1;

/**
 * Appends one audit record on PostgreSQL, inside the caller's open transaction on `client` (the
 * transaction of the change it records), with the same row and hash as SQLite's appendAudit.
 */
export async function appendAuditPostgres(client: pg.ClientBase, entry: AuditInput): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
  const last = await client.query<{ id: string; hash: string }>('select id, hash from audit order by id desc limit 1');
  const newest = last.rows[0];
  const row = nextAuditRow(entry, newest && { id: Number(newest.id), hash: newest.hash });
  await client.query(
    `insert into audit (id, at, actor, via, address, action, target, details, before, after, prev_hash, hash)
     overriding system value values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [row.id, row.at, row.actor, row.via, row.address, row.action, row.target, row.details, row.before, row.after, row.prevHash, row.hash],
  );
}
