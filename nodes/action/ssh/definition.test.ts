import { describe, expect, it } from 'vitest';
import { presentOutput } from '../../output-view.js';
import { SshActionConfigSchema, sshAction } from './definition.js';

const FINGERPRINT = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const base = {
  host: 'db1.example.internal',
  user: 'salve',
  auth: { type: 'key', privateKey: { secret: 'SSH_KEY' } },
  hostKey: FINGERPRINT,
  command: ['journalctl', '--vacuum-size=500M'],
};
const issues = (input: Record<string, unknown>) =>
  SshActionConfigSchema.safeParse({ ...base, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('action.ssh definition', () => {
  it('fills defaults', () => {
    expect(SshActionConfigSchema.parse(base)).toEqual({ ...base, port: 22, timeoutSeconds: 60, connectTimeoutSeconds: 15 });
  });

  it('takes credentials as secret references only, naming the field', () => {
    expect(issues({ auth: { type: 'key', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' } })).toEqual([
      'auth.privateKey: privateKey must be a secret reference like {"secret":"SSH_KEY"}, never the value itself (a flow is stored and exported in clear)',
    ]);
    expect(issues({ auth: { type: 'key', privateKey: { secret: 'SSH_KEY' }, passphrase: 'hunter2' } })[0]).toMatch(/^auth.passphrase: passphrase must be a secret reference/);
    expect(issues({ auth: { type: 'password', password: 'hunter2' } })[0]).toMatch(/^auth.password: password must be a secret reference like \{"secret":"SSH_PASSWORD"\}/);
    expect(issues({ auth: undefined })[0]).toMatch(/^auth: auth is required/);
    expect(issues({ auth: { type: 'password', password: { secret: 'SSH_PASSWORD' } } })).toEqual([]);
  });

  it('requires a pinned host key, and has no way to accept any key', () => {
    expect(issues({ hostKey: undefined })[0]).toMatch(/^hostKey: hostKey is required/);
    expect(issues({ hostKey: '' })).toEqual(["hostKey: pin the server's host key: a SHA256:… fingerprint or a known_hosts line"]);
    expect(issues({ hostKey: '*' })[0]).toMatch(/^hostKey: "\*" is neither a SHA256/);
    expect(issues({ hostKeyCheck: false })).toHaveLength(1);
  });

  it('takes an argv list within limits, and names each bad field', () => {
    expect(issues({ command: 'journalctl --vacuum-size=500M' })[0]).toMatch(/^command: must be a list/);
    expect(issues({ command: [] })[0]).toMatch(/^command: must name the program/);
    expect(issues({ command: [' '] })).toEqual(['command.0: the program name is empty']);
    expect(issues({ command: Array(257).fill('x') })).toEqual(['command: at most 256 arguments']);
    expect(issues({ command: ['echo', 'x'.repeat(16_385)] })).toEqual(['command.1: an argument has at most 16384 characters']);
    expect(issues({ port: 0 })).toEqual(['port: must be a port, 1-65535']);
    expect(issues({ timeoutSeconds: 7200 })).toEqual(['timeoutSeconds: must be between 1 and 3600 seconds']);
    expect(issues({ connectTimeoutSeconds: 0 })).toEqual(['connectTimeoutSeconds: must be between 1 and 120 seconds']);
  });

  it('declares host, user and argv items as templates, never credentials, and says what runs where', () => {
    const config = SshActionConfigSchema.parse({ ...base, host: '{{ alert.labels.host }}', port: 2222, command: ['du', '-sh', '{{ alert.labels.mountpoint }}'] });
    expect(sshAction.expressions(config).map((r) => [r.kind, r.path.join('.')])).toEqual([
      ['template', 'host'],
      ['template', 'command.2'],
    ]);
    expect(sshAction.summary(config)).toBe('salve@{{…}}:2222: du -sh {{…}}');
    expect(sshAction.commandLine!(SshActionConfigSchema.parse({ ...base, command: ['echo', 'two words'] }))).toBe('ssh salve@db1.example.internal echo "two words"');
    expect([sshAction.idempotent, sshAction.sideEffects, sshAction.simulatePort]).toEqual([false, true, 'ok']);
  });

  it('presents where it ran, how it ended and its output', () => {
    const output = { host: 'db1.example.internal:22', address: '10.0.0.5', exitCode: 0, signal: null, stdout: 'Vacuuming done\n', stderr: '', stdoutTruncated: false, stderrTruncated: false, durationMs: 40, timedOut: false };
    expect(presentOutput(sshAction, output)).toEqual({
      facts: [
        { label: 'Host', text: 'db1.example.internal:22 (10.0.0.5)', mono: true },
        { label: 'Result', text: 'exit code 0', tone: 'ok' },
        { label: 'Took', durationMs: 40 },
      ],
      blocks: [{ kind: 'text', title: 'stdout', text: 'Vacuuming done\n' }],
    });
    const timedOut = presentOutput(sshAction, { ...output, host: '10.0.0.5:22', exitCode: null, timedOut: true, stdoutTruncated: true });
    expect(timedOut!.facts.slice(0, 2)).toEqual([
      { label: 'Host', text: '10.0.0.5:22', mono: true },
      { label: 'Result', text: 'timed out', tone: 'error' },
    ]);
    expect(timedOut!.blocks.at(-1)).toEqual({ kind: 'note', tone: 'muted', text: 'stdout cut at 1 MiB' });
  });
});
