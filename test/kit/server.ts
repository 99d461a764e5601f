import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'runtime', 'cli.js');
export const NODE_FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];

export interface TestServer {
  url: string;
  token: string;
  dataDir: string;
  /** The launcher (`salve serve`), which runs the real server as its child. */
  child: ChildProcess;
  /** The pid of the real server process (from `salve.pid` in the data directory). */
  serverPid: number;
  output: () => string;
  /** Calls the API with the admin token; JSON in, JSON out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SIGTERM to the launcher (it forwards it to the server); resolves with the launcher's exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the real server (a crash); the launcher then exits with its status (or is SIGKILLed after 10 s). Resolves once both are gone. */
  kill(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'salve-test-'));
}

/** Removes a data directory and the master key directory startServer gave it (`<dir>-config`). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-config`, { recursive: true, force: true });
}

/** True while `pid` exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * Starts the built server (`dist/`) on a free loopback port, exactly as the `salve` bin runs
 * it: `cli.js serve` is the launcher, which starts the real server as its child. Resolves once
 * it listens. `port` is for a test that must know the address before the start (single sign-on's
 * SALVE_PUBLIC_ORIGIN); see freePort.
 */
export async function startServer(opts: { dataDir?: string; env?: Record<string, string>; token?: string; port?: number } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const token = opts.token ?? 'test-admin-token-0123456789abcdef';
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'serve', '--port', String(opts.port ?? 0), '--data', dataDir], {
    // The master key file goes beside the data directory (never in the user's own ~/.config).
    env: { PATH: process.env.PATH ?? '', SALVE_ADMIN_TOKEN: token, SALVE_LOG_LEVEL: 'warn', XDG_CONFIG_HOME: `${dataDir}-config`, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Stop it (the launcher passes SIGTERM on to the server): a server that comes up after the
      // test gave up would otherwise run on, unowned, and load the machine for every later test.
      child.kill('SIGTERM');
      reject(new Error(`server did not start in 20 s:\n${out}`));
    }, 20_000);
    const onData = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The server writes its pid before it listens.
  const serverPid = Number(readFileSync(join(dataDir, 'salve.pid'), 'utf8').trim());
  return {
    url,
    token,
    dataDir,
    child,
    serverPid,
    output: () => out,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // already gone
      }
      // The launcher reaps the server and exits with its status, as after a real crash. (Killing
      // it first could leave the server a zombie under a PID 1 that does not reap, and a zombie
      // still holds the data directory's pid file.)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      await waitFor(() => !processAlive(serverPid), 10_000, `server process ${serverPid} to end`);
    },
  };
}

/** A loopback port free right now (bound, then released), for a server that must know its address before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
