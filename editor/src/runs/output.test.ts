import { describe, expect, it } from 'vitest';
import { asHttpOutput, asShellOutput, commandLine, prettyJson } from './output.js';

describe('asShellOutput', () => {
  it('reads what action.shell records', () => {
    const out = asShellOutput({ exitCode: 0, signal: null, stdout: 'restarting postgresql\n', stderr: '', durationMs: 4, timedOut: false });
    expect(out).toEqual({ exitCode: 0, signal: null, stdout: 'restarting postgresql\n', stderr: '', durationMs: 4, timedOut: false });
  });

  it('keeps a kill by signal and a timeout', () => {
    expect(asShellOutput({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 60000, timedOut: true })).toMatchObject({
      exitCode: null,
      signal: 'SIGKILL',
      timedOut: true,
    });
  });

  it('refuses other shapes', () => {
    expect(asShellOutput(null)).toBeNull();
    expect(asShellOutput({ status: 200, body: 'x' })).toBeNull();
    expect(asShellOutput('text')).toBeNull();
  });
});

describe('asHttpOutput', () => {
  it('reads a response', () => {
    const out = asHttpOutput({ status: 200, headers: { 'content-type': 'application/json' }, body: { freed: 1 }, truncated: false, durationMs: 12 });
    expect(out).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: { freed: 1 }, truncated: false, durationMs: 12 });
  });

  it('reads a request that got no answer', () => {
    expect(asHttpOutput({ status: null, error: 'connect ECONNREFUSED 127.0.0.1:9100', durationMs: 3 })).toEqual({
      status: null,
      error: 'connect ECONNREFUSED 127.0.0.1:9100',
      durationMs: 3,
    });
  });

  it('refuses other shapes, including an alert that happens to have a status', () => {
    expect(asHttpOutput({ status: 'firing', name: 'DiskFull' })).toBeNull();
    expect(asHttpOutput({ status: 200 })).toBeNull();
    expect(asHttpOutput([1])).toBeNull();
  });
});

describe('commandLine', () => {
  it('joins a shell argv, quoting only ambiguous arguments', () => {
    expect(commandLine('action.shell', { command: ['systemctl', 'restart', 'postgresql'] })).toBe('systemctl restart postgresql');
    expect(commandLine('action.shell', { command: ['echo', 'two words', ''] })).toBe('echo "two words" ""');
    expect(commandLine('action.shell', { command: ['sh', '-c', 'a;b'] })).toBe('sh -c a;b');
  });

  it('gives the HTTP request line, POST by default as the node type does', () => {
    expect(commandLine('action.http', { method: 'GET', url: 'http://127.0.0.1:9100/health' })).toBe('GET http://127.0.0.1:9100/health');
    expect(commandLine('action.http', { url: 'http://127.0.0.1:9100/cleanup' })).toBe('POST http://127.0.0.1:9100/cleanup');
  });

  it('says how long a delay waits', () => {
    expect(commandLine('action.delay', { seconds: 300 })).toBe('wait 5 min');
  });

  it('shows secret references by name, never as a value', () => {
    expect(commandLine('action.shell', { command: ['notify', { secret: 'PAGER_KEY' }] })).toBe('notify <secret PAGER_KEY>');
  });

  it('has nothing to say for other types or broken configs', () => {
    expect(commandLine('approval.request', { message: 'ok?' })).toBeNull();
    expect(commandLine('action.shell', { command: [] })).toBeNull();
    expect(commandLine('action.http', null)).toBeNull();
  });
});

describe('prettyJson', () => {
  it('indents, and shows absent as empty', () => {
    expect(prettyJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson(undefined)).toBe('');
    expect(prettyJson(null)).toBe('null');
  });
});
