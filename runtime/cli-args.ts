import { parseArgs } from 'node:util';
import { isPostgresUrl } from './store/pg/migrate.js';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {}

/** `-h` or `--help` was given to a command: the caller prints the usage (exit code 0). */
export class HelpRequested extends Error {}

/**
 * The options one command takes: a `string` option takes a value, a `boolean` one is a switch.
 * A `multiple` string option may be given several times (its values in order).
 */
export type CommandOptions = Record<string, { type: 'string' | 'boolean'; multiple?: true }>;

/** The options given, typed by their declaration. */
export type OptionValues<O extends CommandOptions> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? (O[K]['multiple'] extends true ? string[] : string) : boolean;
};

// Every command takes -h/--help.
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses one command's arguments with node:util `parseArgs`: `--name value`, `--name=value`,
 * switches, and `--` ending the options. Mistakes are UsageErrors in Salve's words rather than
 * Node's: every unknown option named at once, and a missing value named. A value may start with
 * one dash (`--token -x`) but not two: `--port --host` is a forgotten value, not a port.
 * `-h`/`--help` throws HelpRequested, before any mistake is reported.
 */
export function parseCommand<O extends CommandOptions>(args: string[], options: O): { positionals: string[]; values: OptionValues<O> } {
  // Not strict: strict mode stops at the first unknown option and refuses `--token -x`.
  const declared: CommandOptions = { ...options, ...HELP };
  const { values, positionals, tokens } = parseArgs({ args, options: declared, strict: false, allowPositionals: true, tokens: true });
  if (values.help === true) throw new HelpRequested();
  const unknown = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const type = Object.hasOwn(declared, token.name) ? declared[token.name]!.type : undefined;
    if (type === undefined) unknown.add(token.rawName);
    else if (type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))) {
      throw new UsageError(`${token.rawName} needs a value`);
    } else if (type === 'boolean' && token.value !== undefined) {
      throw new UsageError(`${token.rawName} takes no value`);
    }
  }
  if (unknown.size > 0) throw new UsageError(`unknown option ${[...unknown].join(', ')}`);
  const { help: _help, ...given } = values;
  return { positionals, values: given as OptionValues<O> };
}

/**
 * The PostgreSQL URL a command was given (`--database`, else SALVE_DATABASE_URL), or undefined
 * for the data directory's SQLite database. Refuses both at once, and a URL that is not PostgreSQL.
 */
export function postgresUrlOption(values: { database?: string; data?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = values.database ?? env.SALVE_DATABASE_URL;
  if (url === undefined) return undefined;
  if (values.data !== undefined) throw new UsageError('give --data (SQLite) or --database (PostgreSQL), not both');
  if (!isPostgresUrl(url)) throw new UsageError('--database (or SALVE_DATABASE_URL) must be a postgres:// or postgresql:// URL');
  return url;
}

/**
 * The refusal of a command that works on a data directory's SQLite database when there is none:
 * on a PostgreSQL installation (SALVE_DATABASE_URL) it says so, rather than send the operator
 * looking for a file that never existed.
 */
export function noDatabaseIn(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SALVE_DATABASE_URL) {
    return `no Salve database in ${dataDir}: this command works on a data directory's SQLite database; with SALVE_DATABASE_URL (PostgreSQL) use the API or the editor (secrets: PUT /api/secrets/NAME; users and teams: /api/users, /api/teams)`;
  }
  return `no Salve database in ${dataDir}: pass --data (or set SALVE_DATA) to the server's data directory`;
}
