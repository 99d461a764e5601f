import { describe, expect, it } from 'vitest';
import type { SecretRow } from '../../runtime/store/secrets-repo.js';
import { gate, secretRow } from '../kit/rows.js';
import { storeEngines } from '../kit/store-engines.js';
import { waitFor } from '../kit/wait.js';

/**
 * The store contract of `tx.secrets`: the same answers on SQLite and PostgreSQL. The rows hold
 * made-up ciphertexts (the contract stores what it is given; crypto.ts encrypts before).
 */

const engines = storeEngines();

const T0 = 1_800_000_000_000;

/** A stored secret with every column given: sealed columns that look like base64, the ciphertext told apart by name. */
const secret = (name: string, over: Partial<SecretRow> = {}): SecretRow =>
  secretRow(T0, name, { ciphertext: `Y2lwaGVy-${name}`, iv: 'aXY=', tag: 'dGFn', wrappedKey: 'd3JhcHBlZA==', keyId: '0011223344556677', ...over });

describe.each(engines)('store contract on $name: secrets', ({ available: runIf, open }) => {
  it.runIf(runIf)('put inserts, then replaces every column but the name and createdAt; get, list (by name, as bytes) and count read them back', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.secrets.list())).toEqual([]);
    expect(await e.run((tx) => tx.secrets.count())).toBe(0);
    expect(await e.run((tx) => tx.secrets.get('A_KEY'))).toBeUndefined();
    const b = secret('B_KEY', { hosts: ['b.example.com', '*.example.org'], description: 'the B service', teamId: 'ops' });
    await e.run(async (tx) => {
      await tx.secrets.put(b);
      await tx.secrets.put(secret('A_KEY'));
      // '_' sorts after the letters as bytes ('AB' first); a collation that skips punctuation puts A_A first.
      await tx.secrets.put(secret('A_A'));
      await tx.secrets.put(secret('AB'));
    });
    expect((await e.run((tx) => tx.secrets.list())).map((r) => r.name)).toEqual(['AB', 'A_A', 'A_KEY', 'B_KEY']);
    expect(await e.run((tx) => tx.secrets.get('B_KEY'))).toEqual(b);
    expect(await e.run((tx) => tx.secrets.count())).toBe(4);

    const changed = secret('B_KEY', {
      ciphertext: 'bmV3LWNpcGhlcg==',
      iv: 'bmV3LWl2',
      tag: 'bmV3LXRhZw==',
      wrappedKey: 'bmV3LXdyYXBwZWQ=',
      keyId: 'ffeeddccbbaa9988',
      description: 'changed',
      hosts: [],
      teamId: 'other',
      createdAt: T0 + 50,
      updatedAt: T0 + 60,
      updatedBy: 'cli',
    });
    await e.run((tx) => tx.secrets.put(changed));
    expect(await e.run((tx) => tx.secrets.get('B_KEY'))).toEqual({ ...changed, createdAt: T0 });
    expect(await e.run((tx) => tx.secrets.count())).toBe(4);
    expect((await e.run((tx) => tx.secrets.list())).at(-1)).toEqual({ ...changed, createdAt: T0 });
  });

  it.runIf(runIf)('revision: 0 at first; put, rewrap and bump each add one, delete only when it deleted (false otherwise)', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.secrets.revision())).toBe(0);
    await e.run((tx) => tx.secrets.put(secret('A_KEY')));
    expect(await e.run((tx) => tx.secrets.revision())).toBe(1);
    await e.run(async (tx) => {
      await tx.secrets.put(secret('B_KEY'));
      await tx.secrets.put(secret('B_KEY', { updatedAt: T0 + 1 }));
    });
    expect(await e.run((tx) => tx.secrets.revision())).toBe(3);
    await e.run((tx) => tx.secrets.bump(T0 + 2));
    expect(await e.run((tx) => tx.secrets.revision())).toBe(4);
    expect(await e.run((tx) => tx.secrets.delete('A_KEY', T0 + 3))).toBe(true);
    expect(await e.run((tx) => tx.secrets.revision())).toBe(5);
    expect(await e.run((tx) => tx.secrets.delete('A_KEY', T0 + 4))).toBe(false);
    expect(await e.run((tx) => tx.secrets.delete('NEVER', T0 + 4))).toBe(false);
    expect(await e.run((tx) => tx.secrets.revision())).toBe(5);
    expect(await e.run((tx) => tx.secrets.get('A_KEY'))).toBeUndefined();
    expect((await e.run((tx) => tx.secrets.list())).map((r) => r.name)).toEqual(['B_KEY']);
    // The revision is a setting of its own: the settings ops see it, and other settings leave it alone.
    await e.run((tx) => tx.settings.set('other', 'x', T0 + 5));
    expect(await e.run((tx) => tx.settings.get('secrets.revision'))).toBe('5');
  });

  it.runIf(runIf)('rewrap replaces only the wrapped key and its key id, and bumps the revision', async () => {
    const e = await open();
    const a = secret('A_KEY', { description: 'kept', hosts: ['a.example.com'], updatedAt: T0 + 1, updatedBy: 'ana' });
    await e.run(async (tx) => {
      await tx.secrets.put(a);
      await tx.secrets.put(secret('B_KEY'));
    });
    await e.run((tx) => tx.secrets.rewrap('A_KEY', { wrappedKey: 'bmV3', keyId: 'ffeeddccbbaa9988' }, T0 + 10));
    expect(await e.run((tx) => tx.secrets.get('A_KEY'))).toEqual({ ...a, wrappedKey: 'bmV3', keyId: 'ffeeddccbbaa9988' });
    expect(await e.run((tx) => tx.secrets.get('B_KEY'))).toEqual(secret('B_KEY'));
    expect(await e.run((tx) => tx.secrets.revision())).toBe(3);
  });

  it.runIf(runIf)('masterKeyId: undefined until set, then the last id set', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.secrets.masterKeyId())).toBeUndefined();
    await e.run((tx) => tx.secrets.setMasterKeyId('0011223344556677', T0));
    expect(await e.run((tx) => tx.secrets.masterKeyId())).toBe('0011223344556677');
    await e.run((tx) => tx.secrets.setMasterKeyId('ffeeddccbbaa9988', T0 + 1));
    expect(await e.run((tx) => tx.secrets.masterKeyId())).toBe('ffeeddccbbaa9988');
    // Not a change of the table: the revision stays.
    expect(await e.run((tx) => tx.secrets.revision())).toBe(0);
  });
});

/** What only PostgreSQL has: several transactions at once (SQLite has one writer). */
const postgresEngine = engines.find((e) => e.name === 'postgres')!;

describe.runIf(postgresEngine.available)('store contract on postgres: secrets in concurrent transactions', () => {
  const { open } = postgresEngine;

  it('two puts at once both count in the revision: the second waits for the first, then adds to what it committed', async () => {
    const e = await open();
    await e.run((tx) => tx.secrets.put(secret('SEED')));
    const [firstHolds, holding] = gate();
    const [mayCommit, commit] = gate();
    const first = e.run(async (tx) => {
      await tx.secrets.put(secret('A_KEY'));
      holding();
      await mayCommit;
    });
    try {
      await firstHolds;
      let secondDone = false;
      const second = e
        .run((tx) => tx.secrets.put(secret('B_KEY')))
        .finally(() => {
          secondDone = true;
        });
      await waitFor(async () => secondDone || (await e.lockWaits()) > 0, 15_000, 'the second put to wait for the first, or to finish');
      expect(secondDone).toBe(false);
      commit();
      await first;
      await second;
    } finally {
      commit();
    }
    // A process that read the revision after the first commit (2) sees the second's change as a new one (3).
    expect(await e.run((tx) => tx.secrets.revision())).toBe(3);
    expect((await e.run((tx) => tx.secrets.list())).map((r) => r.name)).toEqual(['A_KEY', 'B_KEY', 'SEED']);
  });
});
