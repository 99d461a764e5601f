import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema } from '../../fields.js';
import { abbreviateTemplates, showArg } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { parseHostKeyPins } from './host-key-pins.js';
import { presentSshOutput, SshOutputSchema } from './output.js';

/** Most argv elements, and most characters of one element as written in the flow. */
const MAX_ARGS = 256;
const MAX_ARG_CHARS = 16_384;

/**
 * A credential field that takes a secret reference only: a key or password written into the
 * flow would be stored, exported and shown with it.
 */
function secretOnly(field: string, example: string) {
  return z.strictObject(
    { secret: SecretRefSchema.shape.secret },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? `${field} must be a secret reference like {"secret":"${example}"}, never the value itself (a flow is stored and exported in clear)`
          : undefined,
    },
  );
}

const SshAuthSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('key'),
      /** The private key (OpenSSH or PEM format), from a secret. */
      privateKey: secretOnly('privateKey', 'SSH_KEY'),
      /** The key's passphrase, when it has one. */
      passphrase: secretOnly('passphrase', 'SSH_KEY_PASSPHRASE').optional(),
    }).describe('key: a private key (and its passphrase, if it has one), both secrets.'),
    z.strictObject({
      type: z.literal('password'),
      password: secretOnly('password', 'SSH_PASSWORD'),
    }).describe('password: a password, from a secret (the server must allow password logins).'),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'auth is required: {"type":"key","privateKey":{"secret":"SSH_KEY"}} or {"type":"password","password":{"secret":"SSH_PASSWORD"}}'
        : undefined,
  },
).describe('How Salve logs in: with a private key, or a password.');

export const SshActionConfigSchema = z.strictObject({
  /** Template: a host name or IP address. Still checked by the destination policy. */
  host: z.string({ error: 'host is required, e.g. db1.example.internal' }).trim().min(1, 'host is required, e.g. db1.example.internal').max(512),
  port: z.int('must be a whole number').min(1, 'must be a port, 1-65535').max(65535, 'must be a port, 1-65535').default(22),
  /** Template: the user to log in as. */
  user: z.string({ error: 'user is required, e.g. salve' }).trim().min(1, 'user is required, e.g. salve').max(512),
  auth: SshAuthSchema,
  /**
   * The server's host key, pinned: `SHA256:…` fingerprints or known_hosts lines, one a line. A
   * server offering any other key is refused.
   */
  hostKey: z
    .string({ error: 'hostKey is required: the server\'s SHA256:… fingerprint or its known_hosts line (ssh-keyscan <host>)' })
    .max(65_536)
    .superRefine((text, ctx) => {
      for (const problem of parseHostKeyPins(text).problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * The program and its arguments, one list item each. Each is quoted for the remote shell, so
   * `;`, `|` or `$(…)` in a value stay literal text.
   */
  command: z
    .array(z.string({ error: 'each argument must be a string' }).max(MAX_ARG_CHARS, `an argument has at most ${MAX_ARG_CHARS} characters`), {
      error: 'must be a list: the program, then each argument, e.g. ["systemctl", "restart", "nginx"]',
    })
    .min(1, 'must name the program to run, e.g. ["systemctl", "restart", "nginx"]')
    .max(MAX_ARGS, `at most ${MAX_ARGS} arguments`)
    .refine((argv) => argv.length === 0 || argv[0]!.trim() !== '', { error: 'the program name is empty', path: [0] }),
  timeoutSeconds: secondsSchema(1, 3600).default(60),
  /** Connecting, the handshake and logging in, separately from the command's own time. */
  connectTimeoutSeconds: secondsSchema(1, 120).default(15),
});
export type SshActionConfig = z.infer<typeof SshActionConfigSchema>;

const place = (config: Pick<SshActionConfig, 'host' | 'port' | 'user'>, show: (text: string) => string) => {
  const host = show(config.host);
  return `${show(config.user)}@${host.includes(':') ? `[${host}]` : host}${config.port === 22 ? '' : `:${config.port}`}`;
};

/** Runs a command on another host over SSH, e.g. `journalctl --vacuum-size=500M` on db1. */
export const sshAction = defineNodeType({
  type: 'action.ssh',
  category: 'action',
  label: 'Run over SSH',
  defaultId: 'run_over_ssh',
  description: 'Runs a program with its arguments on another host over SSH (host key pinned) and continues on "ok" or "error".',
  icon: 'ssh',
  configSchema: SshActionConfigSchema,
  outputSchema: SshOutputSchema,
  outputs: ['ok', 'error'],
  // A command cannot be told it already ran: after a crash a person decides, never a retry.
  idempotent: false,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn({ host: config.host, user: config.user, command: config.command }),
  summary: (config) => truncate(`${place(config, abbreviateTemplates)}: ${config.command.map((arg) => showArg(abbreviateTemplates(arg))).join(' ')}`, 80),
  commandLine: (config) => `ssh ${place(config, (t) => t)} ${config.command.map(showArg).join(' ')}`,
  present: presentSshOutput,
  portHelp: { ok: 'the command exited with code 0', error: 'another exit code, a signal, a timeout, a refused host key, or it could not connect or log in' },
  notes: [
    'The command is an argv list, each item a template: `["journalctl", "--vacuum-size={{ alert.labels.size }}"]` — never a shell string. The server runs it through the user\'s login shell, so Salve quotes every item for a POSIX shell (`\'…\'`): `; rm -rf /`, `$(…)` or a newline in a label arrive as one literal argument. The login shell must be a POSIX shell (sh, bash, dash, zsh), not csh or fish.',
    '**Host key.** `hostKey` pins the server\'s key: its fingerprint as `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it (`SHA256:…`), or its known_hosts line as `ssh-keyscan -t ed25519 db1.example.internal` prints it (the host names in the line must name the host; `[host]:port` for another port). Several pins, one a line, are accepted for a host template that names several servers. Any other key refuses the step before logging in, and the error shows the key offered (type and fingerprint) so you can check it and pin it. There is no "accept any key".',
    '**Destination and credentials.** `host` and `user` may be templates, but the host still passes the destination policy (`SALVE_ALLOWED_TARGETS` for private addresses) and Salve connects only to the address it checked. The private key, its passphrase and the password are secrets only, e.g. `{ "secret": "SSH_KEY" }` with `SALVE_SECRET_SSH_KEY` holding the key and `SALVE_SECRET_SSH_KEY_HOSTS` listing the hosts it may log in to (a passphrase or password secret needs its own `_HOSTS` list too); a secret not allowed for the host refuses the step before it connects. Exit code 0 goes to `ok`; anything else (another code, a signal, a timeout, a refused key, a failed login) to `error`.',
    '**Limits.** `connectTimeoutSeconds` (default 15) bounds connecting and logging in; `timeoutSeconds` (default 60) bounds the command. The command gets stdin from `/dev/null`, and a small shell watcher beside it KILLs its session\'s process group on the server when the session ends: after a timeout or a cancel (Salve also sends the SSH `KILL` signal, closes the channel and the connection), and when the command exits, so nothing it left running in the background outlives the step (a process that called setsid escapes). stdout and stderr are each kept up to 1 MiB with the marker `[salve: output truncated after 1048576 bytes]`; past 16 MiB of either the command is killed. An SSH step interrupted by a crash is never re-run: it becomes `unknown` and its execution `needs_attention`.',
  ],
  ui: {
    host: { widget: 'text', templates: true, help: 'Host name or IP address; it must pass the destination policy.' },
    port: { widget: 'number' },
    user: { widget: 'text', templates: true, help: 'The user to log in as.' },
    hostKey: { widget: 'text', multiline: true, label: 'Pinned host key', help: 'The server\'s SHA256:… fingerprint (ssh-keygen -lf) or its known_hosts line (ssh-keyscan); several, one a line.' },
    command: { widget: 'argv', templates: true, help: 'The program, then one item per argument. Each item is quoted for the remote shell, so spaces, quotes, ; and $(…) stay literal text.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'The command is killed after this long and the step fails on "error".' },
    connectTimeoutSeconds: { widget: 'number', label: 'Connect timeout (seconds)', help: 'Connecting and logging in must finish within this.' },
  },
});
