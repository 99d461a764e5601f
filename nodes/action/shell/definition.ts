import { z } from 'zod';
import { templatesIn } from '../../definition.js';
import { StringOrSecretSchema, secondsSchema } from '../../fields.js';
import { truncate } from '../../../shared/text.js';
import { abbreviateTemplates, showArg } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { presentShellOutput, ShellOutputSchema } from './output.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const ShellActionConfigSchema = z.strictObject({
  /**
   * The program and its arguments, one list item each: `["systemctl", "restart", "{{ … }}"]`.
   * Never a shell string: no shell sees it, so `;`, `|` or `$(…)` in a value stay literal text.
   */
  command: z
    .array(z.string({ error: 'each argument must be a string' }).max(65_536), {
      error: 'must be a list: the program, then each argument, e.g. ["systemctl", "restart", "nginx"]',
    })
    .min(1, 'must name the program to run, e.g. ["systemctl", "restart", "nginx"]')
    .max(1000)
    .refine((argv) => argv.length === 0 || argv[0]!.trim() !== '', { error: 'the program name is empty', path: [0] }),
  /** Working directory; default: Salve's own. */
  cwd: z.string().min(1, 'cwd is empty; leave it out to use the default').max(4096).optional(),
  /** Environment for the command. Nothing else from Salve's environment is passed but PATH. */
  env: z
    .record(z.string(), StringOrSecretSchema)
    .default({})
    .superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        if (!ENV_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not an environment variable name (letters, digits and "_")` });
        }
      }
    }),
  timeoutSeconds: secondsSchema(1, 3600).default(60),
  /** Exit codes that count as success. */
  expectExitCodes: z
    .array(z.int('must be a whole number').min(0, 'exit codes are 0-255').max(255, 'exit codes are 0-255'))
    .min(1, 'list at least one exit code')
    .max(256)
    .default([0]),
});
export type ShellActionConfig = z.infer<typeof ShellActionConfigSchema>;

/** Runs a program on the Salve host, e.g. `systemctl restart nginx`. */
export const shellAction = defineNodeType({
  type: 'action.shell',
  category: 'action',
  label: 'Run command',
  defaultId: 'run_command',
  description: 'Runs a program with its arguments on the Salve host (no shell) and continues on "ok" or "error".',
  icon: 'terminal',
  configSchema: ShellActionConfigSchema,
  outputSchema: ShellOutputSchema,
  outputs: ['ok', 'error'],
  // A command cannot be told it already ran: after a crash a person decides, never a retry.
  idempotent: false,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ command: config.command, cwd: config.cwd, env: config.env }),
  summary: (config) => truncate(config.command.map((arg) => showArg(abbreviateTemplates(arg))).join(' '), 80),
  // No shell ever sees argv, so `;` or `$` need no quoting: they are literal text either way.
  commandLine: (config) => config.command.map(showArg).join(' '),
  present: presentShellOutput,
  portHelp: {"ok": "the command exited with an expected code", "error": "another exit code, a signal, a timeout, or it could not start"},
  notes: [
    "The command is an argv list, each item a template: `[\"systemctl\", \"restart\", \"{{ alert.labels.service }}\"]` — never a shell string. Alert values arrive as separate arguments, so `; rm -rf /` in a label is just text.",
    "`cwd` defaults to Salve's working directory (the command user's home with `SALVE_COMMAND_USER`). The child gets only `PATH` plus `env` (never Salve's environment). After `timeoutSeconds`, SIGTERM goes to every process of the command, SIGKILL 2 s later.",
    "stdout and stderr are each kept up to 1 MiB with the marker `[salve: output truncated after 1048576 bytes]`. A shell step interrupted by a crash is never re-run: it becomes `unknown` and its execution `needs_attention`. Processes the command leaves running are ended when it exits, also those that left its process group; it runs as `SALVE_COMMAND_USER` when that is set (see [Command steps](operations.md#command-steps)).",
  ],
  ui: {
    command: { widget: 'argv', templates: true, help: 'The program, then one item per argument; no shell sees them, so spaces and quotes are literal.' },
    cwd: { widget: 'text', label: 'Working directory' },
    env: { widget: 'keyValue', templates: true, label: 'Environment variables', help: 'Added to the command\'s environment; values are text or secrets.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'The whole process group is killed after this long and the step fails on "error".' },
    expectExitCodes: { widget: 'list', label: 'Expected exit codes', help: 'Exit codes that count as success, e.g. 0.' },
  },
});
