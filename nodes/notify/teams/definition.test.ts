import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { TeamsNotifyConfigSchema } from './definition.js';
import { defaultFacts, plainText, teamsMessage } from './message.js';

const issues = (input: Record<string, unknown>) =>
  TeamsNotifyConfigSchema.safeParse({ webhookUrl: { secret: 'TEAMS_WEBHOOK_URL' }, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
const vars = (alert = testAlert()) => ({ ...testContext().vars, alert });
const card = (message: ReturnType<typeof teamsMessage>) => message.attachments[0].content;

describe('the notify.teams config', () => {
  it('takes the workflow URL only as a secret, and names the field it refuses', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ webhookUrl: 'https://prod-12.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=abc' })[0]).toMatch(/^webhookUrl: /);
    expect(issues({ webhookUrl: { secret: 'teams url' } })[0]).toMatch(/^webhookUrl\.secret: secret names use upper-case/);
    expect(issues({ title: '  ' })).toEqual(['title: must not be empty']);
    expect(issues({ facts: Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`f${i}`, 'v'])) })).toEqual(['facts: at most 12 facts']);
    expect(issues({ timeoutSeconds: 0 })).toEqual(['timeoutSeconds: must be between 1 and 120 seconds']);
    expect(issues({ channel: '#ops' })[0]).toMatch(/^: Unrecognized key/);
    expect(TeamsNotifyConfigSchema.parse({ webhookUrl: { secret: 'TEAMS_WEBHOOK_URL' } })).toEqual({ webhookUrl: { secret: 'TEAMS_WEBHOOK_URL' }, timeoutSeconds: 10 });
  });
});

describe('the Teams message a step posts', () => {
  it('is one Adaptive Card built from the alert: bold title, summary, facts, and the run’s button', () => {
    const runUrl = 'https://salve.example.internal/#/runs/ex_test';
    expect(teamsMessage({}, vars(), runUrl)).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: '[critical] DiskFull', weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: 'Disk almost full on db1', wrap: true },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Severity', value: 'critical' },
                  { title: 'Status', value: 'firing' },
                  { title: 'Instance', value: 'db1:9100' },
                  { title: 'Service', value: 'postgresql' },
                  { title: 'Flow', value: 'Disk full' },
                ],
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: runUrl }],
          },
        },
      ],
    });
  });

  it('has no button when Salve does not know its public address', () => {
    expect(card(teamsMessage({}, vars()))).not.toHaveProperty('actions');
    expect(card(teamsMessage({}, vars(), 'javascript:alert(1)'))).not.toHaveProperty('actions');
  });

  it('uses the config’s title, text and facts, leaving out facts that rendered empty', () => {
    const content = card(teamsMessage({ title: 'Disk cleaned on db1', text: 'Freed **12 GB**', facts: { Freed: '12G', Ticket: '' } }, vars()));
    expect(content.body).toEqual([
      { type: 'TextBlock', text: 'Disk cleaned on db1', weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: 'Freed **12 GB**', wrap: true },
      { type: 'FactSet', facts: [{ title: 'Freed', value: '12G' }] },
    ]);
    // No facts at all: no empty fact set (Teams would refuse the card).
    expect(card(teamsMessage({ facts: { Ticket: ' ' } }, vars())).body.map((b) => b.type)).toEqual(['TextBlock', 'TextBlock']);
  });

  it('says resolved in the default title, adds the description, and falls back to the host label', () => {
    const alert = testAlert({ status: 'resolved', description: 'Usage fell to 70%', labels: { host: 'web3' } });
    const content = card(teamsMessage({}, vars(alert)));
    expect(content.body[0]).toMatchObject({ text: '[critical, resolved] DiskFull' });
    expect(content.body[1]).toMatchObject({ text: 'Disk almost full on db1\n\nUsage fell to 70%' });
    expect(defaultFacts(vars(alert))).toEqual({ Severity: 'critical', Status: 'resolved', Host: 'web3', Flow: 'Disk full' });
    expect(card(teamsMessage({}, vars(testAlert({ summary: '', description: '' })))).body[1]).toMatchObject({ text: 'DiskFull' });
  });

  it('breaks Markdown links, so an alert cannot disguise where a link goes', () => {
    const alert = testAlert({ name: 'Disk [full](https://evil.example)', summary: 'see [the runbook][1]\n\n[1]: https://evil.example' });
    const json = JSON.stringify(teamsMessage({}, vars(alert)));
    expect(json).not.toMatch(/\]\(|\]\[|\]:/);
    expect(plainText('[a](b) [c][d] [e]: f, [plain] text')).toBe('[a]\u200B(b) [c]\u200B[d] [e]\u200B: f, [plain] text');
  });

  it('cuts what would make the card too big for Teams', () => {
    const content = card(teamsMessage({ title: 't'.repeat(1000), text: 'x'.repeat(20_000), facts: { ['k'.repeat(100)]: 'v'.repeat(2000) } }, vars()));
    expect((content.body[0] as { text: string }).text).toHaveLength(500);
    expect((content.body[1] as { text: string }).text).toHaveLength(8000);
    expect((content.body[2] as { facts: { value: string }[] }).facts[0]!.value).toHaveLength(500);
  });
});
