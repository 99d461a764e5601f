import { describe, expect, it } from 'vitest';
import { commandLine, prettyJson } from './output.js';

describe('commandLine', () => {
  it('joins a shell argv, quoting only ambiguous arguments', () => {
    expect(commandLine('action.shell', { command: ['systemctl', 'restart', 'postgresql'] })).toBe('systemctl restart postgresql');
    expect(commandLine('action.shell', { command: ['echo', 'two words', ''] })).toBe('echo "two words" ""');
    // No shell sees argv: `;` is literal text, so it needs no quoting.
    expect(commandLine('action.shell', { command: ['echo', 'a;b'] })).toBe('echo a;b');
  });

  it('gives the HTTP request line, POST by default as the node type does', () => {
    expect(commandLine('action.http', { method: 'GET', url: 'http://127.0.0.1:9100/health' })).toBe('GET http://127.0.0.1:9100/health');
    expect(commandLine('action.http', { url: 'http://127.0.0.1:9100/cleanup' })).toBe('POST http://127.0.0.1:9100/cleanup');
  });

  it('says how long a delay waits', () => {
    expect(commandLine('action.delay', { seconds: 300 })).toBe('wait 5 min');
  });

  it('never shows a secret: secret references stay in the JSON, which is shown instead of a line', () => {
    expect(commandLine('action.http', { url: 'http://127.0.0.1:9100/cleanup', headers: { 'X-Key': { secret: 'PAGER_KEY' } } })).toBe(
      'POST http://127.0.0.1:9100/cleanup',
    );
    // The command schema takes strings only: a config that does not fit its type has no line.
    expect(commandLine('action.shell', { command: ['notify', { secret: 'PAGER_KEY' }] })).toBeNull();
  });

  it('has nothing to say for other types or broken configs', () => {
    expect(commandLine('approval.request', { message: 'ok?' })).toBeNull();
    expect(commandLine('action.shell', { command: [] })).toBeNull();
    expect(commandLine('action.http', null)).toBeNull();
    expect(commandLine('action.unknown', { command: ['x'] })).toBeNull();
  });
});

describe('prettyJson', () => {
  it('indents, and shows absent as empty', () => {
    expect(prettyJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson(undefined)).toBe('');
    expect(prettyJson(null)).toBe('null');
  });
});
