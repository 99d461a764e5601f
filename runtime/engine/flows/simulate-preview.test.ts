import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { simulateFlow } from './simulate.js';

/** The Test panel shows what a notification would send, built by the executor's own code, without sending. */
describe('simulation previews what notifications would send', () => {
  const checked = validateFlow(
    flowDoc({
      nodes: [
        { id: 'tell', type: 'notify.slack', config: { auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' }, text: 'Cleaning {{ alert.labels.instance }}' } },
        { id: 'page', type: 'notify.pagerduty', config: { routingKey: { secret: 'PD_ROUTING_KEY' } } },
        { id: 'mail', type: 'notify.email', config: { host: 'smtp.example.com', from: 'salve@example.com', to: ['oncall@example.com'], subject: 'Disk full on {{ alert.labels.instance }}' } },
      ],
      edges: [
        { source: 'am', target: 'tell' },
        { source: 'tell', sourcePort: 'ok', target: 'page' },
        { source: 'page', sourcePort: 'ok', target: 'mail' },
      ],
    }),
    lookupNodeSpec,
  );

  it('shows the Slack message, the PagerDuty event and the email, secrets as references', async () => {
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    const [run] = await simulateFlow(checked.flow, 'alertmanager', amBody('fp-1', { instance: 'db1:9100' }));
    const tell = run!.steps.find((s) => s.nodeId === 'tell');
    expect(tell?.wouldSend?.to).toBe('POST https://slack.com/api/chat.postMessage');
    expect(tell?.wouldSend?.body).toMatchObject({ channel: '#ops', text: 'Cleaning db1:9100' });
    const page = run!.steps.find((s) => s.nodeId === 'page');
    expect(page?.wouldSend?.to).toBe('POST https://events.pagerduty.com/v2/enqueue');
    expect(page?.wouldSend?.body).toMatchObject({ routing_key: { secret: 'PD_ROUTING_KEY' }, event_action: 'trigger', dedup_key: 'fp-1' });
    const mail = run!.steps.find((s) => s.nodeId === 'mail');
    expect(mail?.wouldSend).toMatchObject({ to: 'SMTP smtp://smtp.example.com:587 (STARTTLS)', body: { from: 'salve@example.com', to: ['oncall@example.com'], subject: 'Disk full on db1:9100' } });
  });
});
