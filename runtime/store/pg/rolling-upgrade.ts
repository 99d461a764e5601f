/**
 * Whether a PostgreSQL migration can be applied while processes of the previous version keep
 * running (a rolling upgrade). They can when it only ADDS: new tables, new indexes, new nullable
 * columns or columns with a default. Older code never names what it does not know, so it keeps
 * working. Anything else (a drop, a rename, a changed type, a new NOT NULL or unique rule on an
 * existing table, a trigger, a data change) may break the statements older processes send, so
 * `salve migrate` and `serve` refuse to apply it while other Salve processes are connected.
 *
 * The judgement reads drizzle-kit's SQL statement by statement. What it does not recognise is
 * NOT additive: a false alarm costs a full stop, a miss costs a broken cluster.
 */

/** Migrations judged by a person, with the reason: older processes tolerate them although the rules above would not say so. */
const REVIEWED: Readonly<Record<string, string>> = {
  '0001_audit_append_only': 'its triggers refuse UPDATE and DELETE on audit rows, which no version of Salve sends',
};

/** One statement that older processes may not tolerate, and why. */
interface NotAdditive {
  statement: string;
  why: string;
}

/** The verdict on one migration. */
export type RollingVerdict = { additive: true; reviewed?: string } | { additive: false; problems: NotAdditive[] };

/** The statement's SQL without `--` comment lines, on one line. */
function clean(statement: string): string {
  return statement
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The table an `ALTER TABLE` / `CREATE … ON` names, unquoted and without its schema. */
function tableName(raw: string): string {
  return raw.replace(/"/g, '').split('.').at(-1) ?? raw;
}

/** Why `sql` (one statement) is not additive, or undefined when it is; `created` holds the tables this migration creates. */
function problemOf(sql: string, created: Set<string>): string | undefined {
  const s = sql.toUpperCase();
  const table = /^CREATE TABLE (?:IF NOT EXISTS )?("?[\w.]+"?)/i.exec(sql);
  if (table) {
    created.add(tableName(table[1]!));
    return undefined;
  }
  const index = /^CREATE (UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?"?\w+"? ON (?:ONLY )?("?[\w.]+"?)/i.exec(sql);
  if (index) {
    if (!index[1] || created.has(tableName(index[2]!))) return undefined;
    return 'a unique index on an existing table: older processes may write rows it refuses';
  }
  const alter = /^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?("?[\w.]+"?) (.*)$/i.exec(sql);
  if (alter) {
    const action = alter[2]!;
    if (created.has(tableName(alter[1]!))) return undefined;
    if (/^ADD COLUMN /i.test(action)) {
      // Older processes insert rows without the column: it must accept that.
      if (/\bNOT NULL\b/i.test(action) && !/\bDEFAULT\b/i.test(action)) return 'a NOT NULL column without a default: older processes insert rows without it';
      if (/\bUNIQUE\b|\bREFERENCES\b|\bCHECK\b/i.test(action)) return 'a new column with a rule (UNIQUE, REFERENCES or CHECK) that older processes do not know';
      return undefined;
    }
    return 'it changes an existing table (not only a new column)';
  }
  if (/^CREATE SCHEMA /.test(s) || /^COMMENT ON /.test(s)) return undefined;
  if (/^CREATE (?:OR REPLACE )?(?:CONSTRAINT )?TRIGGER /.test(s)) return 'a trigger changes what older processes’ writes do';
  if (/^CREATE OR REPLACE /.test(s)) return 'it replaces something older processes use';
  if (/^CREATE (?:FUNCTION|TYPE|SEQUENCE) /.test(s)) return undefined;
  if (/^(?:DROP|TRUNCATE|UPDATE|DELETE|INSERT|ALTER) /.test(s)) return 'it drops, changes or rewrites something older processes use';
  return 'not recognised as additive';
}

/** The verdict on the migration `tag` whose SQL (drizzle-kit's, `--> statement-breakpoint` between statements) is `sql`. */
export function rollingVerdict(tag: string, sql: string): RollingVerdict {
  const reviewed = REVIEWED[tag];
  if (reviewed !== undefined) return { additive: true, reviewed };
  const created = new Set<string>();
  const problems: NotAdditive[] = [];
  for (const part of sql.split('--> statement-breakpoint')) {
    const statement = clean(part);
    if (statement === '') continue;
    const why = problemOf(statement, created);
    if (why) problems.push({ statement: statement.length > 120 ? `${statement.slice(0, 117)}...` : statement, why });
  }
  return problems.length === 0 ? { additive: true } : { additive: false, problems };
}
