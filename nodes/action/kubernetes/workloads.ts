import { type KubeClient, notAnObject, objectOf, refusal, succeeded } from './client.js';
import type { KubernetesOperation } from './definition.js';
import { refused, type OperationResult, type StepInfo } from './step-result.js';

/** The annotation `kubectl rollout restart` sets on the pod template; changing it rolls the pods. */
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** Salve's mark beside it: which run and node restarted, so a retry after a crash does not restart again. */
const RESTART_KEY = 'salve.dev/restart-key';

const PLURAL = { deployment: 'deployments', statefulset: 'statefulsets', daemonset: 'daemonsets' } as const;

type Workload = 'deployment' | 'statefulset' | 'daemonset';

function workloadPath(resource: Workload, namespace: string, name: string): string {
  return `/apis/apps/v1/namespaces/${namespace}/${PLURAL[resource]}/${name}`;
}

/** RFC 3339 to the second, as kubectl writes `restartedAt`. */
const rfc3339 = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

interface WorkloadObject {
  metadata?: { generation?: number };
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: Record<string, unknown>;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * Whether a rollout is complete, judged as `kubectl rollout status` judges it; else what it
 * waits for, in kubectl's words. `stuck` when a Deployment passed its progress deadline.
 */
export function rolloutState(resource: Workload, object: WorkloadObject): { complete: boolean; waitingFor?: string; stuck?: boolean } {
  const status = object.status ?? {};
  const generation = object.metadata?.generation ?? 0;
  const observed = num(status.observedGeneration);
  if (generation > observed) return { complete: false, waitingFor: `the ${resource}'s new spec to be observed` };
  if (resource === 'deployment') {
    const conditions = Array.isArray(status.conditions) ? (status.conditions as { type?: string; reason?: string }[]) : [];
    if (conditions.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) {
      return { complete: false, stuck: true, waitingFor: 'nothing: the deployment exceeded its progress deadline' };
    }
    const wanted = object.spec?.replicas ?? 1;
    const updated = num(status.updatedReplicas);
    if (updated < wanted) return { complete: false, waitingFor: `${updated} of ${wanted} new replicas have been updated` };
    const total = num(status.replicas);
    if (total > updated) return { complete: false, waitingFor: `${total - updated} old replicas are pending termination` };
    const available = num(status.availableReplicas);
    if (available < updated) return { complete: false, waitingFor: `${available} of ${updated} updated replicas are available` };
    return { complete: true };
  }
  if (resource === 'statefulset') {
    const wanted = object.spec?.replicas ?? 1;
    const ready = num(status.readyReplicas);
    if (ready < wanted) return { complete: false, waitingFor: `${ready} of ${wanted} pods are ready` };
    if (status.updateRevision !== status.currentRevision) return { complete: false, waitingFor: `pods to move to revision ${String(status.updateRevision)}` };
    return { complete: true };
  }
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  if (updated < desired) return { complete: false, waitingFor: `${updated} of ${desired} new pods have been updated` };
  const available = num(status.numberAvailable);
  if (available < desired) return { complete: false, waitingFor: `${available} of ${desired} updated pods are available` };
  return { complete: true };
}

type Restart = Extract<KubernetesOperation, { type: 'rollout-restart' }>;

/**
 * `kubectl rollout restart`, once per step: the pod template gets a new `restartedAt` and this
 * step's key. A try that finds its own key (a retry after a crash, or the next poll of a wait)
 * does not patch again; it only looks at the rollout.
 */
export async function rolloutRestart(client: KubeClient, op: Restart, step: StepInfo): Promise<OperationResult> {
  const path = workloadPath(op.resource, op.namespace, op.name);
  const current = await client.get(path);
  if (!succeeded(current)) return refused(`could not read ${op.resource} ${op.namespace}/${op.name}: ${refusal(current)}`, current.status);
  let object = objectOf<WorkloadObject>(current);
  if (!object) return refused(notAnObject(`${op.resource} ${op.namespace}/${op.name}`, current), current.status);
  const restartedHere = object.spec?.template?.metadata?.annotations?.[RESTART_KEY] === step.key;
  let status = current.status;
  if (!restartedHere) {
    const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: rfc3339(step.now), [RESTART_KEY]: step.key } } } } };
    const patched = await client.patch(path, patch, 'strategic');
    if (!succeeded(patched)) return refused(`the API server refused the restart: ${refusal(patched)}`, patched.status);
    object = objectOf<WorkloadObject>(patched) ?? object;
    status = patched.status;
    if (client.dryRun) return { port: 'ok', status, message: `would restart ${op.resource} ${op.namespace}/${op.name} (dry run: the API server accepted the patch)` };
  }
  const what = `${op.resource} ${op.namespace}/${op.name}`;
  if (!step.waits) return { port: 'ok', status, message: restartedHere ? `${what} was already restarted by this step` : `restarted ${what}` };
  const rollout = rolloutState(op.resource, object);
  if (rollout.complete) return { port: 'ok', status, message: `restarted ${what}; the rollout is complete`, extra: { rollout: { complete: true } } };
  const progress = { complete: false, ...(rollout.waitingFor ? { waitingFor: rollout.waitingFor } : {}) };
  if (rollout.stuck) return { port: 'failed', status, message: `the rollout of ${what} exceeded its progress deadline`, extra: { rollout: progress } };
  return { port: 'timeout', status, message: `restarted ${what}; the rollout waits for ${rollout.waitingFor ?? 'its pods'}`, extra: { rollout: progress } };
}

type Scale = Extract<KubernetesOperation, { type: 'scale' }>;

/** Sets the replicas through the `scale` subresource, within the node's bounds. */
export async function scale(client: KubeClient, op: Scale): Promise<OperationResult> {
  const raw = String(op.replicas).trim();
  if (!/^\d{1,6}$/.test(raw)) return refused(`replicas is ${JSON.stringify(raw.slice(0, 40))}, not a whole number`);
  const to = Number(raw);
  if (to < op.min || to > op.max) return refused(`replicas ${to} is outside the bounds ${op.min}–${op.max}; nothing was changed`);
  const path = `${workloadPath(op.resource, op.namespace, op.name)}/scale`;
  const current = await client.get(path);
  if (!succeeded(current)) return refused(`could not read the scale of ${op.resource} ${op.namespace}/${op.name}: ${refusal(current)}`, current.status);
  const fromValue = objectOf<{ spec?: { replicas?: unknown } }>(current)?.spec?.replicas;
  const from = typeof fromValue === 'number' ? fromValue : null;
  const patched = await client.patch(path, { spec: { replicas: to } }, 'merge');
  if (!succeeded(patched)) return refused(`the API server refused to scale: ${refusal(patched)}`, patched.status, { replicas: { from, to } });
  const verb = client.dryRun ? 'would scale' : 'scaled';
  return { port: 'ok', status: patched.status, message: `${verb} ${op.resource} ${op.namespace}/${op.name} from ${from ?? '?'} to ${to} replicas`, extra: { replicas: { from, to } } };
}
