import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readPrivateFile } from '../../secrets-file.js';
import { KEY_BYTES, masterKeyOf, type MasterKey } from './crypto.js';

/**
 * The master key that wraps the data key of every stored secret. It comes from
 * - `SALVE_MASTER_KEY` (base64 of 32 bytes), handed to the server by the launcher like the other
 *   secrets, or else
 * - a key file OUTSIDE the data directory, so that a backup or copy of the data directory alone
 *   does not reveal the secrets: `SALVE_MASTER_KEY_FILE`, by default
 *   `$XDG_CONFIG_HOME/salve/master.key` (`~/.config/salve/master.key`). The server creates it
 *   (mode 0600) on its first start, and refuses it when others can read it or it belongs to
 *   another user.
 * The key file holds one base64 key per line: the first is the current key; the lines after it
 * are previous keys kept while `salve secrets rotate-key` re-wraps the data keys.
 */

export const MASTER_KEY_VAR = 'SALVE_MASTER_KEY';
export const MASTER_KEY_FILE_VAR = 'SALVE_MASTER_KEY_FILE';

/** The master key cannot be used; the message says why and what to do. */
export class MasterKeyError extends Error {}

/** Parses a base64 master key (standard or URL-safe alphabet); `where` names its origin in errors. */
export function parseMasterKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new MasterKeyError(`${where}: not base64; generate a key with: openssl rand -base64 ${KEY_BYTES}`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new MasterKeyError(`${where}: decodes to ${key.length} bytes; a master key is ${KEY_BYTES} bytes (openssl rand -base64 ${KEY_BYTES})`);
  }
  return key;
}

/** A new random master key. */
export function generateMasterKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** The key file used when SALVE_MASTER_KEY_FILE is not set. */
export function defaultKeyFile(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(config, 'salve', 'master.key');
}

/** `path` with its longest existing prefix resolved through symbolic links. */
function realPathOf(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(realPathOf(parent), basename(abs));
}

/** True when `file` is `dir` or inside it (links resolved). */
function isInside(file: string, dir: string): boolean {
  const rel = relative(realPathOf(dir), realPathOf(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The key file's path: SALVE_MASTER_KEY_FILE or the default; refused inside the data directory. */
export function keyFilePath(env: NodeJS.ProcessEnv, dataDir: string): string {
  const file = env[MASTER_KEY_FILE_VAR] ? resolve(env[MASTER_KEY_FILE_VAR]) : defaultKeyFile(env);
  if (isInside(file, dataDir)) {
    const origin = env[MASTER_KEY_FILE_VAR] ? `${MASTER_KEY_FILE_VAR}=${file}` : `master key file ${file}`;
    throw new MasterKeyError(
      `${origin} is inside the data directory ${dataDir}: a copy of the data directory would then hold both the secrets and their key; keep the key file elsewhere (set ${MASTER_KEY_FILE_VAR})`,
    );
  }
  return file;
}

/** Reads a key file: its keys, current first. Refused unless private to its owner (0600/0400). */
export function readKeyFile(file: string, uid: number | undefined = process.getuid?.()): Buffer[] {
  const text = readPrivateFile(file, `master key file ${file}`, uid, 64 * 1024);
  const keys: Buffer[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    keys.push(parseMasterKey(line, `master key file ${file} line ${i + 1}`));
  }
  if (keys.length === 0) throw new MasterKeyError(`master key file ${file} holds no key`);
  return keys;
}

/**
 * Writes `keys` (current first) to `file` atomically: a new file (mode 0600) beside it, synced,
 * renamed over it, and the directory synced, so a crash leaves the old file or the new one.
 */
export function writeKeyFile(file: string, keys: Buffer[]): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const text = [
    '# Salve master key (base64): it decrypts the secrets stored in the database. Keep it private and',
    '# back it up apart from the data directory. Lines after the first are previous keys kept during a rotation.',
    ...keys.map((k) => k.toString('base64')),
    '',
  ].join('\n');
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Where the master key comes from. */
export type KeySource = { kind: 'environment' } | { kind: 'file'; file: string };

/** How a key source is named in messages. */
export function describeSource(source: KeySource): string {
  return source.kind === 'environment' ? MASTER_KEY_VAR : `master key file ${source.file}`;
}

/**
 * The master keys this process can use: the current one (new data keys are wrapped with it) and
 * any older ones it has seen. A key id it does not know makes it read the key file again: that
 * is how a running server picks up the key `salve secrets rotate-key` wrote.
 */
export class Keyring {
  private readonly keys = new Map<string, MasterKey>();
  private currentKey: MasterKey;

  constructor(
    readonly source: KeySource,
    keys: Buffer[],
    private readonly readFile: (file: string) => Buffer[] = readKeyFile,
  ) {
    this.currentKey = this.add(keys);
  }

  /** Adds `keys`; returns the first as a MasterKey. */
  private add(keys: Buffer[]): MasterKey {
    const all = keys.map(masterKeyOf);
    for (const k of all) if (!this.keys.has(k.id)) this.keys.set(k.id, k);
    return all[0]!;
  }

  get current(): MasterKey {
    return this.currentKey;
  }

  /** Re-reads the key file (no-op for SALVE_MASTER_KEY); its first key becomes the current one. */
  reload(): void {
    if (this.source.kind === 'file') this.currentKey = this.add(this.readFile(this.source.file));
  }

  /** The key with id `id`, reading the key file again when it is not known yet; undefined if still unknown. */
  get(id: string): MasterKey | undefined {
    if (!this.keys.has(id)) this.reload();
    return this.keys.get(id);
  }

  /** The key with id `id`, or an error naming where Salve looked. */
  require(id: string, what: string): MasterKey {
    const key = this.get(id);
    if (!key) {
      throw new MasterKeyError(
        `${what} encrypted with master key ${id}, but ${describeSource(this.source)} holds key ${this.currentKey.id}: this is not the master key these secrets were stored with (use the key file or SALVE_MASTER_KEY the server uses)`,
      );
    }
    return key;
  }
}

export interface OpenKeyringOptions {
  /** The value of SALVE_MASTER_KEY, if set (the server gets it from the launcher, never from its environment). */
  envKey?: string;
  /** For SALVE_MASTER_KEY_FILE, XDG_CONFIG_HOME and HOME. */
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** Whether a missing key file may be created (not when the database already holds secrets). */
  mayCreate: boolean;
  /** The master key id the database names, for the message when the key file is missing. */
  expectedKeyId?: string;
  uid?: number;
}

/** The keyring, and the key file created for it (if one was). */
export function openKeyring(options: OpenKeyringOptions): { keyring: Keyring; created?: string } {
  if (options.envKey !== undefined && options.envKey !== '') {
    return { keyring: new Keyring({ kind: 'environment' }, [parseMasterKey(options.envKey, MASTER_KEY_VAR)]) };
  }
  const file = keyFilePath(options.env, options.dataDir);
  const uid = options.uid ?? process.getuid?.();
  const read = (f: string) => readKeyFile(f, uid);
  if (!existsSync(file)) {
    if (!options.mayCreate) {
      const key = options.expectedKeyId ? ` (master key ${options.expectedKeyId})` : '';
      throw new MasterKeyError(
        `master key file ${file} does not exist, but the database holds secrets encrypted with a master key${key}: restore the key file, or point ${MASTER_KEY_FILE_VAR} (or ${MASTER_KEY_VAR}) at the key the server uses (run "salve secrets" as the server's user)`,
      );
    }
    try {
      writeKeyFile(file, [generateMasterKey()]);
    } catch (error) {
      throw new MasterKeyError(
        `cannot create master key file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): set ${MASTER_KEY_FILE_VAR} to a writable path outside the data directory, or set ${MASTER_KEY_VAR}`,
      );
    }
    return { keyring: new Keyring({ kind: 'file', file }, read(file), read), created: file };
  }
  return { keyring: new Keyring({ kind: 'file', file }, read(file), read) };
}
