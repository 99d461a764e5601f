import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { masterKeyId } from './crypto.js';
import { defaultKeyFile, keyFilePath, openKeyring, parseMasterKey, readKeyFile, writeKeyFile } from './master-key.js';

const root = mkdtempSync(join(tmpdir(), 'salve-master-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh data directory and config directory. */
function dirs() {
  const base = join(root, String(n++));
  const dataDir = join(base, 'data');
  mkdirSync(dataDir, { recursive: true });
  return { dataDir, config: join(base, 'config') };
}

describe('master key', () => {
  it('from SALVE_MASTER_KEY: base64 of exactly 32 bytes', () => {
    const key = Buffer.alloc(32, 9);
    expect(parseMasterKey(key.toString('base64'), 'SALVE_MASTER_KEY')).toEqual(key);
    expect(() => parseMasterKey(Buffer.alloc(16).toString('base64'), 'SALVE_MASTER_KEY')).toThrow(
      'SALVE_MASTER_KEY: decodes to 16 bytes; a master key is 32 bytes (openssl rand -base64 32)',
    );
    expect(() => parseMasterKey('not base64 at all!', 'SALVE_MASTER_KEY')).toThrow('SALVE_MASTER_KEY: not base64');
    const { keyring } = openKeyring({ envKey: key.toString('base64'), env: {}, dataDir: dirs().dataDir, mayCreate: true });
    expect(keyring.current.id).toBe(masterKeyId(key));
    expect(keyring.source).toEqual({ kind: 'environment' });
  });

  it('defaults to $XDG_CONFIG_HOME/salve/master.key, else ~/.config/salve/master.key; SALVE_MASTER_KEY_FILE overrides', () => {
    expect(defaultKeyFile({ XDG_CONFIG_HOME: '/etc/xdg-test', HOME: '/home/x' })).toBe('/etc/xdg-test/salve/master.key');
    expect(defaultKeyFile({ HOME: '/home/x' })).toBe('/home/x/.config/salve/master.key');
    expect(keyFilePath({ SALVE_MASTER_KEY_FILE: '/srv/keys/salve.key' }, '/var/lib/salve')).toBe('/srv/keys/salve.key');
  });

  it('creates the key file on first use, owner-only, and reads the same key afterwards', () => {
    const { dataDir, config } = dirs();
    const env = { XDG_CONFIG_HOME: config };
    const first = openKeyring({ env, dataDir, mayCreate: true });
    const file = join(config, 'salve', 'master.key');
    expect(first.created).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, 'salve')).mode & 0o777).toBe(0o700);
    const again = openKeyring({ env, dataDir, mayCreate: true });
    expect(again.created).toBeUndefined();
    expect(again.keyring.current.id).toBe(first.keyring.current.id);
  });

  it('refuses a key file others can read, or owned by another user', () => {
    const { dataDir, config } = dirs();
    const file = join(config, 'master.key');
    writeKeyFile(file, [Buffer.alloc(32, 3)]);
    chmodSync(file, 0o644);
    expect(() => openKeyring({ env: { SALVE_MASTER_KEY_FILE: file }, dataDir, mayCreate: true })).toThrow(
      `master key file ${file}: mode 0644; it must be 0600 or 0400 (readable by its owner only): chmod 600 ${file}`,
    );
    chmodSync(file, 0o600);
    const uid = process.getuid!();
    expect(() => openKeyring({ env: { SALVE_MASTER_KEY_FILE: file }, dataDir, mayCreate: true, uid: uid + 1 })).toThrow(
      `master key file ${file}: owned by uid ${uid}, not by the user Salve runs as (uid ${uid + 1}); chown it`,
    );
  });

  it('refuses a key file inside the data directory, also through a symbolic link', () => {
    const { dataDir, config } = dirs();
    expect(() => keyFilePath({ SALVE_MASTER_KEY_FILE: join(dataDir, 'keys', 'master.key') }, dataDir)).toThrow(
      /is inside the data directory .*: a copy of the data directory would then hold both the secrets and their key/,
    );
    expect(() => keyFilePath({ XDG_CONFIG_HOME: dataDir }, dataDir)).toThrow(/master key file .* is inside the data directory/);
    mkdirSync(config, { recursive: true });
    symlinkSync(dataDir, join(config, 'link'));
    expect(() => keyFilePath({ SALVE_MASTER_KEY_FILE: join(config, 'link', 'master.key') }, dataDir)).toThrow(/inside the data directory/);
  });

  it('does not create a new key when the database already holds secrets (the old key must be restored)', () => {
    const { dataDir, config } = dirs();
    expect(() => openKeyring({ env: { XDG_CONFIG_HOME: config }, dataDir, mayCreate: false })).toThrow(
      /master key file .* does not exist, but the database holds secrets encrypted with a master key: restore the key file/,
    );
  });

  it('writes the key file atomically, current key first; a keyring reads it again for a key id it does not know', () => {
    const { dataDir, config } = dirs();
    const file = join(config, 'master.key');
    const [k1, k2] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    writeKeyFile(file, [k1]);
    const { keyring } = openKeyring({ env: { SALVE_MASTER_KEY_FILE: file }, dataDir, mayCreate: false });
    expect(keyring.get(masterKeyId(k2))).toBeUndefined();
    writeKeyFile(file, [k2, k1]);
    expect(readKeyFile(file)).toEqual([k2, k1]);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Salve master key/);
    expect(keyring.get(masterKeyId(k2))?.key).toEqual(k2);
    expect(keyring.current.id).toBe(masterKeyId(k2));
    expect(() => keyring.require('0123456789abcdef', 'secret X is')).toThrow(
      `secret X is encrypted with master key 0123456789abcdef, but master key file ${file} holds key ${masterKeyId(k2)}`,
    );
    writeFileSync(file, `${Buffer.alloc(31).toString('base64')}\n`, { mode: 0o600 });
    expect(() => readKeyFile(file)).toThrow(`master key file ${file} line 1: decodes to 31 bytes`);
  });
});
