import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommand, postgresUrlOption, UsageError } from './cli-args.js';
import { type ChainReport, verifyAuditChain } from './store/audit-chain.js';
import { verifyPostgresAuditChain } from './store/pg/audit-verify.js';

/**
 * `salve audit verify`: re-computes the audit log's hash chain from the database file, opened
 * read-only (nothing is migrated or written; safe while Salve runs), and names the first row
 * that was altered, removed or inserted.
 */

export const AUDIT_HELP = `  salve audit verify [--data DIR | --database postgres://…]
                                    re-compute the audit log's hash chain (read-only); exit 1 names the first bad row`;

type Out = { log: (s: string) => void; error: (s: string) => void };

function hasChainColumns(db: Database.Database): boolean {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('audit')`).all() as { name: string }[];
  return columns.some((c) => c.name === 'hash');
}

/** Prints a verification's outcome; its exit code. */
function printReport(report: ChainReport, out: Out): number {
  if (!report.ok) {
    out.error(`salve: ${report.problem}`);
    return 1;
  }
  out.log(
    report.rows === 0
      ? 'audit log is empty: nothing to verify'
      : `audit chain intact: ${report.rows} row${report.rows === 1 ? '' : 's'}; last row ${report.lastId}, hash ${report.lastHash}`,
  );
  return 0;
}

async function cmdVerify(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parseCommand(args, { data: { type: 'string' }, database: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const database = postgresUrlOption(values);
  if (database !== undefined) return printReport(await verifyPostgresAuditChain(database), out);
  const dataDir = resolve(values.data ?? process.env.SALVE_DATA ?? './data');
  const file = join(dataDir, 'salve.db');
  if (!existsSync(file)) throw new UsageError(`no Salve database in ${dataDir}: pass --data (or set SALVE_DATA) to the server's data directory`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    if (!hasChainColumns(db)) {
      out.error(`salve: the audit log in ${file} has no hash chain yet: start this version of Salve once to chain it, then verify`);
      return 1;
    }
    return printReport(verifyAuditChain(db), out);
  } finally {
    db.close();
  }
}

/** Runs `salve audit <subcommand> …`. */
export async function cmdAudit(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') return cmdVerify(rest, out);
  throw new UsageError(sub ? `unknown audit command "${sub}"` : `salve audit verify\n${AUDIT_HELP}`);
}
