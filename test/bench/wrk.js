// The load generator: wrk (https://github.com/wg/wrk), a C client that saturates a loopback
// server with one thread, so the figures are the server's, not the client's. Driven by a Lua
// script written per run: every request is a new 1-alert webhook with a fingerprint of its own
// (run nonce, wrk thread, counter), so no request is a duplicate, even across runs on one database.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertBody } from './alert.js';
import { spawnTracked } from './process.js';

const WRK = '/usr/bin/wrk';

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** wrk's path; installs the Debian package when missing and the bench runs as root with apt-get. Undefined otherwise. */
export function ensureWrk() {
  const found = onPath('wrk');
  if (found) return found;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) return undefined;
  try {
    console.error('bench: installing wrk (apt-get install -y wrk)');
    execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    return undefined;
  }
  return existsSync(WRK) ? WRK : onPath('wrk');
}

/** e.g. `wrk debian/4.1.0-3+b2 [epoll]` (wrk prints its version in the usage text, exit status 1). */
export function wrkVersion(wrk) {
  try {
    return execFileSync(wrk, ['--version'], { encoding: 'utf8' }).split('\n')[0].replace(/ Copyright.*/, '').trim();
  } catch (error) {
    return String(error.stdout ?? '').split('\n')[0].replace(/ Copyright.*/, '').trim() || 'unknown';
  }
}

/** A Lua long string that cannot be closed by `text`. */
function luaString(text) {
  let eq = '=';
  while (text.includes(`]${eq}]`)) eq += '=';
  return `[${eq}[${text}]${eq}]`;
}

/** The Lua script: POST, JSON, the given headers, and a body whose id is `<nonce>-<thread>-<counter>`. */
export function wrkScript({ nonce, headers = {} }) {
  // A marker JSON.stringify leaves as it is (it would escape a control character).
  const parts = alertBody('@@ID@@').split('@@ID@@');
  if (parts.length !== 4) throw new Error('wrk: the alert body has the id in an unexpected number of places');
  const setHeaders = Object.entries({ 'content-type': 'application/json', ...headers })
    .map(([k, v]) => `wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`)
    .join('\n');
  return `-- written by test/bench/wrk.js
wrk.method = "POST"
${setHeaders}
local parts = { ${parts.map(luaString).join(', ')} }
local nonce = ${luaString(nonce)}
local threads = 0
local counter = 0

-- Runs in the main Lua state once per thread; sets the global "tid" in that thread's state.
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  counter = counter + 1
  local id = nonce .. "-" .. tostring(tid or 0) .. "-" .. tostring(counter)
  return wrk.format(nil, nil, nil, table.concat(parts, id))
end
`;
}

const TIME_UNITS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms", "456.00us", "1.02s", "2.00m" → milliseconds. */
function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`wrk: cannot read the time "${text}"`);
  return Number(m[1]) * TIME_UNITS[m[2]];
}

/**
 * Reads wrk's report (run with --latency): requests, duration, non-2xx/3xx, socket errors,
 * requests/s, 2xx-or-3xx/s (wrk's own rate, scaled by the share answered 2xx or 3xx), p50 and p99 in ms. Throws when a figure the bench needs is missing.
 */
export function parseWrk(text) {
  const total = /(\d+) requests in ([\d.]+(?:us|ms|s|m|h)),/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const p50 = /^\s*50(?:\.000)?%\s+([\d.]+\w+)/m.exec(text);
  const p99 = /^\s*99(?:\.000)?%\s+([\d.]+\w+)/m.exec(text);
  if (!total || !rps || !p50 || !p99) throw new Error(`wrk: unexpected output:\n${text}`);
  const requests = Number(total[1]);
  const seconds = toMs(total[2]) / 1000;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { requests, seconds, non2xx, socketErrors, rps: Number(rps[1]), okRps: requests === 0 ? 0 : (Number(rps[1]) * (requests - non2xx)) / requests, p50: toMs(p50[1]), p99: toMs(p99[1]) };
}

/** Runs wrk against `url` (loopback only) for `seconds`; resolves with parseWrk's figures and wrk's own text. */
export async function runWrk({ wrk, url, headers, nonce, connections, seconds, threads }) {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load tests target 127.0.0.1 only: ${url}`);
  const dir = mkdtempSync(join(tmpdir(), 'salve-bench-wrk-'));
  const script = join(dir, 'alert.lua');
  writeFileSync(script, wrkScript({ nonce, headers }));
  try {
    const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s', '-s', script, url];
    const child = spawnTracked(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    // wrk reports a broken script on stderr and still exits 0, with nothing sent.
    const result = code === 0 ? parseWrk(out) : undefined;
    if (!result || result.requests === 0) throw new Error(`wrk (exit ${code}) sent nothing:\n${out}`);
    return { ...result, text: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
