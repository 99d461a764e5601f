import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, tempDataDir } from '../kit/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'salve.js');

/** Runs the `salve` bin as an operator would. */
function salve(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The master key file beside the data directory, as the test kit's servers keep it (removeDir removes both).
    const dataDir = args[args.indexOf('--data') + 1];
    const env = { PATH: process.env.PATH ?? '', SALVE_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef', ...(dataDir ? { XDG_CONFIG_HOME: `${dataDir}-config` } : {}) };
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A data directory whose salve.db a previous, healthy start created and a clean stop checkpointed (no -wal left). */
async function healthyDataDir(): Promise<string> {
  const s = await startServer();
  // A request first: SIGTERM sent the instant "listening" is printed can beat the signal handler.
  expect((await s.api('GET', '/api/flows')).status).toBe(200);
  expect(await s.stop()).toBe(0);
  expect(existsSync(join(s.dataDir, 'salve.db-wal'))).toBe(false);
  return s.dataDir;
}

/** Overwrites `length` bytes of `file` at `offset` with a repeating pattern (a damaged disk block). */
function damage(file: string, offset: number, length: number): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, offset);
  closeSync(fd);
}

/**
 * A database that is not SQLite or is damaged stops the start with one clear message — the
 * file's full path, what is wrong, what to do — exit code 1, no stack trace, and the data
 * directory's lock (salve.pid) released, so fixing the file is all it takes to start again.
 */
describe('an unusable database', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeDir));

  it.each([
    ['not a SQLite file', (file: string) => writeFileSync(file, 'PK\u0003\u0004 a zip file copied over the database '.repeat(200))],
    ['damaged pages after a valid header', (file: string) => damage(file, 100, 64 * 1024)],
  ])('%s: exit 1, the path and what to do, no stack trace, no stale salve.pid', async (_name, spoil) => {
    const dataDir = await healthyDataDir();
    dirs.push(dataDir);
    const file = join(dataDir, 'salve.db');
    spoil(file);
    const r = await salve(['serve', '--port', '0', '--data', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the database ${file} is not a SQLite database or is corrupt`);
    expect(r.stderr).toMatch(/restore salve\.db from your backup/);
    expect(r.stderr).toMatch(/salve doctor/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).not.toMatch(/listening/);
    expect(existsSync(join(dataDir, 'salve.pid'))).toBe(false);

    const doctor = await salve(['doctor', '--data', dataDir]);
    expect(doctor.code).toBe(1);
    expect(doctor.stderr).toContain(file);
    expect(doctor.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('salve doctor passes a healthy database', async () => {
    const dataDir = await healthyDataDir();
    dirs.push(dataDir);
    const r = await salve(['doctor', '--data', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${join(dataDir, 'salve.db')}: integrity check ok`);
  }, 60_000);

  it('a database a newer Salve upgraded: serve refuses to start (exit 1, what to do), and leaves it as it was', async () => {
    const dataDir = await healthyDataDir();
    dirs.push(dataDir);
    const file = join(dataDir, 'salve.db');
    const db = new Database(file);
    // A migration this build does not know, recorded as drizzle records one (a day after the last).
    db.exec("insert into __drizzle_migrations (hash, created_at) select 'from-a-newer-salve', max(created_at) + 86400000 from __drizzle_migrations");
    const rows = () => (db.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
    const before = rows();
    const r = await salve(['serve', '--port', '0', '--data', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the database ${file} was upgraded by a newer Salve`);
    expect(r.stderr).toMatch(/restore the backup taken before the upgrade/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toMatch(/listening/);
    expect(existsSync(join(dataDir, 'salve.pid'))).toBe(false);
    expect(rows()).toBe(before);
    db.close();
  }, 60_000);

  it('releases salve.pid when the start fails for another reason (port in use)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const r = await salve(['serve', '--port', String(port), '--data', dataDir]);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE/);
    expect(existsSync(join(dataDir, 'salve.pid'))).toBe(false);
  }, 60_000);
});
