import { describe, expect, it } from 'vitest';
import { SqliteStore } from './db.js';
import { secretsRepo, type SecretRow } from './secrets-repo.js';

const row = (name: string, over: Partial<SecretRow> = {}): SecretRow => ({
  name,
  ciphertext: 'Y2lwaGVy',
  iv: 'aXY=',
  tag: 'dGFn',
  wrappedKey: 'd3JhcHBlZA==',
  keyId: '0011223344556677',
  description: '',
  hosts: [],
  teamId: 'default',
  createdAt: 1000,
  updatedAt: 1000,
  updatedBy: 'admin',
  ...over,
});

describe('secretsRepo', () => {
  it('stores rows by name with their host lists, replaces on put (keeping createdAt) and deletes', () => {
    const store = new SqliteStore(':memory:');
    const db = store.db;
    expect(secretsRepo.revision(db)).toBe(0);
    secretsRepo.put(db, row('B_KEY', { hosts: ['b.example.com', '*.example.org'] }));
    secretsRepo.put(db, row('A_KEY'));
    expect(secretsRepo.list(db).map((r) => r.name)).toEqual(['A_KEY', 'B_KEY']);
    expect(secretsRepo.get(db, 'B_KEY')?.hosts).toEqual(['b.example.com', '*.example.org']);
    secretsRepo.put(db, row('B_KEY', { description: 'changed', createdAt: 5000, updatedAt: 5000 }));
    expect(secretsRepo.get(db, 'B_KEY')).toMatchObject({ description: 'changed', createdAt: 1000, updatedAt: 5000 });
    expect(secretsRepo.count(db)).toBe(2);
    expect(secretsRepo.delete(db, 'A_KEY', 6000)).toBe(true);
    expect(secretsRepo.delete(db, 'A_KEY', 6000)).toBe(false);
    expect(secretsRepo.revision(db)).toBe(4); // three puts and one delete
    store.close();
  });

  it('re-wraps one row and remembers the master key new rows are wrapped with', () => {
    const store = new SqliteStore(':memory:');
    const db = store.db;
    expect(secretsRepo.masterKeyId(db)).toBeUndefined();
    secretsRepo.put(db, row('A_KEY'));
    secretsRepo.rewrap(db, 'A_KEY', { wrappedKey: 'bmV3', keyId: 'ffeeddccbbaa9988' }, 2000);
    secretsRepo.setMasterKeyId(db, 'ffeeddccbbaa9988', 2000);
    expect(secretsRepo.get(db, 'A_KEY')).toMatchObject({ wrappedKey: 'bmV3', keyId: 'ffeeddccbbaa9988', ciphertext: 'Y2lwaGVy' });
    expect(secretsRepo.masterKeyId(db)).toBe('ffeeddccbbaa9988');
    store.close();
  });
});
