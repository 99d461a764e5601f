import { stat } from 'node:fs/promises';
import { defineExecutor, type Resolved, type StepOutcome } from '../../executor.js';
import { argvAsUser, defaultCwd, userEnv, type CommandUser } from '../../command-user.js';
import { shellAction, type ShellActionConfig } from './definition.js';
import type { ShellOutput } from './output.js';
import { runProcess, SpawnFailure, type ProcessResult } from './run-process.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The command's environment: PATH (and, run as SALVE_COMMAND_USER, that user's HOME, USER and
 * LOGNAME) and the configured variables, nothing else: Salve's own environment is never inherited.
 */
function commandEnv(config: Pick<Resolved<ShellActionConfig>, 'env'>, user?: CommandUser, basePath = process.env.PATH): Record<string, string> {
  return { PATH: basePath || DEFAULT_PATH, ...(user ? userEnv(user) : {}), ...config.env };
}

async function missingDirectory(cwd: string | undefined): Promise<string | undefined> {
  if (cwd === undefined) return undefined;
  try {
    if ((await stat(cwd)).isDirectory()) return undefined;
    return `working directory is not a directory: ${cwd}`;
  } catch {
    return `working directory does not exist: ${cwd}`;
  }
}

/**
 * Runs `action.shell`: spawns the argv (no shell) in its own process group, as SALVE_COMMAND_USER
 * when set, bounded in time and output. An unexpected exit code, a signal, a timeout or a failure
 * to start goes to `error`.
 */
export const executeShellAction = defineExecutor(shellAction, async (config, ctx): Promise<StepOutcome<ShellOutput>> => {
  const program = config.command[0]!;
  const badCwd = await missingDirectory(config.cwd);
  if (badCwd) return { type: 'fail', port: 'error', error: badCwd };
  let result: ProcessResult;
  try {
    const user = ctx.commandUser;
    result = await runProcess(user ? argvAsUser(user, config.command) : config.command, {
      cwd: config.cwd ?? (user ? defaultCwd(user) : undefined),
      env: commandEnv(config, user),
      timeoutMs: config.timeoutSeconds * 1000,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof SpawnFailure)) throw error;
    return { type: 'fail', port: 'error', error: error.message };
  }
  const { aborted, ...output } = result;
  if (output.timedOut) return { type: 'fail', port: 'error', output, error: `${program} timed out after ${config.timeoutSeconds} s` };
  if (aborted) return { type: 'fail', port: 'error', output, error: `${program} was stopped: the execution was cancelled or is shutting down` };
  if (output.exitCode === null) return { type: 'fail', port: 'error', output, error: `${program} was killed by ${output.signal ?? 'a signal'}` };
  if (!config.expectExitCodes.includes(output.exitCode)) {
    const wanted = config.expectExitCodes.join(' or ');
    return { type: 'fail', port: 'error', output, error: `${program} exited with code ${output.exitCode} (expected ${wanted})` };
  }
  return { type: 'next', port: 'ok', output };
});
