import { isIP } from 'node:net';
import type { ExecContext, Resolved } from '../../executor.js';
import { DestinationRefused, ResolveFailed, type CheckedAddress } from '../../network.js';
import type { SshActionConfig } from './definition.js';
import { parseHostKeyPins } from './host-key-pins.js';
import { remoteCommand } from './remote-command.js';
import { runRemote, SshFailure, type RemoteResult } from './run-remote.js';

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

/** Where and as whom an SSH step logs in: the fields `action.ssh` and `enrich.logs` share. */
export type SshTarget = Pick<SshActionConfig, 'host' | 'port' | 'user' | 'auth' | 'hostKey' | 'connectTimeoutSeconds'>;

/** Ran (whatever its exit), with `place` (`host:port`) for messages; or why nothing ran. */
export type ArgvRun = { ran: true; place: string; result: RemoteResult } | { ran: false; problem: string };

/**
 * Runs `argv` on the target over SSH: checks the rendered host and user, the destination policy
 * (and that the step's secrets may go there), connects only to an address it checked, pins the
 * host key, logs in with a secret and runs the argv quoted for the remote shell, bounded by
 * `timeoutSeconds`. The caller judges the result (exit code, timeout, output).
 */
export async function runArgvOverSsh(target: Resolved<SshTarget>, argv: readonly string[], timeoutSeconds: number, ctx: ExecContext): Promise<ArgvRun> {
  const host = target.host.trim();
  const user = target.user.trim();
  const problem = hostProblem(host) ?? userProblem(user);
  if (problem) return { ran: false, problem };
  const command = remoteCommand(argv);
  if (typeof command !== 'string') return { ran: false, problem: command.problem };
  const { pins, problems } = parseHostKeyPins(target.hostKey);
  if (problems.length > 0) return { ran: false, problem: `hostKey: ${problems.join('; ')}` };

  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  const place = `${bare.includes(':') ? `[${bare}]` : bare}:${target.port}`;
  const display = `ssh ${user}@${place}`;
  let addresses: readonly CheckedAddress[];
  try {
    // Every secret of the step (key, passphrase or password) must be allowed to go to this host.
    addresses = (await ctx.network.resolve({ host: bare, port: target.port, display }, ctx.signal)).addresses;
  } catch (error) {
    if (error instanceof DestinationRefused || error instanceof ResolveFailed) return { ran: false, problem: error.message };
    throw error;
  }
  try {
    const result = await runRemote({
      host: bare,
      port: target.port,
      display,
      addresses,
      username: user,
      auth: target.auth.type === 'password' ? { password: target.auth.password } : { privateKey: target.auth.privateKey, passphrase: target.auth.passphrase },
      pins,
      command,
      timeoutMs: timeoutSeconds * 1000,
      connectTimeoutMs: target.connectTimeoutSeconds * 1000,
      signal: ctx.signal,
    });
    return { ran: true, place, result };
  } catch (error) {
    if (error instanceof SshFailure) return { ran: false, problem: error.message };
    throw error;
  }
}
