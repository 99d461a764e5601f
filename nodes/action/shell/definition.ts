import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { defineNode, templatesIn } from '../../definition.js';

export const ShellConfigSchema = z.strictObject({
  /** argv: the program and its arguments, each a template. Never run through a shell. */
  command: z.array(z.string()).min(1, 'command needs at least the program, e.g. ["systemctl", "restart", "nginx"]').max(256),
  cwd: z.string().min(1).optional(),
  /** Environment for the command (secrets allowed). The server's own environment is not passed on. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.union([z.string(), SecretRefSchema])).default({}),
  timeoutSeconds: z.number().int().min(1).max(3600).default(60),
  expectExitCodes: z.array(z.number().int().min(0).max(255)).min(1).default([0]),
});

/** Runs a command (argv, no shell) in its own process group; killed on timeout. */
export const shellAction = defineNode({
  type: 'action.shell',
  version: 1,
  category: 'action',
  label: 'Run command',
  description: 'Runs a program with arguments (no shell); continues on "ok" for an expected exit code, else "error". Never re-run after a crash.',
  icon: 'terminal',
  configSchema: ShellConfigSchema,
  outputs: ['ok', 'error'],
  idempotent: false,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (c) => [
    ...templatesIn(c.command, ['command']),
    ...(c.cwd ? templatesIn(c.cwd, ['cwd']) : []),
    ...templatesIn(c.env, ['env']),
  ],
  summary: (c) => c.command.map((a) => a.replace(/\{\{[^}]*\}\}/g, '{{…}}')).join(' '),
  ui: { command: { widget: 'argv' }, cwd: { widget: 'text' }, env: { widget: 'keyValue' }, timeoutSeconds: { widget: 'number' } },
});
