import { asc, count, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { secrets } from './schema.js';
import { settingsRepo } from './settings-repo.js';

/** One stored secret: its encrypted value (see runtime/engine/secrets/crypto.ts) and what people see of it. */
export interface SecretRow {
  name: string;
  ciphertext: string;
  iv: string;
  tag: string;
  wrappedKey: string;
  /** The master key that wrapped `wrappedKey`. */
  keyId: string;
  description: string;
  hosts: string[];
  /** The team that owns it: its editors change it, its flows use it. */
  teamId: string;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

/**
 * The settings key of the secrets revision: bumped by every change to the secrets table, so a
 * process (the server) knows to read it again. Shared with the PostgreSQL side (pg/tx.ts).
 */
export const SECRETS_REVISION_KEY = 'secrets.revision';
/** The id of the master key every new data key must be wrapped with; set by the first write and by rotation. */
export const SECRETS_MASTER_KEY_ID_KEY = 'secrets.master_key_id';

type Row = typeof secrets.$inferSelect;

function parseHosts(name: string, text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((h) => typeof h === 'string')) {
    throw new Error(`stored secret ${name}: its hosts are not a list of strings (the database was changed outside Salve)`);
  }
  return parsed;
}

/** A stored row as a SecretRow (its hosts parsed); PostgreSQL's rows have the same shape. */
export const toSecretRow = (row: Row): SecretRow => ({ ...row, hosts: parseHosts(row.name, row.hosts) });

/** A SecretRow as the columns store it (its hosts as JSON text). */
export const secretValues = (row: SecretRow): Row => ({ ...row, hosts: JSON.stringify(row.hosts) });

/** Reads and writes of the `secrets` table. Values are encrypted before they get here. */
export const secretsRepo = {
  /** Every stored secret, by name. */
  list(db: Db): SecretRow[] {
    return db.select().from(secrets).orderBy(asc(secrets.name)).all().map(toSecretRow);
  },

  get(db: Db, name: string): SecretRow | undefined {
    const row = db.select().from(secrets).where(eq(secrets.name, name)).get();
    return row && toSecretRow(row);
  },

  count(db: Db): number {
    return db.select({ n: count() }).from(secrets).get()?.n ?? 0;
  },

  /** Inserts or replaces secret `row.name`. */
  put(db: Db, row: SecretRow): void {
    const values = secretValues(row);
    const { name: _name, createdAt: _createdAt, ...changes } = values;
    db.insert(secrets).values(values).onConflictDoUpdate({ target: secrets.name, set: changes }).run();
    secretsRepo.bump(db, row.updatedAt);
  },

  /** Replaces one row's wrapped data key (rotation); the value and its metadata are unchanged. */
  rewrap(db: Db, name: string, wrap: { wrappedKey: string; keyId: string }, now: number): void {
    db.update(secrets).set(wrap).where(eq(secrets.name, name)).run();
    secretsRepo.bump(db, now);
  },

  delete(db: Db, name: string, now: number): boolean {
    const deleted = db.delete(secrets).where(eq(secrets.name, name)).run().changes > 0;
    if (deleted) secretsRepo.bump(db, now);
    return deleted;
  },

  /** A number that changes whenever the table does (0 before the first change). */
  revision(db: Db): number {
    return Number(settingsRepo.get(db, SECRETS_REVISION_KEY) ?? '0');
  },

  bump(db: Db, now: number): void {
    settingsRepo.set(db, SECRETS_REVISION_KEY, String(secretsRepo.revision(db) + 1), now);
  },

  /** The id of the master key new data keys are wrapped with; undefined until the first secret is stored. */
  masterKeyId(db: Db): string | undefined {
    return settingsRepo.get(db, SECRETS_MASTER_KEY_ID_KEY);
  },

  setMasterKeyId(db: Db, id: string, now: number): void {
    settingsRepo.set(db, SECRETS_MASTER_KEY_ID_KEY, id, now);
  },
};
