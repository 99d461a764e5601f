import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COOKIE_VAR, findCommandProcesses, newCommandMark, parseStat } from './process-tree.js';
import { waitFor } from '../../../test/kit/wait.js';

describe('parseStat', () => {
  it('reads pid, parent, group, session, state and start time, whatever the command name holds', () => {
    const rest = '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 123456';
    expect(parseStat(`4242 (we ird) (name)) S 17 4000 4001 ${rest} 0 0\n`)).toEqual({
      pid: 4242,
      ppid: 17,
      pgrp: 4000,
      session: 4001,
      zombie: false,
      startTicks: 123456,
    });
    expect(parseStat(`7 (x) Z 1 7 7 ${rest}`)?.zombie).toBe(true);
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('findCommandProcesses', () => {
  it('finds nothing for a command that does not exist, and never this process', async () => {
    const found = await findCommandProcesses(2 ** 22 + 7, newCommandMark());
    expect(found).toEqual([]);
  });

  it('finds a process outside the command\'s group and session by its cookie, and only with that cookie', async () => {
    const mark = newCommandMark();
    // setsid(1) in a process that leads no group calls setsid() and execs: same pid, new session.
    const child = spawn('setsid', ['sleep', '30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [COOKIE_VAR]: mark.cookie }, stdio: 'ignore' });
    try {
      const nobody = 2 ** 22 + 7;
      const found = await waitFor(async () => {
        const pids = await findCommandProcesses(nobody, mark);
        return pids?.includes(child.pid!) && pids;
      }, 5000, `process ${child.pid} to be found by its cookie`);
      expect(found).toContain(child.pid);
      expect(await findCommandProcesses(nobody, newCommandMark())).not.toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
