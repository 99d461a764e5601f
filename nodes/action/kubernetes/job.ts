import { createHash } from 'node:crypto';
import { type KubeClient, notAnObject, objectOf, refusal, succeeded } from './client.js';
import type { KubernetesOperation } from './definition.js';
import { readLog } from './pods.js';
import { refused, type OperationResult, type StepInfo } from './step-result.js';

/** Salve's mark on a Job: the step that made it (a Job of that name without it is someone else's). */
const JOB_STEP_KEY = 'salve.dev/step-key';

type RunJob = Extract<KubernetesOperation, { type: 'run-job' }>;

/** The Job's name: the same for every try of a step, different for every step (a retry finds its Job). */
export function jobName(key: string): string {
  return `salve-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** The Job a step creates: one pod, no retries, stopped after its deadline, deleted after its TTL. */
function jobManifest(op: RunJob, name: string, step: Pick<StepInfo, 'key' | 'runUrl'>): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/managed-by': 'salve' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: op.namespace,
      labels,
      annotations: { [JOB_STEP_KEY]: step.key, ...(step.runUrl ? { 'salve.dev/run': step.runUrl } : {}) },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: op.activeDeadlineSeconds,
      ttlSecondsAfterFinished: op.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(op.serviceAccountName ? { serviceAccountName: op.serviceAccountName } : {}),
          containers: [
            {
              name: 'job',
              image: op.image,
              command: op.command,
              env: Object.entries(op.env).map(([envName, value]) => ({ name: envName, value })),
              securityContext: { allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    },
  };
}

interface JobObject {
  metadata?: { annotations?: Record<string, string> };
  status?: { succeeded?: number; failed?: number; conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

/** How a Job stands: finished (and how) or still running. */
function jobResult(job: JobObject): { result: 'running' | 'succeeded' | 'failed'; reason?: string } {
  const conditions = job.status?.conditions ?? [];
  const done = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
  const failed = done('Failed');
  if (failed) return { result: 'failed', reason: [failed.reason, failed.message].filter(Boolean).join(': ') || 'failed' };
  if (done('Complete') || (job.status?.succeeded ?? 0) > 0) return { result: 'succeeded' };
  return { result: 'running' };
}

/** The last lines of the log of the Job's (newest) pod, or a note saying why there are none. */
async function jobLogs(client: KubeClient, op: RunJob, name: string): Promise<{ pod?: string; logs: string }> {
  const pods = await client.get(`/api/v1/namespaces/${op.namespace}/pods`, { labelSelector: `job-name=${name}` });
  const list = succeeded(pods) ? objectOf<{ items?: unknown }>(pods) : undefined;
  const items = Array.isArray(list?.items) ? (list.items as { metadata?: { name?: string; creationTimestamp?: string } }[]) : [];
  const newest = [...items].sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
  const pod = newest?.metadata?.name;
  if (!pod) return { logs: `(no pod of job ${name} to read the log of${succeeded(pods) ? '' : `: ${refusal(pods)}`})` };
  if (op.logLines === 0) return { pod, logs: '' };
  const log = await readLog(client, op.namespace, pod, { tailLines: op.logLines });
  return { pod, logs: succeeded(log) ? log.text : `(could not read the log of pod ${pod}: ${refusal(log)})` };
}

/**
 * Runs a Job once per step: its name comes from the step's key, so every try (a retry after a
 * crash, the next poll of a wait) finds the Job the first one created instead of creating
 * another. With a wait, the step ends when the Job does, with its pod's log.
 */
export async function runJob(client: KubeClient, op: RunJob, step: StepInfo): Promise<OperationResult> {
  const name = jobName(step.key);
  const path = `/apis/batch/v1/namespaces/${op.namespace}/jobs/${name}`;
  let current = await client.get(path);
  if (current.status === 404) {
    const created = await client.post(`/apis/batch/v1/namespaces/${op.namespace}/jobs`, jobManifest(op, name, step));
    if (client.dryRun && succeeded(created)) return { port: 'ok', status: created.status, message: `would create job ${op.namespace}/${name} (dry run: the API server accepted it)`, extra: { job: { name, result: 'running' } } };
    // 409: created meanwhile (by this step's previous try, whose answer was lost): read it below.
    if (!succeeded(created) && created.status !== 409) return refused(`the API server refused to create job ${op.namespace}/${name}: ${refusal(created)}`, created.status);
    current = created.status === 409 ? await client.get(path) : created;
  }
  if (!succeeded(current)) return refused(`could not read job ${op.namespace}/${name}: ${refusal(current)}`, current.status);
  const job = objectOf<JobObject>(current);
  if (!job) return refused(notAnObject(`job ${op.namespace}/${name}`, current), current.status);
  if (job.metadata?.annotations?.[JOB_STEP_KEY] !== step.key) {
    return refused(`job ${op.namespace}/${name} exists but was not created by this step (its ${JOB_STEP_KEY} differs); nothing was run`, current.status);
  }
  const state = jobResult(job);
  if (!step.waits) return { port: 'ok', status: current.status, message: `started job ${op.namespace}/${name}`, extra: { job: { name, result: state.result } } };
  if (state.result === 'running') return { port: 'timeout', status: current.status, message: `job ${op.namespace}/${name} is still running`, extra: { job: { name, result: 'running' } } };
  const { pod, logs } = await jobLogs(client, op, name);
  const job_ = { name, result: state.result, ...(pod ? { pod } : {}), ...(state.reason ? { reason: state.reason } : {}) };
  if (state.result === 'failed') return { port: 'failed', status: current.status, message: `job ${op.namespace}/${name} failed: ${state.reason}`, extra: { job: job_, logs } };
  return { port: 'ok', status: current.status, message: `job ${op.namespace}/${name} succeeded`, extra: { job: job_, logs } };
}
