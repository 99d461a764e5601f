import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import { templatesIn } from '../../definition.js';
import { checkPollFields, pollFields, pollPlanOf, secondsSchema } from '../../fields.js';
import { abbreviateTemplates } from '../../format.js';
import { defineNodeType } from '../../node-type.js';
import { literalNameProblem, type NameKind } from './names.js';
import { KubernetesOutputSchema, presentKubernetesOutput } from './output.js';

/** A cluster's name in SALVE_KUBERNETES_CLUSTERS: a flow names a cluster, never an address or a credential. */
export const ClusterNameSchema = z
  .string({ error: 'cluster is required: a name from SALVE_KUBERNETES_CLUSTERS' })
  .trim()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a cluster name from SALVE_KUBERNETES_CLUSTERS (lower-case letters, digits and "-")')
  .max(63);

/** A name or namespace: written out or a template, checked as a Kubernetes name once rendered. */
export const nameField = (what: string) => z.string({ error: `${what} is required` }).trim().min(1, `${what} is required`).max(512);

const WORKLOADS = ['deployment', 'statefulset', 'daemonset'] as const;

const RolloutRestartSchema = z.strictObject({
  type: z.literal('rollout-restart'),
  resource: z.enum(WORKLOADS, { error: 'must be deployment, statefulset or daemonset' }).default('deployment'),
  namespace: nameField('namespace'),
  name: nameField('name'),
});

const ScaleSchema = z
  .strictObject({
    type: z.literal('scale'),
    resource: z.enum(['deployment', 'statefulset'], { error: 'must be deployment or statefulset' }).default('deployment'),
    namespace: nameField('namespace'),
    name: nameField('name'),
    /**
     * A whole number written as text ("4"), or a template giving one (e.g. from the alert); refused
     * outside [min, max]. Text either way, so the editor shows one field for both.
     */
    replicas: z.string({ error: 'must be a whole number as text (e.g. "4") or a template giving one' }).trim().min(1, 'replicas is required').max(200),
    min: z.int().min(0).default(1),
    max: z.int().min(1).max(1000),
  })
  .superRefine((op, ctx) => {
    if (op.min > op.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `must not be above max (${op.max})` });
    if (op.replicas.includes('{{')) return;
    if (!/^\d{1,6}$/.test(op.replicas)) ctx.addIssue({ code: 'custom', path: ['replicas'], message: 'must be a whole number as text (e.g. "4") or a template giving one' });
    else if (Number(op.replicas) < op.min || Number(op.replicas) > op.max) {
      ctx.addIssue({ code: 'custom', path: ['replicas'], message: `must be between min (${op.min}) and max (${op.max})` });
    }
  });

const DeletePodSchema = z.strictObject({
  type: z.literal('delete-pod'),
  namespace: nameField('namespace'),
  name: nameField('name'),
  /** Seconds the pod gets to stop; default the pod's own (terminationGracePeriodSeconds). */
  gracePeriodSeconds: z.int().min(0).max(3600).optional(),
});

// Two variants, one field each: the editor's form shows a union whose variants each have one `type`.
const CordonSchema = z.strictObject({
  type: z.literal('cordon'),
  node: nameField('node'),
});
const UncordonSchema = z.strictObject({
  type: z.literal('uncordon'),
  node: nameField('node'),
});

const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an environment variable name');

const RunJobSchema = z.strictObject({
  type: z.literal('run-job'),
  namespace: nameField('namespace'),
  /** Written out: an alert never chooses what runs. */
  image: z
    .string({ error: 'image is required' })
    .trim()
    .min(1, 'image is required')
    .max(512)
    .refine((v) => !v.includes('{{'), 'must be written out: an alert may not choose what runs')
    .refine((v) => v.includes('{{') || !/\s/.test(v), 'must be an image reference, e.g. registry.internal/tools/disk-clean:1.4'),
  /** The container's command, one argument per element; each may be a template (alert values are arguments, never a shell line). */
  command: z.array(z.string().max(4096)).min(1, 'command needs at least the program').max(64),
  /** Environment variables: name → value (a template). */
  env: z.record(EnvNameSchema, z.string().max(16_384)).default({}),
  /** Written out: the service account the Job's pod runs as (its RBAC is what the Job may do). */
  serviceAccountName: z.string().trim().max(253).optional(),
  /** The Job is stopped after this long. */
  activeDeadlineSeconds: secondsSchema(10, 86_400).default(600),
  /** Kubernetes deletes the finished Job (and its pod) after this long. */
  ttlSecondsAfterFinished: secondsSchema(60, 7 * 86_400).default(3600),
  /** How many lines of the pod's log the output keeps. */
  logLines: z.int().min(0).max(5000).default(200),
});

const PodLogsSchema = z.strictObject({
  type: z.literal('pod-logs'),
  namespace: nameField('namespace'),
  /** The pod (a template, e.g. `{{ alert.labels.pod }}`). */
  name: nameField('name'),
  /** Needed when the pod has several containers. */
  container: z.string().trim().max(253).optional(),
  /** The log of the container's previous run: what a crash-looping pod said before it died. */
  previous: z.boolean().default(false),
  tailLines: z.int().min(1).max(5000).default(200),
});

const OperationSchema = z.discriminatedUnion('type', [RolloutRestartSchema, ScaleSchema, DeletePodSchema, CordonSchema, UncordonSchema, RunJobSchema, PodLogsSchema], {
  error: 'type must be rollout-restart, scale, delete-pod, cordon, uncordon, run-job or pod-logs',
});

/** The fields of each operation that name Kubernetes objects, and how they are checked. */
export const NAME_FIELDS: Record<string, readonly (readonly [field: string, kind: NameKind])[]> = {
  'rollout-restart': [['namespace', 'label'], ['name', 'subdomain']],
  scale: [['namespace', 'label'], ['name', 'subdomain']],
  'delete-pod': [['namespace', 'label'], ['name', 'subdomain']],
  cordon: [['node', 'subdomain']],
  uncordon: [['node', 'subdomain']],
  'run-job': [['namespace', 'label']],
  'pod-logs': [['namespace', 'label'], ['name', 'subdomain'], ['container', 'label']],
};

/** Operations that can wait (every + within): the rollout to complete, the Job to finish. */
const WAITS = new Set(['rollout-restart', 'run-job']);

export const KubernetesConfigSchema = z
  .strictObject({
    /** The cluster's name in SALVE_KUBERNETES_CLUSTERS (where its kubeconfig and namespaces are set). */
    cluster: ClusterNameSchema,
    operation: OperationSchema,
    /** Per request to the API server. */
    timeoutSeconds: secondsSchema(1, 120).default(15),
    ...pollFields,
  })
  .superRefine((config, ctx) => {
    checkPollFields(config, ctx);
    if ((config.every !== undefined || config.within !== undefined) && !WAITS.has(config.operation.type)) {
      ctx.addIssue({ code: 'custom', path: ['every'], message: 'only rollout-restart and run-job wait; leave every and within out' });
    }
    // A finished Job is deleted after its TTL: a poll that came later would find none and make another.
    if (config.operation.type === 'run-job' && config.every !== undefined && config.every * 2 > config.operation.ttlSecondsAfterFinished) {
      ctx.addIssue({ code: 'custom', path: ['operation', 'ttlSecondsAfterFinished'], message: `must be at least twice every (${config.every} s): the finished Job must still be there when the step next looks` });
    }
    const op = config.operation as Record<string, unknown>;
    for (const [field, kind] of NAME_FIELDS[config.operation.type] ?? []) {
      const problem = literalNameProblem(field, op[field] as string | undefined, kind);
      if (problem) ctx.addIssue({ code: 'custom', path: ['operation', field], message: problem });
    }
  });
export type KubernetesConfig = z.infer<typeof KubernetesConfigSchema>;
export type KubernetesOperation = KubernetesConfig['operation'];

/** What the canvas and approvals show: `rollout-restart deployment web/{{…}}`. */
function describe(op: KubernetesOperation): string {
  switch (op.type) {
    case 'rollout-restart':
      return `rollout restart ${op.resource} ${op.namespace}/${op.name}`;
    case 'scale':
      return `scale ${op.resource} ${op.namespace}/${op.name} to ${op.replicas} (${op.min}–${op.max})`;
    case 'delete-pod':
      return `delete pod ${op.namespace}/${op.name}`;
    case 'cordon':
    case 'uncordon':
      return `${op.type} node ${op.node}`;
    case 'run-job':
      return `run job ${op.image} in ${op.namespace}: ${op.command.join(' ')}`;
    case 'pod-logs':
      return `logs of pod ${op.namespace}/${op.name}${op.previous ? ' (previous run)' : ''}`;
  }
}

/** Acts on a Kubernetes cluster the operator configured: restart, scale, delete a pod, cordon, run a Job, read logs. */
export const kubernetesAction = defineNodeType({
  type: 'action.kubernetes',
  category: 'action',
  label: 'Kubernetes',
  defaultId: 'kubernetes',
  description: 'Acts on a Kubernetes cluster: rollout restart, scale within bounds, delete a pod, cordon or uncordon a node, run a Job and wait for it, or read a pod’s logs.',
  icon: 'kubernetes',
  configSchema: KubernetesConfigSchema,
  outputSchema: KubernetesOutputSchema,
  outputs: ['ok', 'failed', 'timeout', 'error'],
  // Each operation is safe to repeat after a crash: restart and scale set a state, the Job has a
  // name derived from the run and node, a pod is deleted only while it carries this step's mark.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  poll: (config) => pollPlanOf(config, 'timeout'),
  expressions: (config) => {
    const { type: _type, ...fields } = config.operation as Record<string, unknown>;
    // The image is written out (refused with a template at save); everything else may be a template.
    const { image: _image, ...templated } = fields;
    return templatesIn({ operation: templated });
  },
  summary: (config) => `${truncate(abbreviateTemplates(describe(config.operation)), 60)} · ${config.cluster}`,
  commandLine: (config) => `${describe(config.operation)} on cluster ${config.cluster}`,
  present: presentKubernetesOutput,
  portHelp: {
    ok: 'done: restarted (and rolled out, when waiting), scaled, pod deleted or already gone, node (un)cordoned, Job succeeded, or logs read',
    failed: 'run-job: the Job failed (its logs are in the output)',
    timeout: 'rollout-restart or run-job with a wait: the rollout or the Job had not finished within `within` seconds',
    error: 'the API server refused (403 RBAC, 404, 409…, with its message), a name that is not a Kubernetes name, a namespace the cluster does not allow, an unknown cluster, a timeout or a network error',
  },
  notes: [
    '**Clusters.** A flow names a cluster; the operator defines it in `SALVE_KUBERNETES_CLUSTERS` (JSON): its kubeconfig (a secret holding the kubeconfig text) or `"inCluster": true` (the service account of the pod Salve runs in), the namespaces steps may act in, whether nodes may be cordoned (`"nodes": true`) and whether the Test tab may send dry-run requests (`"dryRun": true`). E.g. `{"prod": {"kubeconfig": "KUBECONFIG_PROD", "namespaces": ["web", "batch"]}}`. A namespace not listed (`kube-system` included) fails the step before any request. The kubeconfig’s API server must be on the secret’s host list (`SALVE_SECRET_KUBECONFIG_PROD_HOSTS`) and pass the destination policy (`SALVE_ALLOWED_TARGETS`) like any destination. Kubeconfigs that run a program (`exec`, `auth-provider`), read files, or skip TLS verification are refused: use a service account token and the cluster’s CA.',
    '**rollout-restart** sets the annotation `kubectl rollout restart` sets (`kubectl.kubernetes.io/restartedAt`) on the pod template, with a strategic merge patch, plus `salve.dev/restart-key` naming the run and node: a retry after a crash sees its own mark and does not restart twice. With `every` and `within` the step waits durably for the rollout to complete as `kubectl rollout status` judges it (→ `ok`), or continues on `timeout`.',
    '**scale** patches the `scale` subresource. `replicas` may be a template; a value that is not a whole number within `min`–`max` fails the step before any request.',
    '**delete-pod** first marks the pod (annotation `salve.dev/delete-key`, guarded by its resourceVersion), then deletes it with its uid as a precondition. A pod that is already gone is success. After a crash the step deletes the pod only if it still carries this step’s mark: a StatefulSet’s replacement, with the same name, is left alone.',
    '**cordon** and **uncordon** set `spec.unschedulable` on a node; allowed only on clusters with `"nodes": true` (nodes belong to no namespace).',
    '**run-job** creates a Job named `salve-<hash of run and node>` (so a retry after a crash finds the Job instead of making a second one) from `image` (written out) and `command` (one argument per element; templates give arguments, never a shell line), `env` values from templates, `activeDeadlineSeconds`, `ttlSecondsAfterFinished`, no retries (`backoffLimit: 0`). With `every` and `within` the step waits durably for it to finish: `ok` when it succeeded, `failed` when it failed, with the last `logLines` lines of its pod’s log either way. Kubernetes deletes the finished Job after `ttlSecondsAfterFinished`, which must then be at least twice `every`, so the step still finds it; a Salve outage longer than that while the step waits would make a second Job.',
    '**pod-logs** reads the last `tailLines` lines of a pod’s log (of `container`, of its previous run with `previous`: what a crash-looping container said before it died), at most 256 KiB: the newest lines that fit (asked again for fewer when the API server cut the start of the lines; the message says the log was cut).',
    '**Rate limits.** An API server that is busy answers 429 with `Retry-After` (API Priority and Fairness): the request was not run, so it is sent again after that wait, three sends at most, while the wait ends within the step’s timeout; otherwise the 429 fails the step with the server’s message.',
    'Every name and namespace is checked as a Kubernetes name after rendering, before any request. Each request has its own timeout; the API server’s refusals (403 for RBAC, 404, 409) reach `error` with its message.',
    '**RBAC** the service account needs, per operation (a Role in each allowed namespace; a ClusterRole for nodes): rollout-restart: `get`, `patch` on `deployments`, `statefulsets`, `daemonsets` (group `apps`); scale: `get`, `patch` on `deployments/scale`, `statefulsets/scale` (`apps`); delete-pod: `get`, `patch`, `delete` on `pods`; pod-logs: `get` on `pods/log`; run-job: `get`, `create` on `jobs` (`batch`), `list` on `pods`, `get` on `pods/log`; cordon and uncordon: `patch` on `nodes` (ClusterRole). Grant only the operations the flows use. A complete Role is in docs/operations.md (Kubernetes clusters).',
  ],
  ui: {
    cluster: { widget: 'text', label: 'Cluster', help: 'A cluster name from SALVE_KUBERNETES_CLUSTERS; its kubeconfig and allowed namespaces are set there.' },
    'operation.type': { widget: 'select', label: 'Operation' },
    'operation.resource': { widget: 'select', label: 'Kind' },
    'operation.namespace': { widget: 'expression', language: 'template', label: 'Namespace', help: 'Must be one the cluster allows, e.g. {{ alert.labels.namespace }}.' },
    'operation.name': { widget: 'expression', language: 'template', label: 'Name', help: 'e.g. {{ alert.labels.deployment }} or {{ alert.labels.pod }}' },
    'operation.node': { widget: 'expression', language: 'template', label: 'Node', help: 'e.g. {{ alert.labels.node }}' },
    'operation.replicas': { widget: 'expression', language: 'template', label: 'Replicas', help: 'A whole number or a template giving one, within min and max.' },
    'operation.image': { widget: 'text', label: 'Image', help: 'Written out, e.g. registry.internal/tools/disk-clean:1.4' },
    'operation.command': { widget: 'argv', label: 'Command', help: 'One argument per line; templates give arguments, never a shell line.' },
    'operation.env': { widget: 'keyValue', label: 'Environment', help: 'Values are templates, e.g. {{ alert.labels.instance }}' },
    'operation.container': { widget: 'text', label: 'Container' },
    'operation.previous': { widget: 'boolean', label: 'Previous run', help: 'The log of the container’s previous run: what a crash-looping container said before it died.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout per request (seconds)' },
    every: { widget: 'number', label: 'Check every (seconds)', help: 'rollout-restart and run-job: wait for the rollout or the Job, checking this often.' },
    within: { widget: 'number', label: 'Wait at most (seconds)', help: 'Then continue on timeout.' },
  },
});
