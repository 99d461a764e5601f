import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The notification command Salve documents for Nagios Core and Icinga (docs/nagios/salve-notify). */
export const SALVE_NOTIFY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'nagios', 'salve-notify');

/** `KEY="value"` lines (the `.env` form of a notification command's environment) as a map. */
export function parseEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|(.*))$/.exec(line.trim());
    if (m) env[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return env;
}

/**
 * Runs salve-notify with `--print` in an environment of only PATH and `env` (as Nagios would
 * start it) and returns the JSON it would send, unparsed.
 */
export function renderWithSalveNotify(env: Record<string, string>): string {
  return execFileSync('sh', [SALVE_NOTIFY, '--print'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
}
