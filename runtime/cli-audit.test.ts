import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { appendAudit } from './store/audit-repo.js';
import { openStore } from './store/db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data directory whose audit log has `n` rows, written as Salve writes them. */
async function dataDirWith(n: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'salve-audit-'));
  dirs.push(dir);
  const store = openStore(dir);
  for (let i = 1; i <= n; i++) {
    await store.write((db) => appendAudit(db, { actor: { name: 'admin', via: 'session', address: '127.0.0.1' }, action: 'flow.update', target: `f${i}`, now: Date.UTC(2026, 11, 5, 9, i) }));
  }
  store.close();
  return dir;
}

/** Changes the database file directly, as someone with write access to it could (triggers dropped). */
function editDirectly(dir: string, sql: string): void {
  const db = new Database(join(dir, 'salve.db'));
  db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  db.exec(sql);
  db.close();
}

async function verify(dir: string) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runCli(['audit', 'verify', '--data', dir], { log: (s) => lines.push(s), error: (s) => errors.push(s) });
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}

describe('salve audit verify', () => {
  it('says the chain is intact, with the count and the last hash to keep elsewhere', async () => {
    const dir = await dataDirWith(3);
    const result = await verify(dir);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^audit chain intact: 3 rows; last row 3, hash [0-9a-f]{64}$/);
  });

  it('names a row that was changed in the database file', async () => {
    const dir = await dataDirWith(3);
    editDirectly(dir, "UPDATE audit SET actor = 'nobody' WHERE id = 2");
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.err).toBe('salve: audit row 2 (2026-12-05T09:02:00.000Z, flow.update): hash does not match');
  });

  it('names a row that was removed', async () => {
    const dir = await dataDirWith(3);
    editDirectly(dir, 'DELETE FROM audit WHERE id = 2');
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.err).toBe('salve: row 2 is missing after 1');
  });

  it('is a usage error without a database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-audit-'));
    dirs.push(dir);
    const result = await verify(dir);
    expect(result.code).toBe(2);
    expect(result.err).toContain('no Salve database');
  });
});
