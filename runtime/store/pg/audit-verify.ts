import type pg from 'pg';
import { AuditChainCheck, type ChainReport, type RawRow } from '../audit-chain.js';
import { NotFoundError } from '../../../shared/errors.js';
import { connectPostgres, printableUrl } from './migrate.js';

/** Rows read per query: the log is checked page by page, never held whole. */
const PAGE = 1_000;

const SELECT_PAGE = `select id, at, actor, via, address, action, target, details, before, after, prev_hash as "prevHash", hash
  from audit where id > $1 order by id limit ${PAGE}`;

/**
 * Re-computes the audit chain of the database `client` is connected to, page by page, inside
 * whatever transaction the caller has open (a snapshot, or `salve copy`'s write transaction).
 */
export async function checkAuditChain(client: pg.ClientBase): Promise<ChainReport> {
  const check = new AuditChainCheck();
  let after = 0;
  for (;;) {
    // bigint columns arrive as strings: the chain hashes numbers, as SQLite stores them.
    const page = await client.query<RawRow & { id: string; at: string }>(SELECT_PAGE, [after]);
    for (const row of page.rows) {
      if (check.next({ ...row, id: Number(row.id), at: Number(row.at) }) !== undefined) return check.report();
    }
    if (page.rows.length < PAGE) return check.report();
    after = Number(page.rows.at(-1)!.id);
  }
}

/**
 * `salve audit verify --database`: re-computes the audit log's hash chain on PostgreSQL, with the
 * same rules as for SQLite (AuditChainCheck), in one read-only snapshot (REPEATABLE READ): rows
 * appended while it reads do not make a consistent log look broken.
 */
export async function verifyPostgresAuditChain(url: string): Promise<ChainReport> {
  const client = await connectPostgres(url, 'salve audit verify');
  try {
    const table = await client.query<{ t: string | null }>("select to_regclass('public.audit')::text as t");
    if (!table.rows[0]?.t) throw new NotFoundError(`${printableUrl(url)} has no Salve tables: "salve migrate --database" or "salve copy" makes them`);
    await client.query('begin transaction isolation level repeatable read read only');
    return await checkAuditChain(client);
  } finally {
    await client.query('rollback').catch(() => {});
    await client.end().catch(() => {});
  }
}
