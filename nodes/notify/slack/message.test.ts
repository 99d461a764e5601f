import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { SlackNotifyConfigSchema } from './definition.js';
import { escapeMrkdwn } from '../../../shared/slack/mrkdwn.js';
import { defaultText, earlierThread, retryAfterSeconds, slackMessage } from './message.js';

const vars = (alert = testAlert(), steps: Record<string, unknown> = { am: {} }) => ({ ...testContext().vars, alert, steps });

describe('the Slack message a step posts', () => {
  it('shows the alert as Block Kit: header, text, fields, web links as buttons, the execution in context', () => {
    const alert = testAlert({ description: 'Only 2% left on /var', links: { runbook: 'https://wiki.example.internal/disk', dashboard: 'http://grafana.internal/d/1', silence: 'javascript:alert(1)' } });
    expect(slackMessage(undefined, vars(alert), false)).toEqual({
      text: '[critical] DiskFull: Disk almost full on db1',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'DiskFull', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: '[critical] DiskFull: Disk almost full on db1' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Only 2% left on /var' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Severity*\ncritical' },
            { type: 'mrkdwn', text: '*Status*\nfiring' },
            { type: 'mrkdwn', text: '*Instance*\ndb1:9100' },
            { type: 'mrkdwn', text: '*Flow*\nDisk full' },
          ],
        },
        // Only web links: the alert chooses them.
        {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Runbook' }, url: 'https://wiki.example.internal/disk', action_id: 'runbook' },
            { type: 'button', text: { type: 'plain_text', text: 'Dashboard' }, url: 'http://grafana.internal/d/1', action_id: 'dashboard' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Salve execution ex_test · steps so far: am' }] },
      ],
    });
  });

  it('a reply in a thread carries its text and the context only, and names what the run did so far', () => {
    const message = slackMessage('cleaned up 12G', vars(testAlert(), { am: {}, tell_slack: {}, clean_disk: {} }), true);
    expect(message).toEqual({
      text: 'cleaned up 12G',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'cleaned up 12G' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Salve execution ex_test · steps so far: am, tell_slack, clean_disk' }] },
      ],
    });
  });

  it('puts a button to the run in Salve first, when the server knows its public address', () => {
    const runUrl = 'https://salve.example.internal/#/runs/ex_test';
    const message = slackMessage(undefined, vars(testAlert({ links: { runbook: 'https://wiki.example.internal/disk' } })), false, runUrl);
    const actions = message.blocks.find((b) => b.type === 'actions') as { elements: { url: string; action_id: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.url])).toEqual([
      ['run', runUrl],
      ['runbook', 'https://wiki.example.internal/disk'],
    ]);
    // A reply sits under the first message, which has the button.
    expect(JSON.stringify(slackMessage('cleaned up', vars(testAlert()), true, runUrl))).not.toContain(runUrl);
  });

  it('escapes alert text, so an alert cannot ping @channel or disguise a link', () => {
    const alert = testAlert({ name: 'Disk <!channel>', summary: '<https://evil.example|click> & more' });
    const message = slackMessage(undefined, vars(alert), false);
    expect(message.text).toBe('[critical] Disk &lt;!channel&gt;: &lt;https://evil.example|click&gt; &amp; more');
    // The header is plain text: Slack does not read mentions there.
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Disk <!channel>', emoji: true } });
    expect(JSON.stringify(message.blocks.slice(1))).not.toContain('<!channel>');
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('says resolved in the default text, uses the host label when there is no instance, and cuts what Slack would refuse', () => {
    const alert = testAlert({ status: 'resolved', name: 'N'.repeat(300), summary: '', labels: { host: 'web3' } });
    expect(defaultText(alert)).toBe(`[critical, resolved] ${'N'.repeat(300)}`);
    const message = slackMessage('x'.repeat(5000), vars(alert), false);
    expect(message.text).toHaveLength(4000);
    expect((message.blocks[0] as { text: { text: string } }).text.text).toHaveLength(150);
    expect((message.blocks[1] as { text: { text: string } }).text.text).toHaveLength(3000);
    expect(message.blocks[2]).toMatchObject({ fields: [{}, {}, { text: '*Host*\nweb3' }, {}] });
  });
});

describe('which thread thread: auto replies in', () => {
  const post = (extra: Record<string, unknown>) => ({ via: 'bot', to: '#ops', channel: 'C0OPS', ts: '1700000000.000100', ok: true, status: 200, durationMs: 40, ...extra });

  it('the first earlier bot post to the same channel, named as this step names it or by Slack’s id', () => {
    const steps = {
      am: testAlert(),
      hook_post: { via: 'webhook', ok: true, status: 200, durationMs: 30 },
      failed_post: post({ ok: false, ts: undefined, error: 'not_in_channel' }),
      other_channel: post({ to: '#db', channel: 'C0DB', ts: '1700000000.000050' }),
      first: post({}),
      reply: post({ ts: '1700000000.000200', threadTs: '1700000000.000100' }),
      clean_disk: { status: 200, body: 'ok' },
    };
    expect(earlierThread(steps, '#ops')).toEqual({ channel: 'C0OPS', ts: '1700000000.000100' });
    expect(earlierThread(steps, 'C0OPS')).toEqual({ channel: 'C0OPS', ts: '1700000000.000100' });
    expect(earlierThread(steps, '#db')).toEqual({ channel: 'C0DB', ts: '1700000000.000050' });
    expect(earlierThread(steps, '#elsewhere')).toBeUndefined();
    // A reply's thread is its first message's.
    expect(earlierThread({ reply: post({ ts: '1700000000.000200', threadTs: '1700000000.000100' }) }, '#ops')).toEqual({ channel: 'C0OPS', ts: '1700000000.000100' });
  });
});

describe('Retry-After', () => {
  it('is whole seconds, at least 1', () => {
    expect([retryAfterSeconds('30'), retryAfterSeconds('1.2'), retryAfterSeconds(undefined), retryAfterSeconds('soon'), retryAfterSeconds('0')]).toEqual([30, 2, 1, 1, 1]);
  });
});

describe('the notify.slack config', () => {
  const issues = (input: Record<string, unknown>) =>
    SlackNotifyConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  const bot = { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' };

  it('takes the token and the webhook URL only as secrets, and the API URL only written out', () => {
    expect(issues({})[0]).toMatch(/^auth: auth is required/);
    expect(issues({ auth: { ...bot, token: 'xoxb-123' } })[0]).toMatch(/^auth\.token: /);
    expect(issues({ auth: { type: 'webhook', url: 'https://hooks.slack.com/services/T/B/X' } })[0]).toMatch(/^auth\.url: /);
    expect(issues({ auth: { ...bot, channel: '' } })).toEqual(['auth.channel: channel is required, e.g. #ops or C0123456789']);
    expect(issues({ auth: bot, apiUrl: 'https://{{ alert.labels.slack }}/api' })[0]).toMatch(/^apiUrl: must be http/);
    expect(issues({ auth: bot, apiUrl: 'https://slack.com/api/chat.postMessage' })[0]).toMatch(/^apiUrl: /);
    expect(issues({ auth: bot, thread: 'always' })).toEqual(['thread: must be auto or new']);
    expect(issues({ auth: bot, apiUrl: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(SlackNotifyConfigSchema.parse({ auth: bot })).toMatchObject({ thread: 'auto', apiUrl: 'https://slack.com/api', timeoutSeconds: 10 });
  });
});
