import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MasterKeyError } from '../../runtime/engine/secrets/master-key.js';
import { scrubberFor } from '../../runtime/engine/secrets/scrub.js';
import { secretStoreFrom } from '../../runtime/engine/secrets/secrets.js';
import { openStoredSecrets } from '../../runtime/engine/secrets/stored-secrets.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';

/**
 * Stored secrets on PostgreSQL with several processes: each keeps the secrets decrypted in
 * memory (steps read them synchronously); what one stores, another reads at its next
 * refreshIfChanged, which reads the table again only when its revision moved.
 */

const log = pino({ level: 'silent' });
const MASTER_KEY = Buffer.alloc(32, 3).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 4).toString('base64');
const VALUE = 'pg-stored-value-5e1c77';
const VALUE_2 = 'pg-stored-value-changed-09ab';
const admin = { name: 'admin', via: 'token' as const };
const noUses = new Map();

describe.runIf(postgresAvailable)('stored secrets shared by several processes on PostgreSQL', () => {
  const processes = postgresProcesses();

  const openStore = (url: string) => processes.open(url);

  /** One process's secret store, opened as the server opens it (recording its key), with `key` as SALVE_MASTER_KEY. */
  const openProcess = async (url: string, key = MASTER_KEY) => {
    const { store } = await openStore(url);
    let t = Date.parse('2026-12-01T10:00:00Z');
    const opened = await openStoredSecrets({ store, dataDir: '/nonexistent', envKey: key, env: {}, environment: secretStoreFrom({}), now: () => (t += 1000), log, recordKey: true });
    return opened.stored;
  };

  it('a secret stored through one process is resolved by the other after refreshIfChanged; nothing changed: false', async () => {
    const database = await processes.database();
    const a = await openProcess(database.url);
    const b = await openProcess(database.url);
    const scrubB = scrubberFor(b.all);
    // Each read the table as it opened.
    expect(await a.refreshIfChanged()).toBe(false);
    expect(await b.refreshIfChanged()).toBe(false);

    await a.put('API_TOKEN', { value: VALUE, hosts: ['api.example.com'] }, admin, noUses);
    expect(a.resolve('API_TOKEN')).toBe(VALUE);
    // The writing process read it again as the write finished: nothing new for it.
    expect(await a.refreshIfChanged()).toBe(false);
    expect(b.resolve('API_TOKEN')).toBeUndefined();
    expect(scrubB.text(`token ${VALUE}`)).toBe(`token ${VALUE}`);
    expect(await b.refreshIfChanged()).toBe(true);
    expect(b.resolve('API_TOKEN')).toBe(VALUE);
    expect(b.hosts('API_TOKEN')).toEqual(['api.example.com']);
    expect(scrubB.text(`token ${VALUE}`)).toBe('token ***');
    expect(await b.refreshIfChanged()).toBe(false);

    // And back: b changes the value, then deletes it; a follows each time.
    await b.put('API_TOKEN', { value: VALUE_2 }, admin, noUses);
    expect(await a.refreshIfChanged()).toBe(true);
    expect(a.resolve('API_TOKEN')).toBe(VALUE_2);
    expect(await a.refreshIfChanged()).toBe(false);
    await b.delete('API_TOKEN', admin, noUses);
    expect(await a.refreshIfChanged()).toBe(true);
    expect(a.names()).toEqual([]);
    expect(await a.list(noUses)).toEqual([]);
  });

  it('each change is audited on PostgreSQL without its value; a process with another master key is refused at start', async () => {
    const database = await processes.database();
    const a = await openProcess(database.url);
    await a.put('API_TOKEN', { value: VALUE, description: 'the API' }, admin, noUses);
    expect((await a.list(noUses)).map((i) => [i.name, i.description, i.source, i.updatedBy])).toEqual([['API_TOKEN', 'the API', 'store', 'admin']]);

    const { pool } = await openStore(database.url);
    const audit = await pool.read(async (client) => (await client.query<{ action: string; target: string; details: string }>('select action, target, details from audit order by id')).rows);
    expect(audit).toEqual([{ action: 'secret.create', target: 'API_TOKEN', details: '{"changed":["value","description"]}' }]);
    const columns = await pool.read(async (client) => JSON.stringify((await client.query('select * from secrets')).rows));
    expect(columns.includes(VALUE)).toBe(false);
    expect(columns.includes(Buffer.from(VALUE).toString('base64'))).toBe(false);

    // Another key than the one the secrets were stored with: a clear error at start, no secret read.
    const refused = openProcess(database.url, OTHER_KEY);
    await expect(refused).rejects.toBeInstanceOf(MasterKeyError);
    await expect(refused).rejects.toThrow(/this is not the master key these secrets were stored with/);
  });
});
