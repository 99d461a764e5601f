import { remoteCommand } from './remote-command.js';
import { defineNodeModule } from '../../node-module.js';
import { sshAction } from './definition.js';
import { executeSshAction } from './execute.js';

/** `action.ssh`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: sshAction,
  execute: executeSshAction,
  // The command line the remote shell receives, each argument quoted by Salve.
  preview: (config) => {
    const line = remoteCommand(config.command);
    return { to: `ssh ${config.user}@${config.host}:${config.port}`, body: typeof line === 'string' ? line : `not sent: ${line.problem}` };
  },
});
