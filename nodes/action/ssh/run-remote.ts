import { connect as netConnect, type Socket } from 'node:net';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import type { CheckedAddress } from '../../network.js';
import type { HostKeyPin } from './host-key-pins.js';
import { describeOffered, keyIsPinned, type OfferedKey } from './host-key.js';

/** Most bytes kept of stdout and of stderr, each. */
export const OUTPUT_CAP_BYTES = 1024 * 1024;
/** Appended to output that was cut at the cap (the same words as a local command's). */
export const TRUNCATION_MARKER = `\n[salve: output truncated after ${OUTPUT_CAP_BYTES} bytes]`;
/** Past this much of either stream the command is killed: reading more would only cost network. */
export const HARD_CAP_BYTES = 16 * 1024 * 1024;
/** After KILL, how long the server gets to report the command's end before the channel is closed. */
const STOP_WAIT_MS = 1000;

/** Nothing ran: connecting, the host key or logging in failed. The message names the host, never a secret. */
export class SshFailure extends Error {}

export interface RemoteSpec {
  /** The host as configured (rendered): known_hosts lines are matched against it. */
  host: string;
  port: number;
  /** `user@host:port`, for messages. */
  display: string;
  /** Where the destination policy allows connecting: the only addresses tried. */
  addresses: readonly CheckedAddress[];
  username: string;
  auth: { privateKey: string; passphrase?: string | undefined } | { password: string };
  pins: readonly HostKeyPin[];
  /** The command string, already quoted for the remote shell. */
  command: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  signal: AbortSignal;
}

export interface RemoteResult {
  address: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  timedOut: boolean;
  /** `signal` (cancel, deadline, shutdown) stopped it. */
  aborted: boolean;
  /** It wrote more than HARD_CAP_BYTES to one stream and was killed. */
  overflowed: boolean;
}

/** Keeps the first OUTPUT_CAP_BYTES of a stream and counts the rest. */
class CappedOutput {
  private chunks: Buffer[] = [];
  private kept = 0;
  received = 0;

  push(chunk: Buffer): void {
    this.received += chunk.length;
    const room = OUTPUT_CAP_BYTES - this.kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.received > OUTPUT_CAP_BYTES;
  }

  text(): string {
    const text = Buffer.concat(this.chunks, this.kept).toString('utf8');
    return this.truncated ? text + TRUNCATION_MARKER : text;
  }
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Opens a TCP connection to one checked address, or rejects with why not. */
function openSocket(address: CheckedAddress, port: number): { socket: Socket; connected: Promise<void> } {
  const socket = netConnect({ host: address.address, port, family: address.family });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, connected };
}

/** Why an ssh2 connection error happened, in words for the operator (never the credentials). */
function connectMessage(spec: RemoteSpec, error: Error & { level?: string; code?: string }): string {
  if (error.level === 'client-authentication') {
    const how = 'password' in spec.auth ? 'a password' : 'the private key';
    return `${spec.display}: logging in with ${how} failed (the server accepted none of the credentials offered)`;
  }
  if (error.code) return `${spec.display}: connection failed: ${error.code}`;
  return `${spec.display}: connection failed: ${error.message}`;
}

/** Why the private key could not be used, from ssh2's parse error (it never holds the key). */
function keyMessage(error: Error): string {
  const reason = error.message.replace(/^Cannot parse privateKey: /, '');
  if (/passphrase/i.test(reason) || /decrypt/i.test(reason)) return `the private key could not be decrypted: ${reason} (check the passphrase secret)`;
  return `the private key could not be read: ${reason}`;
}

interface Session {
  client: Client;
  address: string;
}

/**
 * Connects to the first checked address that answers, checks the host key against the pins and
 * logs in, all within `connectTimeoutMs`. Rejects with SshFailure.
 */
async function openSession(spec: RemoteSpec): Promise<Session> {
  const deadline = Date.now() + spec.connectTimeoutMs;
  let lastProblem = 'no address to connect to';
  for (const address of spec.addresses) {
    if (spec.signal.aborted) throw new SshFailure(`${spec.display}: cancelled before connecting`);
    if (Date.now() >= deadline) break;
    try {
      return await loginAt(spec, address, deadline);
    } catch (error) {
      // Only a failed TCP connection moves on to the next address: a refused key or login is final.
      if (!(error instanceof UnreachableAddress)) throw error;
      lastProblem = error.message;
    }
  }
  if (Date.now() >= deadline) throw new SshFailure(`${spec.display}: could not connect and log in within ${seconds(spec.connectTimeoutMs)} (${lastProblem})`);
  throw new SshFailure(`${spec.display}: could not connect: ${lastProblem}`);
}

class UnreachableAddress extends Error {}

async function loginAt(spec: RemoteSpec, address: CheckedAddress, deadline: number): Promise<Session> {
  // Loaded on first use: ssh2 is megabytes of resident memory a server without SSH steps never needs.
  const { Client: SshClient } = await import('ssh2');
  return new Promise<Session>((resolve, reject) => {
    const { socket, connected } = openSocket(address, spec.port);
    const client: Client = new SshClient();
    let offered: OfferedKey | undefined;
    let refusedKey = false;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: Error) =>
      finish(() => {
        client.end();
        socket.destroy();
        reject(error);
      });
    const timer = setTimeout(
      () => fail(new SshFailure(`${spec.display}: could not connect and log in within ${seconds(spec.connectTimeoutMs)}`)),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => fail(new SshFailure(`${spec.display}: cancelled while connecting`));
    spec.signal.addEventListener('abort', onAbort, { once: true });

    connected.then(
      () => {
        if (settled) return;
        const config: ConnectConfig = {
          sock: socket,
          username: spec.username,
          // Our own timer bounds the whole login; ssh2's would only race it.
          readyTimeout: 0,
          tryKeyboard: false,
          hostVerifier: (key: Buffer) => {
            offered = describeOffered(key);
            refusedKey = !keyIsPinned(spec.pins, key, spec.host, spec.port);
            return !refusedKey;
          },
          ...('password' in spec.auth
            ? { password: spec.auth.password }
            : { privateKey: spec.auth.privateKey, ...(spec.auth.passphrase !== undefined ? { passphrase: spec.auth.passphrase } : {}) }),
        };
        client.once('ready', () => finish(() => resolve({ client, address: address.address })));
        client.on('error', (error: Error & { level?: string }) => {
          if (refusedKey && offered) {
            fail(
              new SshFailure(
                `${spec.display}: host key refused: the server offered ${offered.keyType} ${offered.fingerprint}, which is not pinned in hostKey. ` +
                  'If this is the right server (check the fingerprint on it: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), pin it.',
              ),
            );
          } else {
            fail(new SshFailure(connectMessage(spec, error)));
          }
        });
        client.once('close', () => fail(new SshFailure(`${spec.display}: the server closed the connection before login completed`)));
        try {
          client.connect(config);
        } catch (error) {
          // ssh2 reads the key synchronously: a bad key or passphrase throws here.
          fail(new SshFailure(`${spec.display}: ${keyMessage(error as Error)}`));
        }
      },
      (error: NodeJS.ErrnoException) => fail(new UnreachableAddress(`${address.address}:${spec.port}: ${error.code ?? error.message}`)),
    );
  });
}

/**
 * Runs `command` on the session's server; resolves once it ended, timed out, was aborted or
 * overflowed. The timeout and the abort count from before the session channel is asked for, so a
 * server that never opens it cannot hold the step.
 */
function execute(spec: RemoteSpec, session: Session, started: number): Promise<RemoteResult> {
  const { client } = session;
  return new Promise<RemoteResult>((resolve, reject) => {
    const stdout = new CappedOutput();
    const stderr = new CappedOutput();
    let channel: ClientChannel | undefined;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let timedOut = false;
    let aborted = false;
    let overflowed = false;
    let stopping: NodeJS.Timeout | undefined;
    let done = false;

    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(stopping);
      spec.signal.removeEventListener('abort', onAbort);
      channel?.removeAllListeners('data');
      channel?.stderr.removeAllListeners('data');
      client.end();
      resolve({
        address: session.address,
        exitCode,
        signal: exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
        durationMs: Math.round(performance.now() - started),
        timedOut,
        aborted,
        overflowed,
      });
    };
    /**
     * KILL goes to the command's process group on the server, twice over: as a `signal` request
     * (OpenSSH 7.9+, non-root logins) and by closing stdin. Then the channel and the
     * connection close, whether or not its end was reported.
     */
    const stop = () => {
      if (stopping || done) return;
      // No channel yet: closing the connection is all there is to do (nothing started).
      if (!channel) return finish();
      const open = channel;
      open.signal('KILL');
      // End of stdin: the command's watcher (remote-command.ts) KILLs its process group.
      open.end();
      stopping = setTimeout(() => {
        open.close();
        finish();
      }, STOP_WAIT_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (spec.signal.aborted) return onAbort();
    spec.signal.addEventListener('abort', onAbort, { once: true });

    client.exec(spec.command, (error: Error | undefined, opened: ClientChannel) => {
      if (done) {
        opened?.close();
        return;
      }
      if (error) {
        done = true;
        clearTimeout(timer);
        spec.signal.removeEventListener('abort', onAbort);
        client.end();
        reject(new SshFailure(`${spec.display}: the server refused to run the command: ${error.message}`));
        return;
      }
      channel = opened;
      const onData = (out: CappedOutput) => (chunk: Buffer) => {
        out.push(chunk);
        if (out.received > HARD_CAP_BYTES && !overflowed) {
          overflowed = true;
          stop();
        }
      };
      opened.on('data', onData(stdout));
      opened.stderr.on('data', onData(stderr));
      opened.on('exit', (code: number | null, signalName?: string) => {
        if (typeof code === 'number') exitCode = code;
        else if (signalName) exitSignal = signalName.replace(/^SIG/, '');
      });
      opened.on('close', finish);
    });
  });
}

/**
 * Connects to one of the checked addresses (never anywhere else), pins the host key, logs in and
 * runs the command, bounded in time and output. Rejects with SshFailure when nothing ran.
 */
export async function runRemote(spec: RemoteSpec): Promise<RemoteResult> {
  const started = performance.now();
  const session = await openSession(spec);
  session.client.on('error', () => {
    // After login, a broken connection shows as the channel closing without an exit status.
  });
  return execute(spec, session, started);
}
