import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { KubeClient, KubeUnreachable } from './client.js';
import { kubernetesAction, type KubernetesConfig, type KubernetesOperation, NAME_FIELDS } from './definition.js';
import { runJob } from './job.js';
import { nameProblem } from './names.js';
import { cordon } from './node-ops.js';
import type { KubernetesOutput } from './output.js';
import { deletePod, podLogs } from './pods.js';
import { refused, type OperationResult, type StepInfo } from './step-result.js';
import { rolloutRestart, scale } from './workloads.js';

/** What the output calls the object: `deployment web/api`, `node worker-3`, `job in batch`. */
function targetOf(op: KubernetesOperation): string {
  switch (op.type) {
    case 'rollout-restart':
    case 'scale':
      return `${op.resource} ${op.namespace}/${op.name}`;
    case 'delete-pod':
    case 'pod-logs':
      return `pod ${op.namespace}/${op.name}`;
    case 'cordon':
    case 'uncordon':
      return `node ${op.node}`;
    case 'run-job':
      return `job in ${op.namespace}`;
  }
}

/** Why the rendered operation may not be sent to this cluster (a bad name, a namespace not allowed); undefined when it may. */
function operationProblem(op: KubernetesOperation, cluster: { name: string; namespaces: readonly string[]; nodes: boolean }): string | undefined {
  const fields = op as Record<string, unknown>;
  for (const [field, kind] of NAME_FIELDS[op.type] ?? []) {
    const value = fields[field];
    if (value === undefined) continue;
    const problem = nameProblem(field, String(value), kind);
    if (problem) return `${problem}; nothing was sent`;
  }
  if ('namespace' in op && !cluster.namespaces.includes(op.namespace)) {
    return `namespace ${op.namespace} is not allowed on cluster ${cluster.name} (its namespaces in SALVE_KUBERNETES_CLUSTERS: ${cluster.namespaces.join(', ')}); nothing was sent`;
  }
  if ((op.type === 'cordon' || op.type === 'uncordon') && !cluster.nodes) {
    return `cluster ${cluster.name} does not allow node operations (set "nodes": true for it in SALVE_KUBERNETES_CLUSTERS); nothing was sent`;
  }
  return undefined;
}

function operate(client: KubeClient, op: KubernetesOperation, step: StepInfo): Promise<OperationResult> {
  switch (op.type) {
    case 'rollout-restart':
      return rolloutRestart(client, op, step);
    case 'scale':
      return scale(client, op);
    case 'delete-pod':
      return deletePod(client, op, step);
    case 'cordon':
    case 'uncordon':
      return cordon(client, op);
    case 'run-job':
      return runJob(client, op, step);
    case 'pod-logs':
      return podLogs(client, op);
  }
}

/**
 * Runs one operation on the named cluster; with `dryRun` every change is sent with `dryRun=All`
 * (the Test tab), so the API server validates it and nothing changes.
 */
export async function runKubernetes(config: Resolved<KubernetesConfig>, ctx: ExecContext, options: { dryRun: boolean }): Promise<StepOutcome<KubernetesOutput>> {
  const started = performance.now();
  const op = config.operation;
  const base = { operation: op.type, cluster: config.cluster, target: targetOf(op), dryRun: options.dryRun };
  const finish = (result: OperationResult): StepOutcome<KubernetesOutput> => {
    const output: KubernetesOutput = { ...base, status: result.status, message: result.message, ...result.extra, durationMs: Math.round(performance.now() - started) };
    return result.port === 'error' ? { type: 'fail', port: 'error', error: result.message, output } : { type: 'next', port: result.port, output };
  };
  const cluster = ctx.kubernetes ? await ctx.kubernetes.cluster(config.cluster) : 'no Kubernetes clusters are configured: the operator sets SALVE_KUBERNETES_CLUSTERS';
  if (typeof cluster === 'string') return finish(refused(cluster));
  const problem = operationProblem(op, cluster);
  if (problem) return finish(refused(problem));
  const client = new KubeClient(ctx, cluster, config.timeoutSeconds, options.dryRun);
  const step: StepInfo = {
    key: ctx.idempotencyKey,
    attempt: ctx.attempt,
    now: ctx.now(),
    runStartedAt: ctx.vars.execution.startedAt,
    waits: config.every !== undefined && !options.dryRun,
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
  };
  try {
    return finish(await operate(client, op, step));
  } catch (error) {
    if (error instanceof KubeUnreachable) return finish(refused(error.message));
    throw error;
  }
}

/**
 * The Test tab's check of a step: the operation with `dryRun=All`, when this Salve knows the
 * cluster and it allows dry runs (`"dryRun": true`, the default). Undefined otherwise: the step is
 * then assumed, as before (a flow may be written where its clusters are not configured).
 */
export async function dryRunKubernetes(config: Resolved<KubernetesConfig>, ctx: ExecContext): Promise<StepOutcome<KubernetesOutput> | undefined> {
  if (!ctx.kubernetes?.names().includes(config.cluster)) return undefined;
  const cluster = await ctx.kubernetes.cluster(config.cluster);
  if (typeof cluster === 'object' && !cluster.dryRun) return undefined;
  return runKubernetes(config, ctx, { dryRun: true });
}

/** Runs `action.kubernetes` for real (see runKubernetes). */
export const executeKubernetes = defineExecutor(kubernetesAction, (config, ctx) => runKubernetes(config, ctx, { dryRun: false }));
