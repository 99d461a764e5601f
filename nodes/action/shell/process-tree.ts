import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Finding and ending every process a command started, including those that left its process
 * group with setsid(). A command's processes are recognised by any of:
 * - its process group and session (the command leads both: it is started with setsid());
 * - descent: parent links leading back to the command (catches a setsid() child whose parent lives);
 * - a cookie: a unique environment variable the command's processes inherit (catches a
 *   setsid() grandchild whose parent has exited, as Jenkins' ProcessTreeKiller does). Reading
 *   another user's environment needs CAP_SYS_PTRACE; without it the first two still apply.
 * A process that starts a new session, loses its parent AND clears its environment escapes all
 * three; running commands as SALVE_COMMAND_USER limits what such a process can do.
 * Linux only (/proc); elsewhere only the process group is signalled.
 */

/** The environment variable holding a command's cookie. */
export const COOKIE_VAR = 'SALVE_PROCESS_COOKIE';

const POLL_MS = 50;
/** How long to wait for processes to disappear after SIGKILL before giving up on them. */
const KILL_WAIT_MS = 2000;

/** Clock ticks per second in /proc (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** What marks one command's processes: its cookie, and when it started (only later processes can be its). */
export interface CommandMark {
  cookie: string;
  /** Clock ticks since boot when the command was started (0 when unknown). */
  sinceTicks: number;
}

/** A new mark, taken just before the command is started. */
export function newCommandMark(): CommandMark {
  let sinceTicks = 0;
  try {
    // A second earlier than now, so clock granularity never excludes the command itself.
    sinceTicks = Math.max(0, Math.floor((Number.parseFloat(readFileSync('/proc/uptime', 'utf8')) - 1) * TICKS_PER_SECOND));
  } catch {
    // no /proc: only the process group will be used
  }
  return { cookie: randomBytes(16).toString('hex'), sinceTicks };
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  zombie: boolean;
  /** Clock ticks since boot when it started. */
  startTicks: number;
}

/** Parses `/proc/<pid>/stat` (the command name may hold spaces and parentheses). */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text.slice(close + 2).split(' ');
  const [state, ppid, pgrp, session] = fields;
  if (!Number.isInteger(pid) || state === undefined || fields.length < 20) return undefined;
  return { pid, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session), zombie: state === 'Z' || state === 'X', startTicks: Number(fields[19]) };
}

async function readStats(): Promise<ProcStat[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined; // no /proc: not Linux
  }
  const stats = await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        try {
          return parseStat(await readFile(`/proc/${n}/stat`, 'utf8'));
        } catch {
          return undefined; // exited meanwhile
        }
      }),
  );
  return stats.filter((s): s is ProcStat => s !== undefined);
}

async function carriesCookie(pid: number, marker: Buffer): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/environ`)).includes(marker);
  } catch {
    return false; // gone, or another user's and not readable
  }
}

/**
 * The live (non-zombie) processes of the command led by `leader` and marked with `mark`;
 * undefined when /proc cannot be read.
 */
export async function findCommandProcesses(leader: number, mark: CommandMark): Promise<number[] | undefined> {
  const stats = await readStats();
  if (!stats) return undefined;
  const marker = Buffer.from(`${COOKIE_VAR}=${mark.cookie}\0`);
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const found = new Set<number>();
  const descend = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        descend(child);
      }
    }
  };
  // The leader itself is in both while it lives. (Not matched by pid: once it and its group are
  // gone, its pid may belong to someone else.)
  for (const s of stats) if (s.pgrp === leader || s.session === leader) found.add(s.pid);
  for (const pid of [...found]) descend(pid);
  // Only processes started since the command can carry its cookie: the others' environments are not read.
  const others = stats.filter((s) => !found.has(s.pid) && s.startTicks >= mark.sinceTicks && s.pid !== process.pid && s.pid !== 1 && !s.zombie);
  const marked = await Promise.all(others.map(async (s) => ((await carriesCookie(s.pid, marker)) ? s.pid : undefined)));
  for (const pid of marked) if (pid !== undefined) found.add(pid);
  const zombies = new Set(stats.filter((s) => s.zombie).map((s) => s.pid));
  return [...found].filter((pid) => !zombies.has(pid) && pid !== process.pid && pid !== 1);
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends every process of the command led by `leader`: SIGTERM to each of them (once; processes
 * found later get theirs when found), then SIGKILL to whatever is left after `graceMs`, found
 * again each round so processes started meanwhile go too. Resolves when none is left, or
 * after a short bounded wait following SIGKILL.
 */
export async function endCommandProcesses(leader: number, mark: CommandMark, graceMs: number): Promise<void> {
  const termed = new Set<number>();
  /** Signals what is left; returns how many processes were left. */
  const sweep = async (sig: 'SIGTERM' | 'SIGKILL'): Promise<number> => {
    const pids = await findCommandProcesses(leader, mark);
    if (pids === undefined) {
      // Without /proc only the process group is known.
      const alive = signal(-leader, 0);
      if (alive && (sig === 'SIGKILL' || !termed.has(leader))) signal(-leader, sig);
      termed.add(leader);
      return alive ? 1 : 0;
    }
    for (const pid of pids) {
      if (sig === 'SIGKILL' || !termed.has(pid)) signal(pid, sig);
      termed.add(pid);
    }
    return pids.length;
  };
  const termEnd = Date.now() + graceMs;
  if ((await sweep('SIGTERM')) === 0) return;
  while (Date.now() < termEnd) {
    await sleep(POLL_MS);
    if ((await sweep('SIGTERM')) === 0) return;
  }
  const killEnd = Date.now() + KILL_WAIT_MS;
  while ((await sweep('SIGKILL')) > 0 && Date.now() < killEnd) await sleep(POLL_MS);
}
