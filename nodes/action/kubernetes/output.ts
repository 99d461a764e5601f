import { z } from 'zod';
import type { OutputView } from '../../output-view.js';

/** How far a rollout is, as `kubectl rollout status` judges it. */
const RolloutSchema = z.object({
  complete: z.boolean(),
  /** What is still missing, in words ("1 of 3 updated replicas are available"). */
  waitingFor: z.string().optional(),
});

/**
 * What an `action.kubernetes` step records. Fields beyond the first few belong to the
 * operations that set them; `status` and `message` say how the last request went.
 */
export const KubernetesOutputSchema = z.object({
  operation: z.string(),
  cluster: z.string(),
  /** What was acted on: `deployment web/api`, `pod web/api-7d9f-x2`, `node worker-3`. */
  target: z.string(),
  /** True when every change was sent with dryRun=All (the Test tab): nothing changed. */
  dryRun: z.boolean(),
  /** The API server's HTTP status for the last request; null when none answered (or none was sent). */
  status: z.int().nullable(),
  /** What happened, in words; the API server's message when it refused. */
  message: z.string(),
  /** rollout-restart with a wait: how far the rollout is. */
  rollout: RolloutSchema.optional(),
  /** scale: the replicas before and after. */
  replicas: z.object({ from: z.int().nullable(), to: z.int() }).optional(),
  /** delete-pod: whether this step deleted it (false: it was gone, or is a replacement). */
  deleted: z.boolean().optional(),
  /** run-job: the Job's name (derived from the run and the node) and how it ended. */
  job: z.object({ name: z.string(), result: z.enum(['running', 'succeeded', 'failed']), pod: z.string().optional(), reason: z.string().optional() }).optional(),
  /** pod-logs and run-job: the last lines of the pod's log. */
  logs: z.string().optional(),
  durationMs: z.number().optional(),
});
export type KubernetesOutput = z.infer<typeof KubernetesOutputSchema>;

export function presentKubernetesOutput(output: KubernetesOutput): OutputView {
  const view: OutputView = { facts: [], blocks: [] };
  view.facts.push({ label: 'Operation', text: output.dryRun ? `${output.operation} (dry run)` : output.operation });
  view.facts.push({ label: 'Target', text: `${output.target} on ${output.cluster}`, mono: true });
  if (output.status === null) view.facts.push({ label: 'HTTP status', missing: 'No answer' });
  else view.facts.push({ label: 'HTTP status', text: String(output.status), tone: output.status < 300 ? 'ok' : 'error', status: true });
  if (output.replicas) view.facts.push({ label: 'Replicas', text: `${output.replicas.from ?? '?'} → ${output.replicas.to}` });
  if (output.rollout) view.facts.push({ label: 'Rollout', text: output.rollout.complete ? 'complete' : `in progress: ${output.rollout.waitingFor ?? ''}`, tone: output.rollout.complete ? 'ok' : 'error' });
  if (output.job) view.facts.push({ label: 'Job', text: `${output.job.name}: ${output.job.result}`, tone: output.job.result === 'succeeded' ? 'ok' : output.job.result === 'failed' ? 'error' : undefined, mono: true });
  if (output.durationMs !== undefined) view.facts.push({ label: 'Took', durationMs: output.durationMs });
  view.blocks.push({ kind: 'note', text: output.message, tone: output.status !== null && output.status < 300 ? 'muted' : 'error' });
  if (output.logs !== undefined) view.blocks.push({ kind: 'text', title: 'Logs', text: output.logs });
  return view;
}
