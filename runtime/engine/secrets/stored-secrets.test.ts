import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../store/db.js';
import { databaseFiles } from '../../store/files.js';
import { secretsRepo } from '../../store/secrets-repo.js';
import { sqliteStore } from '../../store/store.js';
import { generateMasterKey, readKeyFile, writeKeyFile } from './master-key.js';
import { scrubberFor } from './scrub.js';
import { secretStoreFrom, type SecretStore } from './secrets.js';
import { openStoredSecrets } from './stored-secrets.js';

const root = mkdtempSync(join(tmpdir(), 'salve-stored-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A data directory with its database, and a key file outside it. */
function setup(environment: SecretStore = secretStoreFrom({})) {
  const base = join(root, String(n++));
  const dataDir = join(base, 'data');
  mkdirSync(dataDir, { recursive: true });
  const env = { SALVE_MASTER_KEY_FILE: join(base, 'config', 'master.key') };
  const store = new SqliteStore(join(dataDir, 'salve.db'));
  let t = Date.parse('2026-12-01T10:00:00Z');
  const now = () => (t += 1000);
  /** The secret store as the server opens it: over the Store, watching the SQLite connection for other processes' changes. */
  const open = async (s = store, env_ = environment) => (await openStoredSecrets({ store: sqliteStore(s), sqlite: s, dataDir, env, environment: env_, now })).stored;
  /** Without the connection to watch (as on PostgreSQL): other processes' changes come with refreshIfChanged. */
  const openUnwatched = async (s = store) => (await openStoredSecrets({ store: sqliteStore(s), dataDir, env, environment, now })).stored;
  return { dataDir, env, store, open, openUnwatched, keyFile: env.SALVE_MASTER_KEY_FILE };
}

const noUses = new Map();

describe('stored secrets', () => {
  it('keeps values encrypted: neither the database file nor its WAL holds a value in any form', async () => {
    const { store, open, dataDir } = setup();
    const stored = await open();
    const value = 'db-bytes-secret-value-8f3a2c';
    await stored.put('DB_TOKEN', { value, description: 'for the test', hosts: ['api.example.com'] }, { name: 'admin', via: 'token' }, noUses);
    expect(stored.get('DB_TOKEN')).toBe(value);
    const bytes = () => Buffer.concat(databaseFiles(join(dataDir, 'salve.db')).flatMap((f) => {
      try {
        return [readFileSync(f)];
      } catch {
        return [];
      }
    }));
    const forms = [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex'), Buffer.from(value, 'utf16le').toString('latin1')];
    for (const form of forms) expect(bytes().includes(form), form).toBe(false);
    expect(bytes().includes('for the test')).toBe(true); // the metadata is plain, as the check's control
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    for (const form of forms) expect(bytes().includes(form), form).toBe(false);
    store.close();
  });

  it('creates, updates (omitted fields unchanged) and deletes, bumping the revision and writing the audit without values', async () => {
    const { store, open } = setup();
    const stored = await open();
    const r0 = secretsRepo.revision(store.db);
    const created = await stored.put('API_KEY', { value: 'first-value-1', hosts: ['a.example.com'] }, { name: 'admin', via: 'token' }, noUses);
    expect(created.created).toBe(true);
    expect(created.item).toMatchObject({ name: 'API_KEY', source: 'store', hosts: ['a.example.com'], description: '', updatedBy: 'admin', createdAt: '2026-12-01T10:00:01.000Z' });
    const updated = await stored.put('API_KEY', { description: 'the API' }, { name: 'cli', via: 'cli' }, noUses);
    expect(updated).toMatchObject({ created: false, item: { hosts: ['a.example.com'], description: 'the API', updatedBy: 'cli', createdAt: '2026-12-01T10:00:01.000Z', updatedAt: '2026-12-01T10:00:02.000Z' } });
    expect(stored.get('API_KEY')).toBe('first-value-1');
    await stored.put('API_KEY', { value: 'second-value-2' }, { name: 'admin', via: 'token' }, noUses);
    expect(stored.get('API_KEY')).toBe('second-value-2');
    expect(stored.hosts('API_KEY')).toEqual(['a.example.com']);
    expect(secretsRepo.revision(store.db)).toBe(r0 + 3);
    await stored.delete('API_KEY', { name: 'admin', via: 'token' }, noUses);
    expect(stored.get('API_KEY')).toBeUndefined();
    await expect(stored.delete('API_KEY', { name: 'admin', via: 'token' }, noUses)).rejects.toThrow('no stored secret API_KEY');
    const audit = store.sqlite.prepare('SELECT actor, via, action, target, details, before, after FROM audit ORDER BY id').all();
    const hosts = '{"hosts":["a.example.com"],"team":"default"}';
    expect(audit).toEqual([
      { actor: 'admin', via: 'token', action: 'secret.create', target: 'API_KEY', details: '{"changed":["value","hosts"]}', before: null, after: hosts },
      { actor: 'cli', via: 'cli', action: 'secret.update', target: 'API_KEY', details: '{"changed":["description"]}', before: hosts, after: hosts },
      { actor: 'admin', via: 'token', action: 'secret.update', target: 'API_KEY', details: '{"changed":["value"]}', before: hosts, after: hosts },
      { actor: 'admin', via: 'token', action: 'secret.delete', target: 'API_KEY', details: '{}', before: hosts, after: null },
    ]);
    store.close();
  });

  it('lets the environment win on a shared name, lists both, and scrubs both', async () => {
    const environment = secretStoreFrom({ SHARED: 'env-value-1234', ENV_ONLY: 'env-only-value' }, { SHARED: 'env.example.com' });
    const { store, open } = setup(environment);
    // Stored first (e.g. with the CLI, which does not see the server's environment), then the environment set it too.
    await (await open(store, secretStoreFrom({}))).put('SHARED', { value: 'stored-value-1234', hosts: ['stored.example.com'] }, { name: 'cli', via: 'token' }, noUses);
    const stored = await open();
    await stored.put('STORED_ONLY', { value: 'stored-only-value' }, { name: 'admin', via: 'token' }, noUses);
    expect(stored.all.get('SHARED')).toBe('env-value-1234');
    expect(stored.all.hosts('SHARED')).toEqual(['env.example.com']);
    expect(stored.all.get('STORED_ONLY')).toBe('stored-only-value');
    expect(stored.all.hosts('STORED_ONLY')).toBeUndefined(); // no hosts: sent nowhere
    // Refusals name where each list is set.
    expect(stored.all.hostsSetting?.('STORED_ONLY')).toBe('the host list of stored secret STORED_ONLY');
    expect(stored.all.hostsSetting?.('SHARED')).toBeUndefined(); // SALVE_SECRET_SHARED_HOSTS
    expect(stored.all.names()).toEqual(['ENV_ONLY', 'SHARED', 'STORED_ONLY']);
    const list = await stored.list(new Map([['SHARED', [{ flowId: 'f1', flowName: 'Flow one' }]]]));
    expect(list.map((i) => [i.name, i.source, i.overriddenByEnvironment, i.usedBy.length])).toEqual([
      ['ENV_ONLY', 'environment', false, 0],
      ['SHARED', 'store', true, 1],
      ['STORED_ONLY', 'store', false, 0],
    ]);
    const scrubber = scrubberFor(stored.all);
    expect(scrubber.text('a env-only-value b stored-value-1234 c')).toBe('a *** b *** c');
    await expect(stored.put('ENV_ONLY', { value: 'other-value' }, { name: 'admin', via: 'token' }, noUses)).rejects.toThrow(
      'secret ENV_ONLY is set by the environment variable SALVE_SECRET_ENV_ONLY',
    );
    store.close();
  });

  it('sees a change another process made (the CLI) at its next read, and scrubs the new value', async () => {
    const { store, open, dataDir } = setup();
    const server = await open();
    const scrubber = scrubberFor(server.all);
    expect(server.get('LATE')).toBeUndefined();
    expect(scrubber.text('late-value-0001')).toBe('late-value-0001');
    const other = new SqliteStore(join(dataDir, 'salve.db'));
    const cli = await open(other);
    await cli.put('LATE', { value: 'late-value-0001' }, { name: 'cli', via: 'token' }, noUses);
    expect(server.get('LATE')).toBe('late-value-0001');
    expect(scrubber.text('late-value-0001')).toBe('***');
    await cli.delete('LATE', { name: 'cli', via: 'token' }, noUses);
    expect(server.names()).toEqual([]);
    await cli.put('LATE', { value: 'late-value-0002' }, { name: 'cli', via: 'token' }, noUses);
    expect(server.get('LATE')).toBe('late-value-0002');
    other.close();
    store.close();
    // After the store closed (the server's last log lines at shutdown), what was read last still scrubs.
    expect(scrubber.text('late-value-0002')).toBe('***');
  });

  it('refuses to open with a master key that is not the one the secrets were stored with', async () => {
    const { store, open, keyFile } = setup();
    await (await open()).put('TOKEN', { value: 'token-value-1' }, { name: 'admin', via: 'token' }, noUses);
    writeKeyFile(keyFile, [generateMasterKey()]);
    await expect(open()).rejects.toThrow(/the stored secrets are encrypted with master key [0-9a-f]{16}, but master key file .* holds key [0-9a-f]{16}: this is not the master key/);
    rmSync(keyFile);
    await expect(open()).rejects.toThrow(/does not exist, but the database holds secrets encrypted with a master key \(master key [0-9a-f]{16}\): restore the key file/);
    store.close();
  });

  it('refuses to open when a stored value was changed outside Salve', async () => {
    const { store, open } = setup();
    await (await open()).put('TOKEN', { value: 'token-value-1' }, { name: 'admin', via: 'token' }, noUses);
    const row = secretsRepo.get(store.db, 'TOKEN')!;
    const changed = Buffer.from(row.ciphertext, 'base64');
    changed[0] = changed[0]! ^ 1;
    store.sqlite.prepare('UPDATE secrets SET ciphertext = ? WHERE name = ?').run(changed.toString('base64'), 'TOKEN');
    await expect(open()).rejects.toThrow('secret TOKEN: its stored value was changed outside Salve (authentication failed)');
    store.close();
  });

  it("records the server's key at its start, so a CLI run with another key file is refused before it stores anything", async () => {
    const { store, dataDir, env } = setup();
    const now = () => 1;
    const environment = secretStoreFrom({});
    const server = (await openStoredSecrets({ store: sqliteStore(store), dataDir, env, environment, now, recordKey: true })).stored;
    const firstId = secretsRepo.masterKeyId(store.db);
    expect(firstId).toMatch(/^[0-9a-f]{16}$/);
    const otherFile = join(dataDir, '..', 'other-user', 'master.key');
    await expect(openStoredSecrets({ store: sqliteStore(store), dataDir, env: { SALVE_MASTER_KEY_FILE: otherFile }, environment, now })).rejects.toThrow(
      `master key file ${otherFile} does not exist, but the database holds secrets encrypted with a master key (master key ${secretsRepo.masterKeyId(store.db)})`,
    );
    writeKeyFile(otherFile, [generateMasterKey()]);
    await expect(openStoredSecrets({ store: sqliteStore(store), dataDir, env: { SALVE_MASTER_KEY_FILE: otherFile }, environment, now })).rejects.toThrow(/this is not the master key these secrets were stored with/);
    expect(server.names()).toEqual([]);
    // The server itself may start with another key while nothing is stored yet.
    const serverAgain = (await openStoredSecrets({ store: sqliteStore(store), dataDir, env: { SALVE_MASTER_KEY_FILE: otherFile }, environment, now, recordKey: true })).stored;
    expect(serverAgain.keySource).toBe(`master key file ${otherFile}`);
    expect(secretsRepo.masterKeyId(store.db)).not.toBe(firstId);
    store.close();
  });

  it('without the connection to watch (as on PostgreSQL), reads another process\'s change when refreshIfChanged sees a new revision', async () => {
    const { store, dataDir, openUnwatched } = setup();
    const server = await openUnwatched();
    expect(await server.refreshIfChanged()).toBe(false); // read at open: nothing new
    const other = new SqliteStore(join(dataDir, 'salve.db'));
    const cli = await openUnwatched(other);
    await cli.put('LATE', { value: 'late-value-0003' }, { name: 'cli', via: 'token' }, noUses);
    expect(await cli.refreshIfChanged()).toBe(false); // its own write: read again as it finished
    expect(server.get('LATE')).toBeUndefined(); // nothing watched: the cache stays until a refresh
    expect(await server.refreshIfChanged()).toBe(true);
    expect(server.get('LATE')).toBe('late-value-0003');
    expect(server.values()).toEqual(['late-value-0003']);
    expect(await server.refreshIfChanged()).toBe(false);
    await cli.delete('LATE', { name: 'cli', via: 'token' }, noUses);
    expect(await server.refreshIfChanged()).toBe(true);
    expect(server.names()).toEqual([]);
    other.close();
    store.close();
  });

  it('rotateKey re-wraps every row with the new key and names it for new secrets, with one audit record; the values stay', async () => {
    const { store, open, keyFile } = setup();
    const stored = await open();
    await stored.put('A_KEY', { value: 'a-value-0001' }, { name: 'admin', via: 'token' }, noUses);
    await stored.put('B_KEY', { value: 'b-value-0002' }, { name: 'admin', via: 'token' }, noUses);
    const before = secretsRepo.revision(store.db);
    const next = generateMasterKey();
    // As `salve secrets rotate-key`: the file holds both keys while the rows are re-wrapped.
    writeKeyFile(keyFile, [next, ...readKeyFile(keyFile)]);
    expect(await stored.rotateKey(next, { name: 'cli', via: 'cli' })).toBe(2);
    const newId = secretsRepo.masterKeyId(store.db);
    expect(secretsRepo.list(store.db).map((r) => r.keyId)).toEqual([newId, newId]);
    expect(secretsRepo.revision(store.db)).toBeGreaterThan(before);
    const audit = store.sqlite.prepare("SELECT actor, action, target, details FROM audit WHERE action = 'secret.rotate_key'").all();
    expect(audit).toEqual([{ actor: 'cli', action: 'secret.rotate_key', target: 'master-key', details: '{"rewrapped":2,"keySource":"file"}' }]);
    // Nothing left to re-wrap with the same key.
    expect(await stored.rotateKey(next, { name: 'cli', via: 'cli' })).toBe(0);
    writeKeyFile(keyFile, [next]);
    const reopened = await open();
    expect([reopened.get('A_KEY'), reopened.get('B_KEY')]).toEqual(['a-value-0001', 'b-value-0002']);
    store.close();
  });
});
