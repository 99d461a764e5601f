import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_BYTES, remoteCommand, shellQuote } from './remote-command.js';

/** What `sh -c` makes of a quoted argv: each argument printed between brackets. */
const throughShell = (args: string[]) => execFileSync('sh', ['-c', `printf '[%s]' ${args.map(shellQuote).join(' ')}`], { encoding: 'utf8' });

describe('remote command quoting', () => {
  it('quotes every argument so a POSIX shell reads it back literally', () => {
    const args = ["it's", '"double"', '; rm -rf /', '$(id)', '`id`', 'a\nb', '* ~ $HOME \\', '', "''"];
    expect(throughShell(args)).toBe(args.map((a) => `[${a}]`).join(''));
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('refuses what a shell cannot carry or what is too long, saying which', () => {
    expect(remoteCommand(['echo', 'a\0b'])).toEqual({ problem: 'command[1] holds a NUL byte, which no shell argument can carry' });
    expect(remoteCommand([' ', 'x'])).toEqual({ problem: 'command[0] (the program) is empty after rendering' });
    expect(remoteCommand(['echo', 'x'.repeat(MAX_COMMAND_BYTES)])).toMatchObject({ problem: expect.stringContaining(`at most ${MAX_COMMAND_BYTES} are sent`) });
  });
});
