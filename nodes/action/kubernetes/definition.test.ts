import { describe, expect, it } from 'vitest';
import { KubernetesConfigSchema } from './definition.js';

const messages = (input: unknown) => {
  const parsed = KubernetesConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('action.kubernetes config', () => {
  it('takes each operation with its own fields, and names the field of a mistake', () => {
    expect(messages({ cluster: 'prod', operation: { type: 'rollout-restart', namespace: 'web', name: '{{ alert.labels.deployment }}' } })).toEqual([]);
    expect(messages({ cluster: 'prod', operation: { type: 'rollout-restart', namespace: 'Web', name: 'api' } })).toEqual([
      'operation.namespace: namespace "Web" is not a Kubernetes name (lower-case letters, digits and "-"; starting and ending with a letter or digit)',
    ]);
    expect(messages({ cluster: 'prod', operation: { type: 'restart', namespace: 'web', name: 'api' } })[0]).toContain('type must be rollout-restart, scale, delete-pod, cordon, uncordon, run-job or pod-logs');
    expect(messages({ cluster: 'Prod', operation: { type: 'cordon', node: 'worker-1' } })[0]).toMatch(/^cluster: must be a cluster name from SALVE_KUBERNETES_CLUSTERS/);
  });

  it('keeps scale within its bounds and waits only where an operation can wait', () => {
    expect(messages({ cluster: 'p', operation: { type: 'scale', namespace: 'web', name: 'api', replicas: '9', min: 1, max: 5 } })).toEqual(['operation.replicas: must be between min (1) and max (5)']);
    expect(messages({ cluster: 'p', operation: { type: 'scale', namespace: 'web', name: 'api', replicas: 'three', max: 5 } })).toEqual(['operation.replicas: must be a whole number as text (e.g. "4") or a template giving one']);
    expect(messages({ cluster: 'p', operation: { type: 'scale', namespace: 'web', name: 'api', replicas: 3, max: 5 } })).toEqual(['operation.replicas: must be a whole number as text (e.g. "4") or a template giving one']);
    expect(messages({ cluster: 'p', operation: { type: 'scale', namespace: 'web', name: 'api', replicas: '2', min: 4, max: 3 } })).toContain('operation.min: must not be above max (3)');
    expect(messages({ cluster: 'p', operation: { type: 'delete-pod', namespace: 'web', name: 'x' }, every: 10, within: 60 })).toEqual(['every: only rollout-restart and run-job wait; leave every and within out']);
  });

  it('keeps the image written out, and a waited-for Job around long enough to be seen', () => {
    const job = (extra: Record<string, unknown>) => ({ cluster: 'p', operation: { type: 'run-job', namespace: 'batch', image: 'busybox:1.36', command: ['true'], ...extra } });
    expect(messages(job({ image: '{{ alert.labels.image }}' }))).toEqual(['operation.image: must be written out: an alert may not choose what runs']);
    expect(messages({ ...job({ ttlSecondsAfterFinished: 60 }), every: 60, within: 600 })).toEqual([
      'operation.ttlSecondsAfterFinished: must be at least twice every (60 s): the finished Job must still be there when the step next looks',
    ]);
    expect(messages({ ...job({}), every: 60, within: 600 })).toEqual([]);
  });
});
