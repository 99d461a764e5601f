import { afterEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool } from '../../runtime/store/pg/pool.js';
import { RunQueue } from '../../runtime/store/pg/run-queue.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';
import { waitFor } from '../kit/wait.js';

describe.runIf(postgresAvailable)('RunQueue (pg-boss): jobs are enqueued with the transaction, and each goes to one process', () => {
  const fresh = databasesPerTest();
  const open: { pool: PostgresPool; queue?: RunQueue }[] = [];
  afterEach(async () => {
    for (const p of open.splice(0)) {
      await p.queue?.close();
      await p.pool.close();
    }
  });
  /** A "process": its own pool and queue on the database at `url`. */
  const processOn = async (url: string, options = {}) => {
    const pool = new PostgresPool(url);
    const entry: { pool: PostgresPool; queue?: RunQueue } = { pool };
    open.push(entry);
    entry.queue = await RunQueue.open(pool, options);
    return { pool, queue: entry.queue };
  };

  it('keeps the jobs of a committed transaction and none of a rolled-back one', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const { pool, queue } = await processOn(db.url);
    await pool.transaction((client) => queue.enqueue(client, ['ex-kept-1', 'ex-kept-2']));
    await expect(
      pool.transaction(async (client) => {
        await queue.enqueue(client, ['ex-phantom']);
        throw new Error('the delivery was refused after its runs were enqueued');
      }),
    ).rejects.toThrow('refused');
    expect(await queue.waiting()).toBe(2);
    const jobs = await queue.fetch(10);
    expect(jobs.map((j) => j.executionId).sort()).toEqual(['ex-kept-1', 'ex-kept-2']);
  });

  it('hands each job to one of three processes fetching at once, and a completed job never comes back', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const processes = [await processOn(db.url), await processOn(db.url), await processOn(db.url)];
    const ids = Array.from({ length: 60 }, (_, i) => `ex-${i}`);
    await processes[0]!.pool.transaction((client) => processes[0]!.queue.enqueue(client, ids));
    const fetched = await Promise.all(processes.map(async ({ queue }) => [...(await queue.fetch(25)), ...(await queue.fetch(25))]));
    const all = fetched.flat().map((j) => j.executionId);
    expect(all.sort()).toEqual([...ids].sort()); // every job once, none twice
    for (const [i, { pool, queue }] of processes.entries()) await pool.transaction((client) => queue.complete(client, fetched[i]!.map((j) => j.jobId)));
    expect(await processes[1]!.queue.fetch(100)).toEqual([]);
    expect(await processes[1]!.queue.waiting()).toBe(0);
  });

  it('hands out again a job whose process fetched it and died without completing it', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const options = { expireInSeconds: 1, maintenanceIntervalSeconds: 1 };
    const dying = await processOn(db.url, options);
    await dying.pool.transaction((client) => dying.queue.enqueue(client, ['ex-orphan']));
    expect((await dying.queue.fetch(1)).map((j) => j.executionId)).toEqual(['ex-orphan']);
    await dying.queue.close(); // "dies": the job stays active, never completed
    const other = await processOn(db.url, options);
    const again = await waitFor(async () => {
      const jobs = await other.queue.fetch(1);
      return jobs.length > 0 && jobs;
    }, 20_000, 'the expired job to be handed out again');
    expect(again.map((j) => j.executionId)).toEqual(['ex-orphan']);
  });

  it('completes jobs only with the transaction that claims their runs: rolled back, they are still fetched and come back after their expiry', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const options = { expireInSeconds: 1, maintenanceIntervalSeconds: 1 };
    const claimer = await processOn(db.url, options);
    await claimer.pool.transaction((client) => claimer.queue.enqueue(client, ['ex-unclaimed']));
    const jobs = await claimer.queue.fetch(1);
    expect(jobs.map((j) => j.executionId)).toEqual(['ex-unclaimed']);
    const jobId = jobs[0]!.jobId;
    const state = () => claimer.pool.read(async (c) => (await c.query('select state from pgboss.job where id = $1', [jobId])).rows[0]?.state as string);
    await expect(
      claimer.pool.transaction(async (client) => {
        await claimer.queue.complete(client, [jobId]);
        // Inside the transaction the job is done; no other connection sees that before the commit.
        expect((await client.query('select state from pgboss.job where id = $1', [jobId])).rows[0]?.state).toBe('completed');
        expect(await state()).toBe('active');
        throw new Error('the claim failed after completing its jobs');
      }),
    ).rejects.toThrow('the claim failed');
    expect(await state()).toBe('active');
    // Another process gets it once it expires: the run it points to is not stranded.
    const other = await processOn(db.url, options);
    const again = await waitFor(async () => {
      const fetched = await other.queue.fetch(1);
      return fetched.length > 0 && fetched;
    }, 20_000, 'the job of the rolled-back claim to be handed out again');
    expect(again.map((j) => j.executionId)).toEqual(['ex-unclaimed']);
    await other.pool.transaction((client) => other.queue.complete(client, again.map((j) => j.jobId)));
    expect(await state()).toBe('completed');
  });

  it('says when a fetch failed instead of answering "no jobs" (pg-boss hides its fetch errors)', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const { pool, queue } = await processOn(db.url);
    expect(await queue.fetch(1)).toEqual([]);
    expect(queue.state).toBe('ok');
    open.splice(open.findIndex((p) => p.pool === pool), 1); // closed here instead of after the test
    await queue.close();
    await pool.close(); // as good as PostgreSQL gone, for this process
    await expect(queue.fetch(1)).rejects.toThrow();
    expect(queue.state).toBe('failing');
  });

  it('applies this version\'s expiry to a queue an earlier start created with another', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const earlier = await processOn(db.url, { expireInSeconds: 3600 });
    await earlier.queue.close();
    const options = { expireInSeconds: 1, maintenanceIntervalSeconds: 1 };
    const dying = await processOn(db.url, options);
    await dying.pool.transaction((client) => dying.queue.enqueue(client, ['ex-after-upgrade']));
    expect((await dying.queue.fetch(1)).map((j) => j.executionId)).toEqual(['ex-after-upgrade']);
    await dying.queue.close();
    const other = await processOn(db.url, options);
    // With the hour kept from the first start, this job would not come back within the wait.
    const again = await waitFor(async () => {
      const jobs = await other.queue.fetch(1);
      return jobs.length > 0 && jobs;
    }, 20_000, 'the job to expire after the new setting');
    expect(again.map((j) => j.executionId)).toEqual(['ex-after-upgrade']);
  });
});
