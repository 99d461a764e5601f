import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * `SALVE_SECRETS_FILE`: secrets kept out of every process environment. The launcher reads the
 * file once and hands its values to the server over a private channel, as it does with the
 * `SALVE_SECRET_*` variables it finds in its environment.
 */

/** The variable naming the secrets file (read by the launcher; the server never sees it). */
export const SECRETS_FILE_VAR = 'SALVE_SECRETS_FILE';

/** Biggest secrets file read (it holds a few lines). */
const MAX_BYTES = 1024 * 1024;

/** Names a secrets file may set: the secret variables, the admin token and the master key. */
const ALLOWED_NAME = /^(SALVE_SECRET_[A-Za-z0-9_]+|SALVE_ADMIN_TOKEN|SALVE_METRICS_TOKEN|SALVE_MASTER_KEY)$/;

/** The secrets file cannot be used; the message says why and what to do. */
export class SecretsFileError extends Error {}

/**
 * Parses `NAME=value` lines. Blank lines and lines starting with `#` are skipped; the value is
 * everything after the first `=`, taken literally (no quotes, no escapes; a trailing `\r` is
 * dropped). Only `SALVE_SECRET_<NAME>`, `SALVE_SECRET_<NAME>_HOSTS`, `SALVE_ADMIN_TOKEN`, `SALVE_METRICS_TOKEN` and
 * `SALVE_MASTER_KEY` may be set, each once.
 */
export function parseSecretsFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const where = `${file} line ${i + 1}`;
    const eq = line.indexOf('=');
    if (eq < 0) throw new SecretsFileError(`${where}: expected NAME=value`);
    const name = line.slice(0, eq);
    if (!ALLOWED_NAME.test(name)) {
      throw new SecretsFileError(`${where}: "${name}" is not a secret setting (use SALVE_SECRET_<NAME>, SALVE_SECRET_<NAME>_HOSTS, SALVE_ADMIN_TOKEN, SALVE_METRICS_TOKEN or SALVE_MASTER_KEY)`);
    }
    if (Object.hasOwn(out, name)) throw new SecretsFileError(`${where}: ${name} is set twice`);
    out[name] = line.slice(eq + 1);
  }
  return out;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Reads a file that holds secrets, refusing it unless it is a regular file owned by the user
 * Salve runs as and readable by nobody else (mode 0600 or 0400): a file others can read or
 * write is no place for secrets. The checks apply to the file actually opened (a symbolic
 * link is followed, as mounted secrets often are links). `label` starts every error message
 * (e.g. `SALVE_SECRETS_FILE=/path`).
 */
export function readPrivateFile(file: string, label: string, uid: number | undefined = process.getuid?.(), maxBytes = MAX_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new SecretsFileError(`${label}: cannot open it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretsFileError(`${label}: not a regular file`);
    if (uid !== undefined && st.uid !== uid) {
      throw new SecretsFileError(`${label}: owned by uid ${st.uid}, not by the user Salve runs as (uid ${uid}); chown it`);
    }
    const mode = st.mode & 0o777;
    if (mode !== 0o600 && mode !== 0o400) {
      throw new SecretsFileError(`${label}: mode ${octal(mode)}; it must be 0600 or 0400 (readable by its owner only): chmod 600 ${file}`);
    }
    if (st.size > maxBytes) throw new SecretsFileError(`${label}: larger than ${maxBytes} bytes`);
    const buffer = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buffer, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses the secrets file, with the checks of readPrivateFile. */
export function readSecretsFile(file: string, uid: number | undefined = process.getuid?.()): Record<string, string> {
  return parseSecretsFile(readPrivateFile(file, `${SECRETS_FILE_VAR}=${file}`, uid), file);
}
