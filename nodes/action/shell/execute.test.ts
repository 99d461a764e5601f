import { afterEach, describe, expect, it } from 'vitest';
import { resolvedConfig, testContext } from '../../../test/kit/nodes.js';
import { processAlive } from '../../../test/kit/server.js';
import { waitFor } from '../../../test/kit/wait.js';
import { ShellActionConfigSchema } from './definition.js';
import { executeShellAction } from './execute.js';
import { COOKIE_VAR } from './process-tree.js';
import { KILL_GRACE_MS, OUTPUT_CAP_BYTES, runProcess, TRUNCATION_MARKER } from './run-process.js';

const cfg = (input: Record<string, unknown>) => resolvedConfig(ShellActionConfigSchema, input);
const run = (input: Record<string, unknown>, signal?: AbortSignal) => executeShellAction(cfg(input), testContext(signal ? { signal } : {}));
const outputOf = (outcome: unknown) => (outcome as { output: { stdout: string; stderr: string; exitCode: number | null; signal: string | null; timedOut: boolean } }).output;

/** True once `pid` has ended (within 2 s; the wait fails otherwise, saying which process). */
const gone = (pid: number): Promise<boolean> => waitFor(() => !processAlive(pid), 2000, `process ${pid} to end`);

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
});

describe('action.shell executor', () => {
  it('runs the argv and captures stdout', async () => {
    const outcome = await run({ command: ['echo', 'restarting', 'postgresql'] });
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'ok',
      output: { exitCode: 0, signal: null, stdout: 'restarting postgresql\n', stderr: '', timedOut: false },
    });
  });

  it('goes to "error" on an unexpected exit code, keeping the output', async () => {
    const failing = await run({ command: ['sh', '-c', 'echo oops >&2; exit 3'] });
    expect(failing).toMatchObject({ type: 'fail', port: 'error', error: 'sh exited with code 3 (expected 0)' });
    expect(outputOf(failing)).toMatchObject({ exitCode: 3, stderr: 'oops\n' });
    expect(await run({ command: ['sh', '-c', 'exit 3'], expectExitCodes: [0, 3] })).toMatchObject({ type: 'next', port: 'ok' });
  });

  it('passes shell metacharacters literally: no shell ever sees the arguments', async () => {
    const args = ['; rm -rf /', '$(id)', '`id`', 'a | b && c', '* ~ $HOME', 'line\nbreak', "it's \"quoted\""];
    const outcome = await run({ command: ['printf', '%s|', ...args] });
    expect(outputOf(outcome).stdout).toBe(args.map((a) => `${a}|`).join(''));
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const started = Date.now();
    const outcome = await run({ command: ['sh', '-c', 'sleep 100 & echo $!; sleep 100'], timeoutSeconds: 1 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: 'sh timed out after 1 s' });
    const output = outputOf(outcome);
    expect(output).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    const grandchild = Number(output.stdout.trim());
    leftovers.push(grandchild);
    expect(grandchild).toBeGreaterThan(1);
    expect(await gone(grandchild)).toBe(true);
  });

  it('ends what the command left running in its group when it exits', async () => {
    const started = Date.now();
    const outcome = await run({ command: ['sh', '-c', 'sleep 100 & echo $!'] });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(Date.now() - started).toBeLessThan(3000);
    const background = Number(outputOf(outcome).stdout.trim());
    leftovers.push(background);
    expect(await gone(background)).toBe(true);
  });

  it('stops promptly when the execution is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('cancel'), 200);
    const started = Date.now();
    const outcome = await run({ command: ['sleep', '100'] }, controller.signal);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { timedOut: false, signal: 'SIGTERM' } });
  });

  it('keeps the first 1 MiB of each stream and marks the cut', async () => {
    const outcome = await run({ command: ['sh', '-c', 'yes abcdefgh | head -c 3000000; yes E | head -c 2000000 >&2'] });
    const { stdout, stderr } = outputOf(outcome);
    expect(stdout.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(stdout.length).toBe(OUTPUT_CAP_BYTES + TRUNCATION_MARKER.length);
    expect(stdout.startsWith('abcdefgh\nabcdefgh\n')).toBe(true);
    expect(stderr.length).toBe(OUTPUT_CAP_BYTES + TRUNCATION_MARKER.length);
    expect(TRUNCATION_MARKER).toBe('\n[salve: output truncated after 1048576 bytes]');
  });

  it("gives the command PATH and its own env only, never the server's environment", async () => {
    process.env.SALVE_SECRET_LEAK_CHECK = 'server-secret';
    try {
      const outcome = await run({ command: ['env'], env: { TARGET_HOST: 'db1', API_TOKEN: 'resolved' } });
      const vars = outputOf(outcome)
        .stdout.trim()
        .split('\n')
        .map((line) => line.split('=')[0]);
      // The cookie marks the command's processes so they can all be found and ended.
      expect(vars.sort()).toEqual(['API_TOKEN', 'PATH', COOKIE_VAR, 'TARGET_HOST']);
    } finally {
      delete process.env.SALVE_SECRET_LEAK_CHECK;
    }
  });

  it('reports a missing program or working directory on "error"', async () => {
    expect(await run({ command: ['salve-no-such-command', 'x'] })).toEqual({
      type: 'fail',
      port: 'error',
      error: 'command not found: salve-no-such-command',
    });
    expect(await run({ command: ['pwd'], cwd: '/salve/no/such/dir' })).toMatchObject({
      type: 'fail',
      port: 'error',
      error: 'working directory does not exist: /salve/no/such/dir',
    });
    expect(outputOf(await run({ command: ['pwd'], cwd: '/tmp' })).stdout).toBe('/tmp\n');
  });
});

describe('runProcess', () => {
  it('SIGKILLs a group that ignores SIGTERM after the grace period', async () => {
    const started = Date.now();
    const result = await runProcess(['sh', '-c', 'trap "" TERM; sleep 100 & echo $!; wait'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeoutMs: 300,
      killGraceMs: 300,
      signal: new AbortController().signal,
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    const grandchild = Number(result.stdout.trim());
    leftovers.push(grandchild);
    expect(await gone(grandchild)).toBe(true);
  });

  const options = (timeoutMs: number, signal = new AbortController().signal) => ({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs, signal });
  /** A grandchild in a new session (setsid), ignoring SIGTERM, holding stdout open; prints its pid. */
  const ESCAPEE = `setsid sh -c 'trap "" TERM; echo $$; exec sleep 100'`;

  it('on timeout ends a setsid() grandchild that ignores SIGTERM and holds the output pipe, and returns promptly', async () => {
    const started = Date.now();
    const result = await runProcess(['sh', '-c', `${ESCAPEE} & sleep 100`], options(2000));
    const elapsed = Date.now() - started;
    const grandchild = Number(result.stdout.trim());
    leftovers.push(grandchild);
    expect(grandchild).toBeGreaterThan(1);
    expect(result.timedOut).toBe(true);
    expect(await gone(grandchild)).toBe(true);
    // Timeout + SIGTERM grace + sweeping; the pipe the grandchild held does not add to it.
    expect(elapsed).toBeLessThan(2000 + KILL_GRACE_MS + 3000);
    console.log(`2 s timeout with a setsid'd SIGTERM-ignoring grandchild holding stdout: returned after ${elapsed} ms`);
  });

  it('when the command exits, ends an orphaned setsid() grandchild (its parent gone) found by its cookie', async () => {
    // The double fork of a daemon: the subshell exits at once, so the grandchild's parent is init.
    const script = `(${ESCAPEE} &) | head -n 1`;
    const started = Date.now();
    const result = await runProcess(['sh', '-c', script], options(30_000));
    const grandchild = Number(result.stdout.trim());
    leftovers.push(grandchild);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(grandchild).toBeGreaterThan(1);
    expect(await gone(grandchild)).toBe(true);
    expect(Date.now() - started).toBeLessThan(KILL_GRACE_MS + 5000);
  });

  it('on abort ends processes that left the process group', async () => {
    const controller = new AbortController();
    const run = runProcess(['sh', '-c', `${ESCAPEE} & sleep 100`], options(60_000, controller.signal));
    setTimeout(() => controller.abort('cancel'), 500);
    const result = await run;
    const grandchild = Number(result.stdout.trim());
    leftovers.push(grandchild);
    expect(result.aborted).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });
});
