import { describe, expect, it } from 'vitest';
import { rolloutState } from './workloads.js';

/** The rollout judgement of `kubectl rollout status`, per kind, on the status fields it reads. */
describe('rolloutState', () => {
  it('a deployment: new spec observed, every replica updated, old ones gone, updated ones available', () => {
    const at = (status: Record<string, unknown>, generation = 2) => rolloutState('deployment', { metadata: { generation }, spec: { replicas: 3 }, status: { observedGeneration: 2, ...status } });
    expect(at({}, 3)).toEqual({ complete: false, waitingFor: "the deployment's new spec to be observed" });
    expect(at({ updatedReplicas: 1, replicas: 3 })).toEqual({ complete: false, waitingFor: '1 of 3 new replicas have been updated' });
    expect(at({ updatedReplicas: 3, replicas: 4 })).toEqual({ complete: false, waitingFor: '1 old replicas are pending termination' });
    expect(at({ updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).toEqual({ complete: false, waitingFor: '2 of 3 updated replicas are available' });
    expect(at({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 })).toEqual({ complete: true });
    expect(at({ conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] })).toMatchObject({ complete: false, stuck: true });
  });

  it('a statefulset: ready replicas, then every pod on the update revision', () => {
    const at = (status: Record<string, unknown>) => rolloutState('statefulset', { metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } });
    expect(at({ readyReplicas: 1 })).toEqual({ complete: false, waitingFor: '1 of 2 pods are ready' });
    expect(at({ readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' })).toEqual({ complete: false, waitingFor: 'pods to move to revision b' });
    expect(at({ readyReplicas: 2, currentRevision: 'b', updateRevision: 'b' })).toEqual({ complete: true });
  });

  it('a daemonset: every scheduled pod updated and available', () => {
    const at = (status: Record<string, unknown>) => rolloutState('daemonset', { metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 4, ...status } });
    expect(at({ updatedNumberScheduled: 2 })).toEqual({ complete: false, waitingFor: '2 of 4 new pods have been updated' });
    expect(at({ updatedNumberScheduled: 4, numberAvailable: 3 })).toEqual({ complete: false, waitingFor: '3 of 4 updated pods are available' });
    expect(at({ updatedNumberScheduled: 4, numberAvailable: 4 })).toEqual({ complete: true });
  });
});
