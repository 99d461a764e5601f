// Peers the bench installs from npm (Node-RED, and autocannon when wrk is missing) live in a
// cache folder outside the project, installed once: $BENCH_CACHE, else
// $XDG_CACHE_HOME/salve-bench, else ~/.cache/salve-bench.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir() {
  return process.env.BENCH_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'salve-bench');
}

/** The installed version of `name` in the cache, or undefined. */
export function cachedVersion(name) {
  const file = join(cacheDir(), 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
}

/**
 * Installs `spec` (e.g. `node-red@4`) into the cache when `name` is not there yet (any version
 * that `accept` takes). Resolves with the installed version; rejects with npm's output.
 */
export async function ensureCached(name, spec, accept = () => true) {
  const have = cachedVersion(name);
  if (have && accept(have)) return have;
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  console.error(`bench: installing ${spec} into ${dir}`);
  await new Promise((resolve, reject) => {
    execFile('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, spec], { timeout: 300_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm install ${spec} failed: ${(stderr || stdout || error.message).trim().split('\n').slice(-3).join(' ')}`)) : resolve(),
    );
  });
  const version = cachedVersion(name);
  if (!version) throw new Error(`npm install ${spec} left no ${name} in ${dir}`);
  return version;
}
