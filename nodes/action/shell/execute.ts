import { spawn } from 'node:child_process';
import { defineExecutor } from '../../executor.js';
import { shellAction } from './definition.js';

/** stdout and stderr are each kept up to this many bytes. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
export const TRUNCATION_MARKER = `\n[salve: output truncated after ${MAX_OUTPUT_BYTES} bytes]`;
/** After SIGTERM, the process group gets this long before SIGKILL. */
const KILL_GRACE_MS = 5000;

/** Collects a stream up to the cap, then drops the rest (while still draining it). */
function capture() {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (truncated) return;
      if (size + chunk.byteLength > MAX_OUTPUT_BYTES) {
        chunks.push(chunk.subarray(0, MAX_OUTPUT_BYTES - size));
        truncated = true;
        return;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (truncated ? TRUNCATION_MARKER : ''),
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export const executeShell = defineExecutor(shellAction, async (config, ctx) => {
  const [program, ...args] = config.command as [string, ...string[]];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  for (const [k, v] of Object.entries(config.env)) env[k] = String(v);
  const started = Date.now();
  const stdout = capture();
  const stderr = capture();

  const result = await new Promise<{ exitCode: number | null; signal: string | null; timedOut: boolean; spawnError?: string }>((resolve) => {
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(program, args, { cwd: config.cwd, env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, config.timeoutSeconds * 1000);
    const onAbort = () => stop();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) stop();
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve({
        exitCode: null,
        signal: null,
        timedOut: false,
        spawnError: error.code === 'ENOENT' ? `command not found: ${program}` : `cannot run ${program}: ${error.message}`,
      });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      // Whatever the command left running in its group goes too.
      killGroup(child.pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode, signal, timedOut });
    });
  });

  const output = {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: stdout.text(),
    stderr: stderr.text(),
    durationMs: Date.now() - started,
    timedOut: result.timedOut,
  };
  if (result.spawnError) return { type: 'fail', port: 'error', output, error: result.spawnError };
  if (result.timedOut) return { type: 'fail', port: 'error', output, error: `timed out after ${config.timeoutSeconds} s; the process group was killed` };
  if (ctx.signal.aborted) return { type: 'fail', port: 'error', output, error: 'stopped: the execution was cancelled or stopped' };
  if (result.exitCode === null || !config.expectExitCodes.includes(result.exitCode)) {
    const how = result.exitCode === null ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
    return { type: 'fail', port: 'error', output, error: `${program} ${how} (expected ${config.expectExitCodes.join(' or ')})` };
  }
  return { type: 'next', port: 'ok', output };
});
