import { defineNodeModule } from '../../node-module.js';
import { emailNotify, serverDisplay } from './definition.js';
import { cleanSubject, defaultSubject, defaultText, renderHtml } from './message.js';
import { executeEmailNotify } from './execute.js';

/** `notify.email`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: emailNotify,
  execute: executeEmailNotify,
  // The message as the executor builds it (recipients are checked only when it runs).
  preview: (config, { vars }) => ({
    to: `SMTP ${serverDisplay(config)} (${config.security === 'none' ? 'no TLS' : config.security.toUpperCase()})`,
    body: {
      from: config.from,
      to: config.to,
      ...(config.cc.length > 0 ? { cc: config.cc } : {}),
      subject: cleanSubject(config.subject ?? '') || cleanSubject(defaultSubject(vars.alert)),
      text: config.text ?? defaultText(vars),
      ...(config.html !== undefined ? { html: renderHtml(config.html, vars) } : {}),
    },
  }),
});
