import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConflictError } from '../shared/errors.js';
import { parseCommand, UsageError } from './cli-args.js';
import { dataDirHolder } from './lockfile.js';
import { copySqliteToPostgres } from './store/pg/copy.js';
import { isPostgresUrl } from './store/pg/migrate.js';

export const COPY_HELP = `  salve copy --from ./data --to postgres://…
                                    copy an installation's SQLite database (a data directory or its
                                    salve.db) into an empty PostgreSQL database, in one transaction`;

type Out = { log: (s: string) => void; error: (s: string) => void };

/**
 * `salve copy`: moves an installation to PostgreSQL (store/pg/copy.ts). Refused while a server
 * runs on the data directory: what it wrote after the copy's snapshot would be left behind.
 */
export async function cmdCopy(args: string[], out: Out): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, { from: { type: 'string' }, to: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!flags.from || !flags.to) throw new UsageError('salve copy --from <data directory or salve.db> --to postgres://…');
  if (!isPostgresUrl(flags.to)) throw new UsageError('--to must be a postgres:// or postgresql:// URL');
  const from = resolve(flags.from);
  const file = existsSync(from) && statSync(from).isDirectory() ? join(from, 'salve.db') : from;
  if (!existsSync(file)) throw new UsageError(`--from: no Salve database at ${file}`);
  const pid = dataDirHolder(dirname(file));
  if (pid !== undefined) throw new ConflictError(`Salve (process ${pid}) is running on ${dirname(file)}: stop it first, or what it writes after the copy is left behind`);
  const report = await copySqliteToPostgres(file, flags.to);
  const total = report.tables.reduce((n, t) => n + t.rows, 0);
  out.log(`copied ${total} rows from ${file} to ${report.target} in one transaction:`);
  for (const t of report.tables) if (t.rows > 0) out.log(`  ${t.name}: ${t.rows}`);
  const audit = report.audit;
  if (audit.ok) out.log(audit.rows === 0 ? 'audit log: empty' : `audit chain intact on both: ${audit.rows} rows; last row ${audit.lastId}, hash ${audit.lastHash}`);
  else out.error(`warning: the source's audit log was already broken, and was copied as it is: ${audit.problem}`);
  out.log('Secrets were copied encrypted: the processes that use this database need the same master key.');
  return 0;
}
