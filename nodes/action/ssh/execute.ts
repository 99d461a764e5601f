import { defineExecutor, type StepOutcome } from '../../executor.js';
import { sshAction } from './definition.js';
import type { SshOutput } from './output.js';
import { runArgvOverSsh } from './run-argv.js';
import { HARD_CAP_BYTES } from './run-remote.js';

/**
 * Runs `action.ssh`: the argv over SSH (runArgvOverSsh: destination policy, pinned host key,
 * quoting, bounds). Exit code 0 goes to `ok`; anything else — another code, a signal, a timeout,
 * a refusal, a failed connection or login — to `error`.
 */
export const executeSshAction = defineExecutor(sshAction, async (config, ctx): Promise<StepOutcome<SshOutput>> => {
  const run = await runArgvOverSsh(config, config.command, config.timeoutSeconds, ctx);
  if (!run.ran) return { type: 'fail', port: 'error', error: run.problem };
  const { place } = run;
  const program = config.command[0]!;
  const { aborted, overflowed, address, ...rest } = run.result;
  const output: SshOutput = { host: place, address, ...rest };
  const failed = (error: string): StepOutcome<SshOutput> => ({ type: 'fail', port: 'error', output, error });
  if (output.timedOut) return failed(`${program} on ${place} timed out after ${config.timeoutSeconds} s`);
  if (aborted) return failed(`${program} on ${place} was stopped: the execution was cancelled or is shutting down`);
  if (overflowed) return failed(`${program} on ${place} wrote more than ${HARD_CAP_BYTES / (1024 * 1024)} MiB of output and was killed`);
  if (output.exitCode === null) {
    return failed(output.signal ? `${program} on ${place} was killed by SIG${output.signal}` : `${program} on ${place}: the connection ended before the command reported its exit`);
  }
  if (output.exitCode !== 0) return failed(`${program} on ${place} exited with code ${output.exitCode}`);
  return { type: 'next', port: 'ok', output };
});
