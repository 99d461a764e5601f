import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { amSource, flowDoc } from '../kit/flow.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'salve.js');
const VALUE = 'cli-stored-token-4b1d9e';
const VALUE_2 = 'cli-stored-token-after-rotation-7c2a';

/** Runs the `salve` bin as an operator would, with `stdin` as its input. */
function salve(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The master key ids the rows of the secrets table name. */
function rowKeyIds(dataDir: string): Record<string, string> {
  const db = new Database(join(dataDir, 'salve.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT name, key_id FROM secrets ORDER BY name').all() as { name: string; key_id: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.key_id]));
  } finally {
    db.close();
  }
}

/** The base64 keys in a key file, current first. */
const keysIn = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('salve secrets (CLI) beside a running server', () => {
  const dataDir = tempDataDir();
  // Where the test kit's servers keep their master key file (XDG_CONFIG_HOME=<data>-config).
  const env = { XDG_CONFIG_HOME: `${dataDir}-config`, SALVE_DATA: dataDir };
  const keyFile = join(`${dataDir}-config`, 'salve', 'master.key');
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  const hook = (token: string) =>
    fetch(`${server!.url}/hooks/infra`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });

  it('sets a secret from stdin; the running server uses it for the next delivery', async () => {
    server = await startServer({ dataDir });
    expect(server.output()).toContain(`Master key for stored secrets: master key file ${keyFile} (created now, mode 0600`);
    const flow = flowDoc({ id: 'guarded', name: 'Guarded', source: amSource({ auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }) });
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    expect((await hook(VALUE)).status).toBe(401);

    const set = await salve(['secrets', 'set', 'AM_TOKEN', '--description', 'Alertmanager', '--hosts', 'am.example.com,*.example.org'], env, `${VALUE}\n`);
    expect(set).toMatchObject({ code: 0, stdout: 'created secret AM_TOKEN\n' });
    expect((await hook(VALUE)).status).toBe(202);
    // The trailing newline was not part of the value.
    expect((await hook(`${VALUE}\n`.trim())).status).toBe(202);

    const list = await salve(['secrets', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^AM_TOKEN\thosts am\.example\.com,\*\.example\.org\tupdated \S+ by cli used by guarded\tAlertmanager\n$/);
    expect((await server.api('GET', '/api/secrets')).body.secrets[0]).toMatchObject({ name: 'AM_TOKEN', updatedBy: 'cli', usedBy: [{ flowId: 'guarded', flowName: 'Guarded' }] });
    for (const out of [set.stdout, set.stderr, list.stdout, list.stderr, server.output()]) expect(out).not.toContain(VALUE);
  });

  it('refuses bad input with the field named, and deleting a secret a flow uses', async () => {
    const short = await salve(['secrets', 'set', 'AM_TOKEN'], env, 'abc\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/value must have at least 4 characters/);
    const badHosts = await salve(['secrets', 'set', 'OTHER', '--hosts', 'ok.example.com,bad/host'], env, 'a-good-value\n');
    expect(badHosts.code).toBe(1);
    expect(badHosts.stderr).toMatch(/hosts\[1\]: /);
    const del = await salve(['secrets', 'delete', 'AM_TOKEN'], env);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('secret AM_TOKEN is used by flow guarded ("Guarded"): remove the references first');
  });

  it('rotate-key re-wraps every data key; the running server keeps resolving, and reads the new key for new values', async () => {
    const [oldKey] = keysIn(keyFile);
    const before = rowKeyIds(dataDir).AM_TOKEN;
    const rotated = await salve(['secrets', 'rotate-key'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`re-wrapped 1 secret with a new master key; ${keyFile} holds only the new key now`);
    const keys = keysIn(keyFile);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toBe(oldKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const after = rowKeyIds(dataDir).AM_TOKEN;
    expect(after).not.toBe(before);

    // The server still resolves the secret (it re-read the table and needed the new key to open it).
    expect((await hook(VALUE)).status).toBe(202);
    // A value the server stores now is wrapped with the new key, not the one it started with.
    expect((await server!.api('PUT', '/api/secrets/NEW_ONE', { value: 'stored-by-the-server-01' })).status).toBe(201);
    expect(rowKeyIds(dataDir)).toEqual({ AM_TOKEN: after, NEW_ONE: after });
    // A value the CLI changes after the rotation is read by the server with the new key.
    expect((await salve(['secrets', 'set', 'AM_TOKEN'], env, VALUE_2)).code).toBe(0);
    expect((await hook(VALUE_2)).status).toBe(202);
    expect((await hook(VALUE)).status).toBe(401);

    // And after a restart, with only the new key in the file (a clean stop: the last log lines are scrubbed too).
    expect(await server!.stop()).toBe(0);
    server = await startServer({ dataDir });
    expect(server.output()).toContain(`Master key for stored secrets: master key file ${keyFile}\n`);
    expect((await hook(VALUE_2)).status).toBe(202);

    // The CLI and the server appended to one audit log: the chain is intact, the CLI's changes are
    // named as such (the rotation too), and no row holds a value.
    const verified = await salve(['audit', 'verify'], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^audit chain intact: \d+ rows; last row \d+, hash [0-9a-f]{64}\n$/);
    const { body } = await server.api('GET', '/api/audit?via=cli&limit=200');
    expect(body.items.map((i: { action: string }) => i.action)).toContain('secret.rotate_key');
    expect(body.items.every((i: { actor: string }) => i.actor === 'cli')).toBe(true);
    for (const value of [VALUE, VALUE_2]) expect(JSON.stringify(body.items)).not.toContain(value);
  });

  it('refuses to start with a key file others can read', async () => {
    await server!.stop();
    server = undefined;
    chmodSync(keyFile, 0o640);
    await expect(startServer({ dataDir })).rejects.toThrow(`salve: master key file ${keyFile}: mode 0640; it must be 0600 or 0400 (readable by its owner only): chmod 600 ${keyFile}`);
    chmodSync(keyFile, 0o600);
  });
});

describe('salve secrets rotate-key with SALVE_MASTER_KEY', () => {
  const dataDir = tempDataDir();
  const oldKey = Buffer.alloc(32, 11).toString('base64');
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  it('is refused while the server runs, prints the new key when it does not, and the old key no longer opens the store', async () => {
    server = await startServer({ dataDir, env: { SALVE_MASTER_KEY: oldKey } });
    expect((await server.api('PUT', '/api/secrets/ENV_KEYED', { value: 'env-keyed-value-1' })).status).toBe(201);
    const env = { SALVE_DATA: dataDir, SALVE_MASTER_KEY: oldKey };
    const refused = await salve(['secrets', 'rotate-key'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`SALVE_MASTER_KEY is set and Salve (process ${server.serverPid}) is running on ${dataDir}`);
    await server.stop();
    server = undefined;

    const rotated = await salve(['secrets', 'rotate-key'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.stderr).toContain('re-wrapped 1 secret with a new master key. Set SALVE_MASTER_KEY to the key below');
    const newKey = rotated.stdout.trim();
    expect(Buffer.from(newKey, 'base64')).toHaveLength(32);
    await expect(startServer({ dataDir, env: { SALVE_MASTER_KEY: oldKey } })).rejects.toThrow(/the stored secrets are encrypted with master key [0-9a-f]{16}, but SALVE_MASTER_KEY holds key [0-9a-f]{16}/);
    server = await startServer({ dataDir, env: { SALVE_MASTER_KEY: newKey } });
    expect((await server.api('GET', '/api/secrets')).body.secrets.map((i: { name: string }) => i.name)).toEqual(['ENV_KEYED']);
    expect(server.output()).not.toContain(newKey);
  });
});
