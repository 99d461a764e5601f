import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

/**
 * `SALVE_COMMAND_USER`: command steps run as this user instead of Salve's own, so a command
 * cannot read Salve's data directory, its process environment or its memory. Resolved once at
 * start; Salve refuses to start when it cannot honour it. Part of the node contract (not of one
 * node type): the runtime resolves it and hands it to executors as `ExecContext.commandUser`.
 */

/** The user commands run as, resolved at start. */
export interface CommandUser {
  name: string;
  uid: number;
  gid: number;
  /** Every group the user is in (primary and supplementary), as `id -G` lists them. */
  groups: number[];
  home: string;
  /** The setpriv program that switches to the user before running the command. */
  setpriv: string;
}

/** SALVE_COMMAND_USER cannot be honoured; the message says why and what to do. */
export class CommandUserError extends Error {}

/** Capabilities needed to run commands as another user and stop them: CAP_KILL, CAP_SETGID, CAP_SETUID. */
const NEEDED_CAPS = [5n, 6n, 7n];
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv'];

/** True when a `/proc/<pid>/status` text shows the capabilities to switch users and signal their processes. */
export function canSwitchUsers(procStatus: string): boolean {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(procStatus);
  if (!match) return false;
  const caps = BigInt(`0x${match[1]}`);
  return NEEDED_CAPS.every((bit) => (caps >> bit) & 1n);
}

/** Parses a passwd line (`name:x:uid:gid:gecos:home:shell`). */
export function parsePasswdLine(line: string): { name: string; uid: number; gid: number; home: string } | undefined {
  const fields = line.trim().split(':');
  if (fields.length < 7) return undefined;
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || fields[2] === '' || fields[3] === '') return undefined;
  return { name: fields[0]!, uid, gid, home: fields[5]! };
}

/** Runs a lookup tool; undefined when it reports nothing (unknown user) or cannot run. */
function lookup(program: string, args: string[]): string | undefined {
  try {
    return execFileSync(program, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

export interface ResolveDeps {
  /** `/proc/self/status` of the Salve process. */
  procStatus?: () => string;
  /** `getent passwd <name>` output, or undefined for an unknown user. */
  passwd?: (name: string) => string | undefined;
  /** `id -G <name>` output. */
  groups?: (name: string) => string | undefined;
  platform?: NodeJS.Platform;
  /** Where setpriv is installed, or undefined. */
  setpriv?: () => string | undefined;
}

/**
 * Resolves SALVE_COMMAND_USER (a user name or uid) through the system's user database, and
 * checks that Salve can switch to it: Linux, root (or CAP_SETUID, CAP_SETGID and CAP_KILL),
 * setpriv installed, and the user is not root.
 */
export function resolveCommandUser(name: string, deps: ResolveDeps = {}): CommandUser {
  const setting = `SALVE_COMMAND_USER=${name}`;
  if ((deps.platform ?? process.platform) !== 'linux') throw new CommandUserError(`${setting}: running commands as another user is supported on Linux only`);
  const status = deps.procStatus ? deps.procStatus() : readFileSync('/proc/self/status', 'utf8');
  if (!canSwitchUsers(status)) {
    throw new CommandUserError(
      `${setting}: Salve cannot switch users: it runs as uid ${process.getuid?.()} without CAP_SETUID, CAP_SETGID and CAP_KILL. ` +
        'Run Salve as root (or grant it those capabilities), or leave SALVE_COMMAND_USER unset.',
    );
  }
  const passwdText = deps.passwd ? deps.passwd(name) : lookup('getent', ['passwd', name]);
  const entry = passwdText === undefined ? undefined : parsePasswdLine(passwdText.split('\n')[0] ?? '');
  if (!entry) throw new CommandUserError(`${setting}: no such user`);
  if (entry.uid === 0) throw new CommandUserError(`${setting}: that is root; commands must run as an unprivileged user`);
  const groupsText = deps.groups ? deps.groups(entry.name) : lookup('id', ['-G', entry.name]);
  const groups = (groupsText ?? '').trim().split(/\s+/).filter((g) => g !== '').map(Number);
  if (groups.length === 0 || groups.some((g) => !Number.isInteger(g))) throw new CommandUserError(`${setting}: cannot list the groups of ${entry.name} (id -G)`);
  const setpriv = deps.setpriv ? deps.setpriv() : SETPRIV_PATHS.find((p) => existsSync(p));
  if (!setpriv) throw new CommandUserError(`${setting}: setpriv (util-linux) is needed to run commands as another user; install it`);
  return { ...entry, groups, setpriv };
}

/**
 * The argv that runs `argv` as `user`: setpriv sets the real and effective uid and gid and the
 * supplementary groups, clears the inheritable (hence ambient) capabilities, then execs it.
 */
export function argvAsUser(user: CommandUser, argv: string[]): string[] {
  return [
    user.setpriv,
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    // As initgroups() would set them: every group of the user, the primary one included.
    `--groups=${user.groups.join(',')}`,
    '--inh-caps=-all',
    '--',
    ...argv,
  ];
}

/** The environment a command run as `user` starts with, besides PATH and its own variables. */
export function userEnv(user: CommandUser): Record<string, string> {
  return { HOME: user.home, USER: user.name, LOGNAME: user.name };
}

/** Where a command run as `user` starts when its step sets no cwd: their home, else `/`. */
export function defaultCwd(user: CommandUser): string {
  try {
    if (statSync(user.home).isDirectory()) return user.home;
  } catch {
    // no home directory (e.g. nobody's /nonexistent)
  }
  return '/';
}
