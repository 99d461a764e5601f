import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../runtime/store/audit-repo.js';
import { openStore } from '../../runtime/store/db.js';
import { appendAuditPostgres } from '../../runtime/store/pg/audit-append.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import pg from 'pg';
import { runCliCaptured } from '../kit/cli.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';

/** A data directory whose audit log has `n` rows, appended (and chained) as Salve appends them. */
async function dataDirWithAudit(n: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'salve-pg-audit-'));
  const store = openStore(dir);
  await store.write((db) => {
    for (let i = 1; i <= n; i++) {
      appendAudit(db, { actor: { name: `user-${i % 3}`, via: 'session', address: '127.0.0.1' }, action: 'flow.update', target: `f${i}`, details: { revision: i, note: 'é “quoted”' }, now: Date.UTC(2026, 11, 5, 9, 0, i) });
    }
  });
  store.close();
  return dir;
}

const lastHash = (text: string) => /hash ([0-9a-f]{64})/.exec(text)?.[1];

describe.runIf(postgresAvailable)('salve audit verify --database (PostgreSQL)', () => {
  const fresh = databasesPerTest();
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('after salve copy, the chain verifies on PostgreSQL with the same last hash as in SQLite (read page by page)', async () => {
    const dir = await dataDirWithAudit(2_500);
    dirs.push(dir);
    const db = await fresh();
    const onSqlite = await runCliCaptured('audit', 'verify', '--data', dir);
    expect(onSqlite.out).toContain('audit chain intact: 2500 rows; last row 2500');
    const copied = await runCliCaptured('copy', '--from', dir, '--to', db.url);
    expect(copied.code).toBe(0);
    expect(copied.err).toBe('');
    // copy itself read the chain back from PostgreSQL before committing.
    expect(copied.out).toContain(`audit chain intact on both: 2500 rows; last row 2500, hash ${lastHash(onSqlite.out)}`);

    const onPostgres = await runCliCaptured('audit', 'verify', '--database', db.url);
    expect(onPostgres.err).toBe('');
    expect(onPostgres.code).toBe(0);
    expect(onPostgres.out).toContain('audit chain intact: 2500 rows; last row 2500');
    expect(lastHash(onPostgres.out)).toBe(lastHash(onSqlite.out));
  });

  it('copy reads back what it wrote before committing: rows lost or an audit row changed on the way roll the copy back', async () => {
    const dir = await dataDirWithAudit(5);
    dirs.push(dir);
    const db = await fresh();
    await migratePostgres(db.url);
    // A target that does not keep what it is sent (a trigger stands in for a faulty proxy or extension).
    await db.query((c) =>
      c.query(`create function change_actor() returns trigger language plpgsql as $$ begin if new.id = 4 then new.actor := 'someone-else'; end if; return new; end $$;
               create trigger change_actor before insert on audit for each row execute function change_actor();`),
    );
    const changed = await runCliCaptured('copy', '--from', dir, '--to', db.url);
    expect(changed.code).toBe(1);
    expect(changed.err).toContain('differs from the source');
    expect(changed.err).toContain('audit row 4');
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from audit')).rows[0].n)).toBe(0);

    await db.query((c) =>
      c.query(`drop trigger change_actor on audit;
               create function drop_teams() returns trigger language plpgsql as $$ begin return null; end $$;
               create trigger drop_teams before insert on teams for each row execute function drop_teams();`),
    );
    const lost = await runCliCaptured('copy', '--from', dir, '--to', db.url);
    expect(lost.code).toBe(1);
    expect(lost.err).toMatch(/teams: \d+ rows sent but 0 found before COMMIT: nothing was copied/);
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from audit')).rows[0].n)).toBe(0);
  });

  it('names the first row changed behind Salve’s back (exit 1)', async () => {
    const dir = await dataDirWithAudit(5);
    dirs.push(dir);
    const db = await fresh();
    expect((await runCliCaptured('copy', '--from', dir, '--to', db.url)).code).toBe(0);
    // Someone with the database's owner rights: drops the guard, edits a row.
    await db.query(async (c) => {
      await c.query('alter table audit disable trigger audit_no_update');
      await c.query("update audit set actor = 'someone-else' where id = 3");
    });
    const run = await runCliCaptured('audit', 'verify', '--database', db.url);
    expect(run.code).toBe(1);
    expect(run.err).toContain('audit row 3 (2026-12-05T09:00:03.000Z, flow.update): hash does not match');
  });

  it('an empty log, and a database without Salve’s tables', async () => {
    const db = await fresh();
    const bare = await runCliCaptured('audit', 'verify', '--database', db.url);
    expect(bare.code).toBe(1);
    expect(bare.err).toContain('has no Salve tables: "salve migrate --database" or "salve copy" makes them');
    await migratePostgres(db.url);
    const empty = await runCliCaptured('audit', 'verify', '--database', db.url);
    expect(empty.code).toBe(0);
    expect(empty.out).toContain('audit log is empty');
  });

  it('appends from three processes at once: one chain, consecutive ids, the same hashes SQLite would write', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const entry = (writer: number, i: number) => ({ actor: { name: `writer-${writer}`, via: 'token' as const }, action: 'run.release', target: `e${writer}-${i}`, details: { i }, now: Date.UTC(2026, 11, 5, 10, 0, 0, i) });
    // Three sessions, as three Salve processes have: each appends 40 records, one transaction each.
    await Promise.all(
      [1, 2, 3].map(async (writer) => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          for (let i = 0; i < 40; i++) {
            await client.query('begin');
            await appendAuditPostgres(client, entry(writer, i));
            await client.query('commit');
          }
        } finally {
          await client.end();
        }
      }),
    );
    const verified = await runCliCaptured('audit', 'verify', '--database', db.url);
    expect(verified.err).toBe('');
    expect(verified.out).toContain('audit chain intact: 120 rows; last row 120');

    // The same records in the same order appended on SQLite give the same chain, hash for hash.
    const order = await db.query(async (c) => (await c.query<{ actor: string; target: string }>('select actor, target from audit order by id')).rows);
    const dir = mkdtempSync(join(tmpdir(), 'salve-pg-audit-'));
    dirs.push(dir);
    const store = openStore(dir);
    await store.write((w) => {
      for (const { actor, target } of order) {
        const [writer, i] = target.slice(1).split('-').map(Number) as [number, number];
        expect(actor).toBe(`writer-${writer}`);
        appendAudit(w, entry(writer, i));
      }
    });
    store.close();
    const onSqlite = await runCliCaptured('audit', 'verify', '--data', dir);
    expect(lastHash(onSqlite.out)).toBe(lastHash(verified.out));
  });
});
