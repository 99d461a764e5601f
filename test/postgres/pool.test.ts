import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/errors.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool } from '../../runtime/store/pg/pool.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';

const setting = (key: string) => ({ key, value: '0', updatedAt: 1 });

describe.runIf(postgresAvailable)('PostgresPool: transactions, races, and a server that goes away', () => {
  const fresh = databasesPerTest();
  const pools: PostgresPool[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.close();
  });
  const setup = async (options = {}) => {
    const db = await fresh();
    await migratePostgres(db.url);
    const pool = new PostgresPool(db.url, options);
    pools.push(pool);
    return { db, pool };
  };
  const value = (pool: PostgresPool, key: string) => pool.read(async (c) => (await c.query<{ value: string }>('select value from settings where key = $1', [key])).rows[0]?.value);

  it('commits what the function wrote, and nothing of a function that throws', async () => {
    const { pool } = await setup();
    const s = setting('kept');
    await pool.transaction((c) => c.query('insert into settings (key, value, updated_at) values ($1, $2, $3)', [s.key, s.value, s.updatedAt]));
    await expect(
      pool.transaction(async (c) => {
        await c.query("insert into settings (key, value, updated_at) values ('lost', 'x', 1)");
        throw new Error('the operation changed its mind');
      }),
    ).rejects.toThrow('the operation changed its mind');
    expect(await value(pool, 'kept')).toBe('0');
    expect(await value(pool, 'lost')).toBeUndefined();
  });

  // The engine's queries go through drizzle, which wraps the driver's error (its SQLSTATE in `cause`).
  it.each(['the pg client', 'drizzle'])('runs a transaction that lost a race again: six serializable increments from two pools at once all count (writes through %s)', async (via) => {
    const { db, pool } = await setup();
    const other = new PostgresPool(db.url);
    pools.push(other);
    await pool.transaction((c) => c.query("insert into settings (key, value, updated_at) values ('counter', '0', 1)"));
    let attempts = 0;
    // Every first attempt reads before any writes, so all but one must lose the race.
    let arrived = 0;
    let allRead!: () => void;
    const barrier = new Promise<void>((resolve) => (allRead = resolve));
    const increment = (p: PostgresPool) => {
      let first = true;
      return p.transaction(async (c) => {
        attempts++;
        await c.query('set transaction isolation level serializable');
        const now = Number((await c.query<{ value: string }>("select value from settings where key = 'counter'")).rows[0]!.value);
        if (first) {
          first = false;
          if (++arrived === 6) allRead();
          await barrier;
        }
        if (via === 'drizzle') await drizzle(c).execute(sql`update settings set value = ${String(now + 1)} where key = 'counter'`);
        else await c.query("update settings set value = $1 where key = 'counter'", [String(now + 1)]);
      });
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => increment(i % 2 ? pool : other)));
    expect(await value(pool, 'counter')).toBe('6');
    // Five lost the first race and ran again; none was lost or counted twice.
    expect(attempts).toBeGreaterThanOrEqual(11);
  });

  it('a connection killed in the middle of a transaction: UnavailableError (503), nothing committed, and the next call works', async () => {
    const { db, pool } = await setup({ applicationName: 'salve-pool-test' });
    const killer = new pg.Client({ connectionString: db.url });
    await killer.connect();
    try {
      const failed = pool.transaction(async (c) => {
        await c.query("insert into settings (key, value, updated_at) values ('half', 'x', 1)");
        // The server ends this very session (as a restart or pg_terminate_backend would).
        await killer.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'salve-pool-test' and pid <> pg_backend_pid()");
        await c.query('select 1');
      });
      await expect(failed).rejects.toBeInstanceOf(UnavailableError);
      await expect(failed).rejects.toThrow(/PostgreSQL at postgres:\/\/.* is unavailable/);
      expect(await value(pool, 'half')).toBeUndefined();
      await pool.transaction((c) => c.query("insert into settings (key, value, updated_at) values ('after', 'y', 1)"));
      expect(await value(pool, 'after')).toBe('y');
    } finally {
      await killer.end();
    }
  });

  it('an idle connection the server closed does not crash the process; the pool opens a new one', async () => {
    const { db, pool } = await setup({ applicationName: 'salve-pool-idle' });
    await pool.read((c) => c.query('select 1'));
    const killer = new pg.Client({ connectionString: db.url });
    await killer.connect();
    await killer.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'salve-pool-idle'");
    await killer.end();
    expect(await pool.read(async (c) => (await c.query<{ one: number }>('select 1 as one')).rows[0]!.one)).toBe(1);
  });
});

describe('PostgresPool: no server', () => {
  it('answers UnavailableError naming the server, not its password, within the connect timeout', async () => {
    const pool = new PostgresPool('postgres://salve:secret-pw-5e1@127.0.0.1:1/salve', { connectTimeoutMs: 2000 });
    try {
      const failed = pool.transaction(async () => 'never');
      await expect(failed).rejects.toBeInstanceOf(UnavailableError);
      await expect(failed).rejects.toThrow('PostgreSQL at postgres://salve:***@127.0.0.1:1/salve is unavailable (ECONNREFUSED)');
    } finally {
      await pool.close();
    }
  });
});
