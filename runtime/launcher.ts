import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageError } from './cli-args.js';
import { MASTER_KEY_VAR, parseMasterKey } from './engine/secrets/master-key.js';
import { MIN_SECRET_LENGTH } from './engine/secrets/scrub.js';
import { secretStoreFromEnv } from './engine/secrets/secrets.js';
import { REQUIRED_NODE_FLAGS, SERVER_MEMORY_FLAGS } from './node-flags.js';
import { readSecretsFile, SECRETS_FILE_VAR, SecretsFileError } from './secrets-file.js';

/**
 * The one launcher step. `salve serve` runs here as a small parent process that
 * - reads the secrets (`SALVE_SECRET_*`, `SALVE_ADMIN_TOKEN`, `SALVE_METRICS_TOKEN`, `SALVE_MASTER_KEY`, `SALVE_OIDC_CLIENT_SECRET` and `SALVE_SECRETS_FILE`) once,
 * - starts the real server with the V8 flags Salve needs and an environment WITHOUT them,
 * - hands them over the IPC channel (never argv, env or a file), and
 * - forwards SIGINT/SIGTERM/SIGHUP and exits with the server's status.
 * The server stops gracefully when this parent goes away, even on `kill -9` (the channel closes).
 * Other commands are re-run with the V8 flags when they lack them.
 */

/** The internal command the launcher starts the server with (not for people). */
export const SERVER_COMMAND = '__server';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
const HANDOVER_TYPE = 'salve.secrets';
const HandoverSchema = z.strictObject({ type: z.literal(HANDOVER_TYPE), secrets: z.record(z.string(), z.string()) });
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** True for environment variables that hold secrets: the server must not inherit them. */
export function isSecretVariable(name: string): boolean {
  return (
    name.startsWith('SALVE_SECRET_') ||
    name === 'SALVE_ADMIN_TOKEN' ||
    // A PostgreSQL URL may hold its password.
    name === 'SALVE_DATABASE_URL' ||
    name === 'SALVE_METRICS_TOKEN' ||
    name === MASTER_KEY_VAR ||
    name === 'SALVE_OIDC_CLIENT_SECRET'
  );
}

/**
 * Splits the launcher's environment into what the server inherits (everything else) and the
 * secrets handed to it, adding the secrets file's. Refuses a name set in both places, and
 * secrets too short to be scrubbed from outputs.
 */
export function splitEnvironment(
  env: NodeJS.ProcessEnv,
  readFile: (file: string) => Record<string, string> = readSecretsFile,
): { inherited: Record<string, string>; secrets: Record<string, string> } {
  const inherited: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name === SECRETS_FILE_VAR) continue;
    if (isSecretVariable(name)) secrets[name] = value;
    else inherited[name] = value;
  }
  const file = env[SECRETS_FILE_VAR];
  if (file) {
    for (const [name, value] of Object.entries(readFile(file))) {
      if (Object.hasOwn(secrets, name)) throw new SecretsFileError(`${name} is set both in the environment and in ${file}: keep one`);
      secrets[name] = value;
    }
  }
  // A malformed master key stops `salve serve` here, before the server starts.
  if (secrets[MASTER_KEY_VAR] !== undefined) parseMasterKey(secrets[MASTER_KEY_VAR], MASTER_KEY_VAR);
  const store = secretStoreFromEnv(secrets);
  for (const name of store.names()) {
    if (store.get(name)!.length < MIN_SECRET_LENGTH) {
      throw new SecretsFileError(`secret ${name} is shorter than ${MIN_SECRET_LENGTH} characters: Salve could not scrub it from outputs; use a real secret`);
    }
  }
  return { inherited, secrets };
}

/** The exit code a shell would report for `child`'s end. */
function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(`salve: cannot start node: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** Passes the signals people and supervisors send on to `child`, until it ends. */
function forwardSignals(child: ChildProcess): void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => child.kill(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  child.once('exit', () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  });
}

/** `salve serve`: starts the server as described above; resolves with its exit code. */
export async function launchServer(args: string[]): Promise<number> {
  const { inherited, secrets } = splitEnvironment(process.env);
  const child = spawn(process.execPath, [...REQUIRED_NODE_FLAGS, ...SERVER_MEMORY_FLAGS, CLI, SERVER_COMMAND, ...args], {
    env: inherited,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const done = exitCode(child);
  forwardSignals(child);
  // A failed send means the server already ended; its exit status says why.
  child.send({ type: HANDOVER_TYPE, secrets } satisfies z.infer<typeof HandoverSchema>, () => {});
  return done;
}

/** Runs `argv` again in a Node started with the required V8 flags; resolves with its exit code. */
export async function rerunWithFlags(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, [...REQUIRED_NODE_FLAGS, CLI, ...argv], { stdio: 'inherit' });
  const done = exitCode(child);
  forwardSignals(child);
  return done;
}

/**
 * In the server: the secrets the launcher hands over (as `SALVE_SECRET_*` / `SALVE_ADMIN_TOKEN`
 * names). Refused when not started by the launcher.
 */
export function receiveSecrets(timeoutMs = 10_000): Promise<Record<string, string>> {
  if (!process.send || !process.connected) {
    return Promise.reject(new UsageError(`"${SERVER_COMMAND}" is internal: start Salve with "salve serve"`));
  }
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
    const onMessage = (message: unknown) => {
      cleanup();
      const parsed = HandoverSchema.safeParse(message);
      if (parsed.success) resolve(parsed.data.secrets);
      else reject(new Error('the launcher sent an unexpected message'));
    };
    const onDisconnect = () => {
      cleanup();
      reject(new Error('the launcher exited before handing over the secrets'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the launcher did not hand over the secrets within ${timeoutMs} ms`));
    }, timeoutMs);
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
  });
}

/** In the server: calls `onExit` once when the launcher is gone (exited, crashed or was killed). */
export function onLauncherExit(onExit: () => void): void {
  if (!process.connected) {
    onExit();
    return;
  }
  process.once('disconnect', onExit);
}
