import { isIP } from 'node:net';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { DestinationRefused, ResolveFailed, type CheckedAddress } from '../../network.js';
import { sshAction } from './definition.js';
import { parseHostKeyPins } from './host-key-pins.js';
import type { SshOutput } from './output.js';
import { remoteCommand } from './remote-command.js';
import { runRemote, SshFailure, HARD_CAP_BYTES } from './run-remote.js';

const HOST_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** Why a rendered host is not a host name or IP address (alert data may have filled it), or undefined. */
function hostProblem(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return undefined;
  if (bare.length <= 253 && bare.replace(/\.$/, '').split('.').every((label) => HOST_LABEL.test(label))) return undefined;
  return `host "${host.slice(0, 80)}" is not a host name or IP address`;
}

/** Why a rendered user name cannot be sent, or undefined. */
function userProblem(user: string): string | undefined {
  if (user === '') return 'user is empty after rendering';
  if (user.length > 256) return 'user is longer than 256 characters after rendering';
  if (/[\s\p{Cc}]/u.test(user)) return `user "${user.slice(0, 80)}" holds spaces or control characters`;
  return undefined;
}

/**
 * Runs `action.ssh`: checks the rendered host against the destination policy, connects only to
 * an address it checked, pins the host key, logs in with a secret and runs the argv quoted for
 * the remote shell, bounded in time and output. Exit code 0 goes to `ok`; anything else —
 * another code, a signal, a timeout, a refusal, a failed connection or login — to `error`.
 */
export const executeSshAction = defineExecutor(sshAction, async (config, ctx): Promise<StepOutcome<SshOutput>> => {
  const fail = (error: string): StepOutcome<SshOutput> => ({ type: 'fail', port: 'error', error });
  const host = config.host.trim();
  const problem = hostProblem(host) ?? userProblem(config.user.trim());
  if (problem) return fail(problem);
  const command = remoteCommand(config.command);
  if (typeof command !== 'string') return fail(command.problem);
  const { pins, problems } = parseHostKeyPins(config.hostKey);
  if (problems.length > 0) return fail(`hostKey: ${problems.join('; ')}`);

  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  const place = `${bare.includes(':') ? `[${bare}]` : bare}:${config.port}`;
  const user = config.user.trim();
  const display = `ssh ${user}@${place}`;
  let addresses: readonly CheckedAddress[];
  try {
    // Every secret of the step (key, passphrase or password) must be allowed to go to this host.
    addresses = (await ctx.network.resolve({ host: bare, port: config.port, display }, ctx.signal)).addresses;
  } catch (error) {
    if (error instanceof DestinationRefused || error instanceof ResolveFailed) return fail(error.message);
    throw error;
  }

  const program = config.command[0]!;
  try {
    const result = await runRemote({
      host: bare,
      port: config.port,
      display,
      addresses,
      username: user,
      auth: config.auth.type === 'password' ? { password: config.auth.password } : { privateKey: config.auth.privateKey, passphrase: config.auth.passphrase },
      pins,
      command,
      timeoutMs: config.timeoutSeconds * 1000,
      connectTimeoutMs: config.connectTimeoutSeconds * 1000,
      signal: ctx.signal,
    });
    const { aborted, overflowed, address, ...rest } = result;
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
  } catch (error) {
    if (error instanceof SshFailure) return fail(error.message);
    throw error;
  }
});
