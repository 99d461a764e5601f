import { describe, expect, it } from 'vitest';
import { ShellActionConfigSchema, shellAction } from './definition.js';

const issues = (input: unknown) =>
  ShellActionConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('action.shell definition', () => {
  it('fills defaults', () => {
    expect(ShellActionConfigSchema.parse({ command: ['systemctl', 'restart', 'nginx'] })).toEqual({
      command: ['systemctl', 'restart', 'nginx'],
      env: {},
      timeoutSeconds: 60,
      expectExitCodes: [0],
    });
  });

  it('takes an argv list, never a shell string, and names each bad field', () => {
    expect(issues({ command: 'systemctl restart nginx' })[0]).toMatch(/^command: must be a list/);
    expect(issues({ command: [] })[0]).toMatch(/^command: must name the program/);
    expect(issues({ command: [' '] })).toEqual(['command.0: the program name is empty']);
    expect(issues({ command: ['echo', 3] })).toEqual(['command.1: each argument must be a string']);
    expect(issues({ command: ['true'], env: { 'BAD-NAME': 'x' } })[0]).toMatch(/^env.BAD-NAME: /);
    expect(issues({ command: ['true'], env: { TOKEN: { secret: 'DEPLOY_TOKEN' } } })).toEqual([]);
    expect(issues({ command: ['true'], timeoutSeconds: 7200 })).toEqual(['timeoutSeconds: must be between 1 and 3600 seconds']);
    expect(issues({ command: ['true'], expectExitCodes: [256] })[0]).toMatch(/^expectExitCodes.0: /);
    expect(issues({ command: ['true'], shell: true })).toHaveLength(1);
  });

  it('declares argv items, cwd and env values as templates, and summarizes the command line', () => {
    const config = ShellActionConfigSchema.parse({
      command: ['systemctl', 'restart', '{{ alert.labels.service }}'],
      cwd: '/srv/{{ alert.labels.service }}',
      env: { HOST: '{{ alert.labels.instance }}', TOKEN: { secret: 'DEPLOY_TOKEN' } },
    });
    expect(shellAction.expressions(config).map((r) => [r.kind, r.path.join('.')])).toEqual([
      ['template', 'command.2'],
      ['template', 'cwd'],
      ['template', 'env.HOST'],
    ]);
    expect(shellAction.summary(config)).toBe('systemctl restart {{…}}');
    expect(shellAction.summary(ShellActionConfigSchema.parse({ command: ['echo', 'two words'] }))).toBe('echo "two words"');
    expect([shellAction.idempotent, shellAction.sideEffects, shellAction.simulatePort]).toEqual([false, true, 'ok']);
  });
});
