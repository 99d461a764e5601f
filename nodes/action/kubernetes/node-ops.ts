import { type KubeClient, refusal, succeeded } from './client.js';
import type { KubernetesOperation } from './definition.js';
import { refused, type OperationResult } from './step-result.js';

type Cordon = Extract<KubernetesOperation, { type: 'cordon' | 'uncordon' }>;

/** `kubectl cordon` / `uncordon`: sets `spec.unschedulable`; setting it twice is the same as once. */
export async function cordon(client: KubeClient, op: Cordon): Promise<OperationResult> {
  const unschedulable = op.type === 'cordon';
  const patched = await client.patch(`/api/v1/nodes/${op.node}`, { spec: { unschedulable } }, 'strategic');
  if (!succeeded(patched)) return refused(`the API server refused to ${op.type} node ${op.node}: ${refusal(patched)}`, patched.status);
  const verb = `${client.dryRun ? 'would ' : ''}${op.type === 'cordon' ? (client.dryRun ? 'cordon' : 'cordoned') : client.dryRun ? 'uncordon' : 'uncordoned'}`;
  return { port: 'ok', status: patched.status, message: `${verb} node ${op.node}` };
}
