import { spawn, type ChildProcess } from 'node:child_process';

/** Most bytes kept of stdout and of stderr, each. */
export const OUTPUT_CAP_BYTES = 1024 * 1024;
/** Appended to output that was cut at the cap. */
export const TRUNCATION_MARKER = `\n[salve: output truncated after ${OUTPUT_CAP_BYTES} bytes]`;
/** How long a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 5000;

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

/** Sends `signal` to every process in the group led by `child`; false when the group is gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

/**
 * Runs `argv` without a shell, as the leader of its own process group. On timeout or abort the
 * whole group gets SIGTERM, then SIGKILL after the grace period; processes the command leaves
 * behind in its group are ended the same way when it exits, so nothing outlives the step.
 * Resolves when it has exited and its output is closed; rejects with SpawnFailure if it never started.
 */
export function runProcess(argv: string[], options: RunOptions): Promise<ProcessResult> {
  const program = argv[0]!;
  const grace = options.killGraceMs ?? KILL_GRACE_MS;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(program, argv.slice(1), {
        cwd: options.cwd,
        env: options.env,
        shell: false,
        detached: true, // setsid(): leader of a new process group, so the group can be killed
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Synchronous failures: e.g. a NUL byte in an argument.
      reject(new SpawnFailure(`cannot start ${program}: ${(error as Error).message}`));
      return;
    }

    const stdout = new CappedOutput();
    const stderr = new CappedOutput();
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

    let settled = false;
    let timedOut = false;
    let aborted = false;
    let terminating = false;
    let exit: { code: number | null; signal: string | null } | undefined;
    let forceTimer: NodeJS.Timeout | undefined;

    const terminate = () => {
      if (terminating || !signalGroup(child, 'SIGTERM')) return;
      terminating = true;
      const kill = setTimeout(() => signalGroup(child, 'SIGKILL'), grace);
      kill.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      terminate();
    };

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(forceTimer);
      options.signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const finish = () =>
      settle(() => {
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
      });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) settle(() => reject(new SpawnFailure(spawnMessage(program, error))));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Anything it left running in its group goes too.
      terminate();
      // A process that escaped the group may still hold the pipes open: do not wait for it forever.
      forceTimer = setTimeout(finish, grace + 1000);
    });
    child.on('close', finish);

    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
