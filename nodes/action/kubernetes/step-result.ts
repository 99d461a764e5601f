import type { KubernetesOutput } from './output.js';

/** The port a Kubernetes step takes (see the definition's portHelp). */
type KubePort = 'ok' | 'failed' | 'timeout' | 'error';

/** What an operation did: its port and what the output adds to the step's common fields. */
export interface OperationResult {
  port: KubePort;
  status: number | null;
  message: string;
  extra?: Partial<Pick<KubernetesOutput, 'rollout' | 'replicas' | 'deleted' | 'job' | 'logs'>>;
}

/** Refused before (or instead of) a request, or an API refusal: `error` with the reason. */
export const refused = (message: string, status: number | null = null, extra?: OperationResult['extra']): OperationResult => ({
  port: 'error',
  status,
  message,
  ...(extra ? { extra } : {}),
});

/** What one step of an operation knows about itself. */
export interface StepInfo {
  /** `<execution>:<node>`: marks what this step changed, so a retry recognises it. */
  key: string;
  attempt: number;
  now: Date;
  /** When the run started: a pod created after it is not the one the alert was about. */
  runStartedAt: string;
  /** Whether the step waits (every + within): a rollout to complete, a Job to finish. */
  waits: boolean;
  runUrl?: string;
}
