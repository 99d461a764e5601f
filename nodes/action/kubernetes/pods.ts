import { type KubeAnswer, type KubeClient, notAnObject, objectOf, refusal, succeeded } from './client.js';
import type { KubernetesOperation } from './definition.js';
import { refused, type OperationResult, type StepInfo } from './step-result.js';

/** Salve's mark on a pod it is about to delete: a retry deletes the pod only while it carries it. */
const DELETE_KEY = 'salve.dev/delete-key';

/** Most log bytes a step keeps (the API server cuts the log there: `limitBytes`). */
export const MAX_LOG_BYTES = 256 * 1024;

interface PodObject {
  metadata?: { uid?: string; resourceVersion?: string; creationTimestamp?: string; deletionTimestamp?: string; annotations?: Record<string, string> };
}

const podPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/pods/${name}`;

type DeletePod = Extract<KubernetesOperation, { type: 'delete-pod' }>;

/**
 * Deletes a pod at most once per step, even across a crash. The pod is first marked with this
 * step's key (guarded by its resourceVersion), then deleted with its uid as a precondition. A
 * later try deletes a pod only if it carries the mark; a pod without it that was created after
 * the run started is a replacement (a StatefulSet's has the same name) and is left alone. One
 * without the mark that is older than the run is the pod the alert was about: an earlier try
 * stopped before marking it, so it is marked and deleted now.
 */
export async function deletePod(client: KubeClient, op: DeletePod, step: StepInfo): Promise<OperationResult> {
  const path = podPath(op.namespace, op.name);
  const what = `pod ${op.namespace}/${op.name}`;
  const current = await client.get(path);
  if (current.status === 404) return { port: 'ok', status: 404, message: `${what} is already gone`, extra: { deleted: false } };
  if (!succeeded(current)) return refused(`could not read ${what}: ${refusal(current)}`, current.status);
  const pod = objectOf<PodObject>(current);
  if (!pod) return refused(notAnObject(what, current), current.status);
  const uid = pod.metadata?.uid ?? '';
  const marked = pod.metadata?.annotations?.[DELETE_KEY] === step.key;
  if (marked && pod.metadata?.deletionTimestamp) return { port: 'ok', status: current.status, message: `${what} is being deleted (by this step)`, extra: { deleted: true } };
  if (!marked) {
    const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
    // Kubernetes writes creation times to the second: a pod created in the second the run
    // started counts as after it (the alert was about a pod that existed before its run).
    if (Number.isFinite(created) && created >= Math.floor(Date.parse(step.runStartedAt) / 1000) * 1000) {
      return { port: 'ok', status: current.status, message: `${what} (uid ${uid}) was created after this run started: it replaced the pod the alert was about, and is left alone`, extra: { deleted: false } };
    }
    const mark = await client.patch(path, { metadata: { resourceVersion: pod.metadata?.resourceVersion, annotations: { [DELETE_KEY]: step.key } } }, 'merge');
    if (!succeeded(mark)) return refused(`could not mark ${what} before deleting it: ${refusal(mark)}`, mark.status);
  }
  const options = { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid }, ...(op.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: op.gracePeriodSeconds }) };
  const deleted = await client.delete(path, options);
  if (deleted.status === 404) return { port: 'ok', status: 404, message: `${what} is already gone`, extra: { deleted: false } };
  if (!succeeded(deleted)) return refused(`the API server refused to delete ${what}: ${refusal(deleted)}`, deleted.status);
  const verb = client.dryRun ? 'would delete' : 'deleted';
  return { port: 'ok', status: deleted.status, message: `${verb} ${what} (uid ${uid})`, extra: { deleted: !client.dryRun } };
}

/** Reads of one log at most: the first, and fewer lines each time the answer was cut. */
const MAX_LOG_READS = 4;

/** Whether the API server stopped at `limitBytes` (or the client at its size limit). */
const cutAnswer = (answer: KubeAnswer) => answer.truncated || Buffer.byteLength(answer.text, 'utf8') >= MAX_LOG_BYTES;

/**
 * A pod's log as the step keeps it: the newest of its last `tailLines` lines that fit in
 * MAX_LOG_BYTES. The API server applies `limitBytes` to the START of the lines asked for, so when
 * they are longer it answers the oldest of them, and the newest (the crash) would be missing:
 * then it is asked again for fewer lines, as many as came whole the last time less a tenth, up to
 * MAX_LOG_READS reads (the last answer is then kept as it came). `cut`: older lines were left out.
 */
export async function readLog(
  client: KubeClient,
  namespace: string,
  pod: string,
  options: { tailLines: number; container?: string | undefined; previous?: boolean },
): Promise<KubeAnswer & { cut: boolean }> {
  const query: Record<string, string> = { limitBytes: String(MAX_LOG_BYTES) };
  if (options.container) query.container = options.container;
  if (options.previous) query.previous = 'true';
  let tailLines = options.tailLines;
  for (let read = 1; ; read++) {
    const answer = await client.get(`${podPath(namespace, pod)}/log`, { ...query, tailLines: String(tailLines) });
    // Fewer lines than asked when an earlier read was cut: the log was cut all the same.
    if (!succeeded(answer) || !cutAnswer(answer)) return { ...answer, cut: read > 1 };
    const whole = answer.text.split('\n').length - 1;
    const fewer = Math.floor(whole * 0.9);
    if (read === MAX_LOG_READS || fewer < 1 || fewer >= tailLines) return { ...answer, cut: true };
    tailLines = fewer;
  }
}

type PodLogs = Extract<KubernetesOperation, { type: 'pod-logs' }>;

export async function podLogs(client: KubeClient, op: PodLogs): Promise<OperationResult> {
  if (client.dryRun) {
    // The Test tab checks the pod is there; it does not read the log (a test is no way to read logs).
    const pod = await client.get(podPath(op.namespace, op.name));
    if (!succeeded(pod)) return refused(`could not read pod ${op.namespace}/${op.name}: ${refusal(pod)}`, pod.status);
    return { port: 'ok', status: pod.status, message: `would read the log of pod ${op.namespace}/${op.name} (it exists)` };
  }
  const answer = await readLog(client, op.namespace, op.name, op);
  const what = `pod ${op.namespace}/${op.name}${op.container ? ` (container ${op.container})` : ''}`;
  if (!succeeded(answer)) return refused(`could not read the log of ${what}: ${refusal(answer)}`, answer.status);
  const lines = answer.text.length === 0 ? 0 : answer.text.replace(/\n$/, '').split('\n').length;
  const cut = answer.cut ? ` (the newest that fit in ${MAX_LOG_BYTES / 1024} KiB: the log was cut)` : '';
  return { port: 'ok', status: answer.status, message: `read ${lines} lines of the ${op.previous ? 'previous run’s ' : ''}log of ${what}${cut}`, extra: { logs: answer.text } };
}
