import { describe, expect, it } from 'vitest';
import { remoteCommand } from '../../action/ssh/remote-command.js';
import { journalArgv, tailArgv, unitProblem } from './remote-logs.js';

describe('enrich.logs: the commands it runs over SSH', () => {
  it('reads a journal with journalctl, the unit in one argument that cannot be an option', () => {
    expect(journalArgv('nginx.service', 200)).toEqual(['journalctl', '--no-pager', '--quiet', '--output=short-iso', '--lines=200', '--unit=nginx.service']);
    // Quoted for the remote shell as one word each: `$(…)` in a unit never runs (and is refused before).
    expect(remoteCommand(journalArgv('getty@tty1.service', 5))).toContain("'--unit=getty@tty1.service'");
  });

  it('tails a file after `--`, so a name starting with - is a name, not an option', () => {
    expect(tailArgv('/var/log/-n1', 262144)).toEqual(['tail', '-c', '262144', '--', '/var/log/-n1']);
  });

  it('accepts systemd unit names and refuses options, globs and shell text', () => {
    for (const ok of ['nginx.service', 'getty@tty1.service', 'systemd-fsck@dev-disk-by\\x2duuid.service', 'app.slice']) expect(unitProblem(ok), ok).toBeUndefined();
    for (const bad of ['-x', '--since=today', 'nginx*', 'a b', '$(reboot)', '', 'x'.repeat(257)]) expect(unitProblem(bad), bad).toBeDefined();
  });
});
