import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/** Where Debian's openssh-server puts the daemon (it refuses to re-exec from a relative path). */
const SSHD = '/usr/sbin/sshd';
/** sshd running as root wants its privilege separation directory to exist. */
const PRIVSEP_DIR = '/run/sshd';

/**
 * A real OpenSSH server on 127.0.0.1 for tests, in a temp directory of its own: its own host
 * key, a client key pair (plain, and one with a passphrase) in its authorized_keys, and a
 * config that allows key logins for the user running the tests and refuses passwords.
 */
export interface TestSshd {
  port: number;
  /** The user the tests log in as (whoever runs them; root in CI containers). */
  user: string;
  /** `SHA256:…` of the server's host key, as ssh-keygen -lf prints it. */
  fingerprint: string;
  /** The host key's public line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
  /** The client's private key (OpenSSH format, no passphrase). */
  clientKey: string;
  /** Another client key, encrypted with `clientKeyPassphrase`. */
  encryptedClientKey: string;
  clientKeyPassphrase: string;
  /** The fingerprint of a key the server does not have: what a changed host key looks like. */
  otherFingerprint: string;
  otherPublicKey: string;
  /** What sshd wrote (-e: its log goes to stderr), for failure messages. */
  log: () => string;
  stop(): Promise<void>;
}

function keygen(path: string, passphrase = ''): void {
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'salve-test', '-f', path], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error('ssh-keygen not found: the SSH tests need OpenSSH; install openssh-client and openssh-server (e.g. apt-get install openssh-server)');
  }
}

function fingerprintOf(pubPath: string): string {
  const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath], { encoding: 'utf8' });
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(line);
  if (!match) throw new Error(`ssh-keygen -lf printed no SHA256 fingerprint: ${line}`);
  return match[0];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `sshd -D -e -f <config>` on a free loopback port and resolves once it accepts
 * connections. A machine without openssh-server fails the test, saying so: SSH is never skipped.
 */
export async function startSshd(opts: { passwordAuthentication?: boolean } = {}): Promise<TestSshd> {
  if (!existsSync(SSHD)) {
    throw new Error(`${SSHD} not found: the SSH tests need a real OpenSSH server; install openssh-server (e.g. apt-get install openssh-server)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'salve-sshd-'));
  const user = userInfo().username;
  const root = process.getuid?.() === 0;
  if (root && !existsSync(PRIVSEP_DIR)) mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'other_host_ed25519'));
  keygen(join(dir, 'client_ed25519'));
  const passphrase = 'correct horse battery staple';
  keygen(join(dir, 'client_encrypted'), passphrase);
  const authorized = ['client_ed25519.pub', 'client_encrypted.pub'].map((f) => readFileSync(join(dir, f), 'utf8').trim()).join('\n');
  writeFileSync(join(dir, 'authorized_keys'), `${authorized}\n`, { mode: 0o600 });
  const port = await freePort();
  const config = [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'UsePAM no',
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${opts.passwordAuthentication ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    `PermitRootLogin ${root ? 'prohibit-password' : 'no'}`,
    'LogLevel VERBOSE',
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);

  // Its own process group: stopping it also ends the per-connection processes it forked.
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exit;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`sshd exited at start:\n${log}`);
      return accepts(port);
    }, 10_000, `sshd to listen on 127.0.0.1:${port}`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nsshd log:\n${log}`);
  }
  return {
    port,
    user,
    fingerprint: fingerprintOf(join(dir, 'host_ed25519.pub')),
    publicKey: readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim(),
    clientKey: readFileSync(join(dir, 'client_ed25519'), 'utf8'),
    encryptedClientKey: readFileSync(join(dir, 'client_encrypted'), 'utf8'),
    clientKeyPassphrase: passphrase,
    otherFingerprint: fingerprintOf(join(dir, 'other_host_ed25519.pub')),
    otherPublicKey: readFileSync(join(dir, 'other_host_ed25519.pub'), 'utf8').trim(),
    log: () => log,
    stop,
  };
}
