import { describe, expect, it } from 'vitest';
import { appendAudit } from './audit-repo.js';
import { auditRowHash, canonicalAuditRow, GENESIS_HASH, sealLegacyAuditRows, verifyAuditChain, type ChainedFields } from './audit-chain.js';
import { SqliteStore } from './db.js';

const row: ChainedFields = {
  id: 7,
  at: Date.UTC(2026, 11, 5, 9, 30),
  actor: 'admin',
  via: 'session',
  address: '192.0.2.10',
  action: 'flow.update',
  target: 'disk-full',
  details: '{}',
  before: '{"revision":1,"name":"Disk full","enabled":true}',
  after: '{"revision":2,"name":"Disk full","enabled":false}',
  prevHash: 'ab'.repeat(32),
};

const token = { name: 'admin', via: 'token' as const, address: '127.0.0.1' };

async function storeWith(n: number): Promise<SqliteStore> {
  const store = new SqliteStore(':memory:');
  for (let i = 0; i < n; i++) await store.write((db) => appendAudit(db, { actor: token, action: 'flow.create', target: `f${i + 1}`, after: { revision: 1 }, now: 1000 + i }));
  return store;
}

/** Edits the audit table as someone with write access to the file would: triggers dropped first. */
function tamper(store: SqliteStore, sql: string): void {
  store.sqlite.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  store.sqlite.exec(sql);
}

describe('audit hash chain', () => {
  it('serializes a row canonically: the same fields give the same bytes and hash, whatever order they were given in', () => {
    const reordered = Object.fromEntries(Object.entries(row).reverse()) as unknown as ChainedFields;
    expect(canonicalAuditRow(reordered)).toBe(canonicalAuditRow(row));
    // Pinned: a change to the serialization would make every existing chain fail to verify.
    expect(canonicalAuditRow(row)).toBe(
      `["salve-audit-v1",7,1796463000000,"admin","session","192.0.2.10","flow.update","disk-full","{}","{\\"revision\\":1,\\"name\\":\\"Disk full\\",\\"enabled\\":true}","{\\"revision\\":2,\\"name\\":\\"Disk full\\",\\"enabled\\":false}","${'ab'.repeat(32)}"]`,
    );
    expect(auditRowHash(row)).toMatch(/^[0-9a-f]{64}$/);
    expect(auditRowHash({ ...row, actor: 'mallory' })).not.toBe(auditRowHash(row));
    expect(auditRowHash({ ...row, prevHash: GENESIS_HASH })).not.toBe(auditRowHash(row));
  });

  it('chains each appended row to the one before, with consecutive ids', async () => {
    const store = await storeWith(3);
    const rows = store.sqlite.prepare('SELECT id, via, address, prev_hash AS prevHash, hash FROM audit ORDER BY id').all() as { id: number; prevHash: string; hash: string }[];
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rows[0]).toMatchObject({ via: 'token', address: '127.0.0.1', prevHash: GENESIS_HASH });
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
    expect(verifyAuditChain(store.sqlite)).toEqual({ ok: true, rows: 3, lastId: 3, lastHash: rows[2]!.hash });
    store.close();
  });

  it('names an altered row, a removed row, and a row inserted without a hash', async () => {
    const altered = await storeWith(4);
    tamper(altered, "UPDATE audit SET actor = 'someone-else' WHERE id = 2");
    expect(verifyAuditChain(altered.sqlite)).toMatchObject({ ok: false, problem: 'audit row 2 (1970-01-01T00:00:01.001Z, flow.create): hash does not match' });
    altered.close();

    const removed = await storeWith(4);
    tamper(removed, 'DELETE FROM audit WHERE id = 3');
    expect(verifyAuditChain(removed.sqlite)).toMatchObject({ ok: false, problem: 'row 3 is missing after 2' });
    removed.close();

    const first = await storeWith(2);
    tamper(first, 'DELETE FROM audit WHERE id = 1');
    expect(verifyAuditChain(first.sqlite)).toMatchObject({ ok: false, problem: 'row 1 is missing before 2' });
    first.close();

    // Rewritten with its own hash recomputed: the next row no longer follows it.
    const rehashed = await storeWith(3);
    const r2 = rehashed.sqlite.prepare('SELECT id, at, actor, via, address, action, target, details, before, after, prev_hash AS prevHash FROM audit WHERE id = 2').get() as ChainedFields;
    const forged = { ...r2, target: 'other' };
    tamper(rehashed, `UPDATE audit SET target = 'other', hash = '${auditRowHash(forged)}' WHERE id = 2`);
    expect(verifyAuditChain(rehashed.sqlite)).toMatchObject({ ok: false, problem: expect.stringMatching(/^audit row 3 \(.*\): does not follow row 2/) });
    rehashed.close();

    const inserted = await storeWith(2);
    inserted.sqlite.exec("INSERT INTO audit (id, at, actor, action, target) VALUES (3, 5000, 'ghost', 'flow.delete', 'f1')");
    expect(verifyAuditChain(inserted.sqlite)).toMatchObject({ ok: false, problem: expect.stringMatching(/^audit row 3 \(.*flow\.delete\): has no hash/) });
    inserted.close();
  });

  it('chains rows written before the chain existed, once, and keeps the log append-only', async () => {
    const store = new SqliteStore(':memory:');
    // As version 0008 wrote them: no via, address or hashes (the column defaults).
    store.sqlite.exec("INSERT INTO audit (at, actor, action, target) VALUES (1, 'admin', 'flow.create', 'a'), (2, 'cli', 'secret.create', 'K')");
    expect(sealLegacyAuditRows(store.sqlite)).toBe(2);
    expect(sealLegacyAuditRows(store.sqlite)).toBe(0);
    await store.write((db) => appendAudit(db, { actor: token, action: 'flow.delete', target: 'a', now: 3 }));
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: true, rows: 3 });
    expect(() => store.sqlite.exec("UPDATE audit SET actor = 'x' WHERE id = 1")).toThrow(/append-only/);
    // A row without a hash after chained ones is not sealed: verify names it.
    store.sqlite.exec("INSERT INTO audit (id, at, actor, action, target) VALUES (4, 4, 'ghost', 'flow.create', 'z')");
    expect(sealLegacyAuditRows(store.sqlite)).toBe(0);
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, problem: expect.stringContaining('audit row 4') });
    store.close();
  });
});
