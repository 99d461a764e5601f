import { describe, expect, it } from 'vitest';
import { presentOutput } from '../../output-view.js';
import { shellAction } from './definition.js';

const present = (output: unknown) => presentOutput(shellAction, output);

describe('action.shell output', () => {
  it('reads what the executor records: how it ended, how long, stdout; stderr only when there is some or it failed', () => {
    expect(present({ exitCode: 0, signal: null, stdout: 'restarting postgresql\n', stderr: '', durationMs: 4, timedOut: false })).toEqual({
      facts: [
        { label: 'Result', text: 'exit code 0', tone: 'ok' },
        { label: 'Took', durationMs: 4 },
      ],
      blocks: [{ kind: 'text', title: 'stdout', text: 'restarting postgresql\n' }],
    });
    expect(present({ exitCode: 1, signal: null, stdout: '', stderr: '', durationMs: 4, timedOut: false })!.blocks).toEqual([
      { kind: 'text', title: 'stdout', text: '' },
      { kind: 'text', title: 'stderr', text: '' },
    ]);
    expect(present({ exitCode: 0, signal: null, stdout: '', stderr: 'warn', durationMs: 4, timedOut: false })!.blocks[1]).toEqual({
      kind: 'text',
      title: 'stderr',
      text: 'warn',
      tone: 'error',
    });
  });

  it('says so when a signal or the timeout ended it', () => {
    const killed = present({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 60000, timedOut: false });
    expect(killed!.facts[0]).toEqual({ label: 'Result', text: 'killed by SIGKILL', tone: 'error' });
    const late = present({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 60000, timedOut: true });
    expect(late!.facts[0]).toEqual({ label: 'Result', text: 'timed out', tone: 'error' });
  });

  it('refuses other shapes (they are shown as JSON)', () => {
    expect(present(null)).toBeNull();
    expect(present({ status: 200, body: 'x' })).toBeNull();
    expect(present('text')).toBeNull();
  });
});
