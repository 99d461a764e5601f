import { spawn, type ChildProcess } from 'node:child_process';
import { COOKIE_VAR, endCommandProcesses, newCommandMark } from './process-tree.js';

/** Most bytes kept of stdout and of stderr, each. */
export const OUTPUT_CAP_BYTES = 1024 * 1024;
/** Appended to output that was cut at the cap. */
export const TRUNCATION_MARKER = `\n[salve: output truncated after ${OUTPUT_CAP_BYTES} bytes]`;
/**
 * How long a command's processes get between SIGTERM and SIGKILL: long enough to clean up, short
 * enough that a step that timed out ends promptly.
 */
export const KILL_GRACE_MS = 2000;
/** Once the command's processes are gone, how long its output may still take to arrive. */
const DRAIN_MS = 500;
/** After its processes were killed, how long to wait for the command's exit status. */
const EXIT_WAIT_MS = 1000;

export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** True when `signal` (cancel, deadline, shutdown) stopped it. */
  aborted: boolean;
}

export interface RunOptions {
  cwd?: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  killGraceMs?: number;
}

/** The program could not be started at all (not found, not executable…). */
export class SpawnFailure extends Error {}

/** Keeps the first `OUTPUT_CAP_BYTES` of a stream and drops the rest (still draining it). */
class CappedOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  push(chunk: Buffer): void {
    if (this.truncated) return;
    const room = OUTPUT_CAP_BYTES - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = OUTPUT_CAP_BYTES;
      this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks, this.size).toString('utf8');
    return this.truncated ? text + TRUNCATION_MARKER : text;
  }
}

function spawnMessage(program: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return `command not found: ${program}`;
  if (error.code === 'EACCES') return `permission denied: ${program}`;
  return `cannot start ${program}: ${error.message}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `argv` without a shell, as the leader of its own session and process group, its
 * processes marked with a cookie (process-tree.ts). On timeout or abort every process of the
 * command gets SIGTERM, then SIGKILL after the grace period; whatever it leaves running when it
 * exits is ended the same way, so nothing outlives the step. A process holding the output pipes
 * cannot delay the result: it is killed, and the output is read for a short while at most.
 * Rejects with SpawnFailure if it never started.
 */
export function runProcess(argv: string[], options: RunOptions): Promise<ProcessResult> {
  const program = argv[0]!;
  const grace = options.killGraceMs ?? KILL_GRACE_MS;
  const mark = newCommandMark();
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(program, argv.slice(1), {
      cwd: options.cwd,
      env: { ...options.env, [COOKIE_VAR]: mark.cookie },
      shell: false,
      detached: true, // setsid(): leader of a new session and process group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Synchronous failures: e.g. a NUL byte in an argument.
    return Promise.reject(new SpawnFailure(`cannot start ${program}: ${(error as Error).message}`));
  }
  const stdout = new CappedOutput();
  const stderr = new CappedOutput();
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  return new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) reject(new SpawnFailure(spawnMessage(program, error)));
    });
    const leader = child.pid;
    if (leader === undefined) return; // it never started: the error above rejects

    let timedOut = false;
    let aborted = false;
    let ending: Promise<void> | undefined;
    const endAll = () => (ending ??= endCommandProcesses(leader, mark, grace));
    const exited = new Promise<{ code: number | null; signal: string | null } | undefined>((resolveExit) => {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
      // Stopped by timeout or abort: end every process, then wait a little for the exit status.
      const stop = () => void endAll().then(() => setTimeout(() => resolveExit(undefined), EXIT_WAIT_MS));
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, options.timeoutMs);
      const onAbort = () => {
        aborted = true;
        stop();
      };
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
      child.once('exit', () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
      });
    });

    void (async () => {
      const exit = await exited;
      // Whatever it left running goes too (already under way after a timeout or abort).
      await endAll();
      // The pipes close once no process holds them; one that escaped cannot keep us waiting.
      await Promise.race([closed, sleep(DRAIN_MS)]);
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Math.round(performance.now() - started),
        timedOut,
        aborted,
      });
    })();
  });
}
