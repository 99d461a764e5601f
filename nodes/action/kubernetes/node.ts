import { defineNodeModule } from '../../node-module.js';
import { kubernetesAction } from './definition.js';
import { dryRunKubernetes, executeKubernetes } from './execute.js';

/** `action.kubernetes`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: kubernetesAction,
  execute: executeKubernetes,
  dryRun: dryRunKubernetes,
});
