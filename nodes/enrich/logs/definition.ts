import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema } from '../../fields.js';
import { abbreviateTemplates } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { ClusterNameSchema, nameField } from '../../action/kubernetes/definition.js';
import { literalNameProblem } from '../../action/kubernetes/names.js';
import { SshActionConfigSchema } from '../../action/ssh/definition.js';
import { LogsOutputSchema, presentLogsOutput } from './output.js';
import { directoryProblem, filePath, literalFileNameProblem, literalUnitProblem } from './remote-logs.js';

/** Where and as whom Salve logs in to read a journal or a file: the same fields as an SSH step. */
const SshTargetSchema = SshActionConfigSchema.pick({ host: true, port: true, user: true, auth: true, hostKey: true, connectTimeoutSeconds: true });

const KubernetesLogsSchema = z
  .strictObject({
    type: z.literal('kubernetes'),
    cluster: ClusterNameSchema,
    namespace: nameField('namespace'),
    /** The pod (a template, e.g. `{{ alert.labels.pod }}`). */
    pod: nameField('pod'),
    /** Needed when the pod has several containers. */
    container: z.string().trim().max(253).optional(),
    /** The container's previous run: what a crash-looping pod said before it died. */
    previous: z.boolean().default(false),
  })
  .superRefine((from, ctx) => {
    for (const [field, kind] of [['namespace', 'label'], ['pod', 'subdomain'], ['container', 'label']] as const) {
      const problem = literalNameProblem(field, from[field], kind);
      if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
    }
  })
  .describe('kubernetes: a pod’s log, from a cluster the operator configured.');

const JournalLogsSchema = z
  .strictObject({
    type: z.literal('journal'),
    ssh: SshTargetSchema,
    /** The systemd unit (a template, e.g. `{{ alert.labels.service }}.service`). */
    unit: z.string({ error: 'unit is required, e.g. nginx.service' }).trim().min(1, 'unit is required, e.g. nginx.service').max(512),
  })
  .superRefine((from, ctx) => {
    const problem = literalUnitProblem(from.unit);
    if (problem) ctx.addIssue({ code: 'custom', path: ['unit'], message: problem });
  })
  .describe('journal: a systemd unit’s journal on a host, over SSH (journalctl).');

const FileLogsSchema = z
  .strictObject({
    type: z.literal('file'),
    ssh: SshTargetSchema,
    /** Written out: the directory the file is in, e.g. `/var/log/nginx`. */
    directory: z.string({ error: 'directory is required, e.g. /var/log/nginx' }).trim().min(1, 'directory is required, e.g. /var/log/nginx').max(1024),
    /** A file name in it (a template, e.g. `{{ alert.labels.service }}.log`); never a path. */
    file: z.string({ error: 'file is required, e.g. error.log' }).trim().min(1, 'file is required, e.g. error.log').max(512),
  })
  .superRefine((from, ctx) => {
    const dir = directoryProblem(from.directory);
    if (dir) ctx.addIssue({ code: 'custom', path: ['directory'], message: dir });
    const file = literalFileNameProblem(from.file);
    if (file) ctx.addIssue({ code: 'custom', path: ['file'], message: file });
  })
  .describe('file: the end of a file on a host, over SSH (tail).');

const FromSchema = z
  .discriminatedUnion('type', [KubernetesLogsSchema, JournalLogsSchema, FileLogsSchema], {
    error: 'from.type must be kubernetes, journal or file',
  })
  .meta({ title: 'Read from' });

export const LogsConfigSchema = z.strictObject({
  from: FromSchema,
  /** The last lines kept. */
  lines: z.int('must be a whole number of lines').min(1, 'must be between 1 and 2000 lines').max(2000, 'must be between 1 and 2000 lines').default(200),
  timeoutSeconds: secondsSchema(1, 120).default(15),
});
export type LogsConfig = z.infer<typeof LogsConfigSchema>;

const sshPlace = (ssh: z.infer<typeof SshTargetSchema>, show: (text: string) => string) => `${show(ssh.user)}@${show(ssh.host)}${ssh.port === 22 ? '' : `:${ssh.port}`}`;

/** What the canvas and the run view call the log: `pod web/{{…}}`, `journal of nginx.service on db1`. */
function describe(from: LogsConfig['from'], show: (text: string) => string): string {
  switch (from.type) {
    case 'kubernetes':
      return `log of pod ${show(from.namespace)}/${show(from.pod)}${from.previous ? ' (previous run)' : ''} on ${from.cluster}`;
    case 'journal':
      return `journal of ${show(from.unit)} on ${sshPlace(from.ssh, show)}`;
    case 'file':
      return `${filePath(from.directory, show(from.file))} on ${sshPlace(from.ssh, show)}`;
  }
}

/** Reads the last lines of a log (a pod's, a unit's journal, a file) into the run, to attach to later messages. */
export const enrichLogs = defineNodeType({
  type: 'enrich.logs',
  category: 'action',
  label: 'Attach logs',
  defaultId: 'logs',
  description: 'Reads the last lines of a log — a Kubernetes pod’s, a systemd unit’s journal or a file over SSH — into the run as an attachment that later Slack and email steps attach and the run view shows.',
  icon: 'logs',
  configSchema: LogsConfigSchema,
  outputSchema: LogsOutputSchema,
  outputs: ['ok', 'error'],
  // It only reads: reading again after a crash is harmless.
  idempotent: true,
  // It connects to a real system: simulation never does, and assumes it read the log.
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => {
    const { type: _type, ...fields } = config.from as Record<string, unknown>;
    return templatesIn({ from: fields });
  },
  summary: (config) => `${truncate(describe(config.from, abbreviateTemplates), 60)} · ${config.lines} lines`,
  commandLine: (config) => `read the last ${config.lines} lines of the ${describe(config.from, (t) => t)}`,
  present: presentLogsOutput,
  portHelp: {
    ok: 'the log was read (an empty log too); the output’s attachment holds it',
    error: 'nothing could be read: the API server or the host refused (a pod or file that does not exist, no permission), a name, unit or path that is not allowed, a timeout or a network error',
  },
  notes: [
    'The log becomes the step’s `attachment` (a text file such as `api-0.log`), stored with the run: the run view shows it, and Slack message steps (bot token, scope `files:write`) and email steps attach it when their `attach` lists this step’s id. Later steps can also quote it: `{{ steps.logs.attachment.content }}`.',
    '**Kubernetes** (`from.type: kubernetes`): `GET /api/v1/namespaces/<namespace>/pods/<pod>/log?tailLines=<lines>&limitBytes=262144` on a cluster from `SALVE_KUBERNETES_CLUSTERS` (see the Kubernetes node): the namespace must be in the cluster’s list, and the rendered namespace, pod and container must be Kubernetes names, or nothing is sent. `previous: true` reads the container’s previous run (what a crash-looping pod said before it died). The API server cuts a log at `limitBytes` from the start of the lines asked for, so when they are longer than 256 KiB the step asks again for fewer (as many as fitted, less a tenth; at most 4 requests) and keeps the newest lines. RBAC: `get` on `pods/log` in the namespace.',
    '**Journal** (`from.type: journal`): runs `journalctl --no-pager --quiet --output=short-iso --lines=<lines> --unit=<unit>` over SSH, with the same login, pinned host key, secrets and destination policy as a Run over SSH step. The rendered unit must be a systemd unit name (letters, digits, `:`, `_`, `.`, `@`, `-`; not starting with `-`). The SSH user must be allowed to read the journal (the `systemd-journal` or `adm` group); otherwise journalctl shows only that user’s own entries.',
    '**File** (`from.type: file`): runs `tail -c 262144 -- <directory>/<file>` over SSH (the file’s newest 256 KiB, however long its lines) and keeps its last `lines` lines, from a line start. `directory` is written out (an absolute path, no templates); `file` may be a template, e.g. `{{ alert.labels.service }}.log`, and once rendered must be one file name (letters, digits, `.`, `_`, `-`, `@`, `+`; no `/`, not `.` or `..`), so an alert cannot point the step at a file elsewhere. The SSH user’s permissions are the real bound: give Salve a user that can read logs and little else (a symbolic link in the directory is followed).',
    '**Limits.** At most 2,000 lines and 256 KiB are kept (the end of the log; the output says when it was cut); `timeoutSeconds` bounds the read (and, over SSH, `connectTimeoutSeconds` the login). A command that exits with an error (no such file, permission denied) goes to `error` with its message.',
  ],
  ui: {
    'from.cluster': { widget: 'text', label: 'Cluster', help: 'A cluster name from SALVE_KUBERNETES_CLUSTERS.' },
    'from.namespace': { widget: 'expression', language: 'template', label: 'Namespace', help: 'Must be one the cluster allows, e.g. {{ alert.labels.namespace }}.' },
    'from.pod': { widget: 'expression', language: 'template', label: 'Pod', help: 'e.g. {{ alert.labels.pod }}' },
    'from.container': { widget: 'text', templates: true, label: 'Container', help: 'Needed when the pod has several containers.' },
    'from.previous': { widget: 'boolean', label: 'Previous run', help: 'What the container said before it last died (a crash-looping pod).' },
    'from.unit': { widget: 'expression', language: 'template', label: 'Unit', help: 'A systemd unit, e.g. nginx.service or {{ alert.labels.service }}.service' },
    'from.directory': { widget: 'text', label: 'Directory', help: 'Written out, e.g. /var/log/nginx' },
    'from.file': { widget: 'expression', language: 'template', label: 'File', help: 'A file name in the directory, e.g. error.log or {{ alert.labels.service }}.log' },
    'from.ssh.host': { widget: 'text', templates: true, label: 'Host', help: 'Host name or IP address; it must pass the destination policy.' },
    'from.ssh.port': { widget: 'number', label: 'Port' },
    'from.ssh.user': { widget: 'text', templates: true, label: 'User', help: 'A user that may read the log and little else.' },
    'from.ssh.hostKey': { widget: 'text', multiline: true, label: 'Pinned host key', help: 'The server\'s SHA256:… fingerprint (ssh-keygen -lf) or its known_hosts line (ssh-keyscan); several, one a line.' },
    'from.ssh.connectTimeoutSeconds': { widget: 'number', label: 'Connect timeout (seconds)' },
    lines: { widget: 'number', label: 'Last lines', help: 'How many lines from the end of the log (at most 2,000; 256 KiB).' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'No log within this long: the step goes to "error".' },
  },
});
