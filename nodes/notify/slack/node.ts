import { slackMessage, withButtons } from './message.js';
import { approvalButtons } from '../../../shared/slack/approval-buttons.js';
import { defineNodeModule } from '../../node-module.js';
import { slackNotify } from './definition.js';
import { executeSlackNotify } from './execute.js';

/** `notify.slack`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: slackNotify,
  execute: executeSlackNotify,
  // A simulated run has no earlier message to reply to: it previews a new message.
  preview: (config, { vars }) => {
    const buttons = config.approvalButtons ? approvalButtons({ executionId: vars.execution.id, nodeId: config.approvalButtons, stepId: '(this step)' }) : undefined;
    const message = withButtons(slackMessage(config.text, vars, false), buttons);
    if (config.auth.type === 'bot') {
      return { to: `POST ${config.apiUrl.replace(/\/+$/, '')}/chat.postMessage`, body: { channel: config.auth.channel, ...message } };
    }
    return { to: 'POST to the incoming-webhook URL (a secret)', body: message };
  },
});
