import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import type { Resolved } from '../../executor.js';
import { OpsgenieNotifyConfigSchema, type OpsgenieNotifyConfig } from './definition.js';
import { opsgenieRequest, type OpsgenieRequest } from './request.js';

const issues = (input: Record<string, unknown>) =>
  OpsgenieNotifyConfigSchema.safeParse({ apiKey: { secret: 'OPSGENIE_API_KEY' }, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

/**
 * A parsed config with the key as the executor receives it (the secret resolved); `rendered`
 * stands for what templates rendered to, which the schema never sees.
 */
const config = (input: Record<string, unknown> = {}, rendered: Record<string, unknown> = {}) =>
  ({ ...OpsgenieNotifyConfigSchema.parse({ apiKey: { secret: 'OPSGENIE_API_KEY' }, ...input }), apiKey: 'k', ...rendered }) as Resolved<OpsgenieNotifyConfig>;
const vars = (alert = testAlert()) => ({ ...testContext().vars, alert });
const at = { idempotencyKey: 'ex_test:page_opsgenie', runUrl: 'https://salve.example.internal/#/runs/ex_test' };
const request = (input: Record<string, unknown> = {}, alert = testAlert(), where: { idempotencyKey: string; runUrl?: string } = at, rendered: Record<string, unknown> = {}) =>
  opsgenieRequest(config(input, rendered), vars(alert), where) as OpsgenieRequest;

describe('the notify.opsgenie config', () => {
  it('takes the API key only as a secret, and the API URL only written out', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ apiKey: 'eb243592-faa2-4ba2-a551-1afdf565c889' })[0]).toMatch(/^apiKey: /);
    expect(issues({ baseUrl: 'https://{{ alert.labels.og }}' })[0]).toMatch(/^baseUrl: must be written out/);
    expect(issues({ baseUrl: 'https://api.opsgenie.com/?x=1' })[0]).toMatch(/^baseUrl: must have no query/);
    expect(issues({ baseUrl: 'https://api.eu.opsgenie.com' })).toEqual([]);
    expect(OpsgenieNotifyConfigSchema.parse({ apiKey: { secret: 'OPSGENIE_API_KEY' } })).toEqual({
      apiKey: { secret: 'OPSGENIE_API_KEY' },
      action: 'create',
      baseUrl: 'https://api.opsgenie.com',
      priority: 'from-alert',
      source: 'salve',
      user: 'salve',
      timeoutSeconds: 10,
    });
  });

  it('names the field it refuses: the action, the priority, a message over 130 characters, too many tags', () => {
    expect(issues({ action: 'resolve' })).toEqual(['action: must be create, acknowledge, close or note']);
    expect(issues({ priority: 'P0' })).toEqual(['priority: must be one of from-alert, P1, P2, P3, P4, P5']);
    expect(issues({ message: 'm'.repeat(131) })).toEqual(['message: must be at most 130 characters (Opsgenie’s limit; a template’s result is cut to it)']);
    // A template may render longer: it is cut when sent.
    expect(issues({ message: `{{ alert.summary }}${'m'.repeat(200)}` })).toEqual([]);
    expect(issues({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).toEqual(['tags: at most 20 tags (Opsgenie’s limit)']);
    expect(issues({ tags: [''] })).toEqual(['tags.0: a tag must not be empty']);
  });

  it('asks a note step for its note, and refuses fields the action would not send', () => {
    expect(issues({ action: 'note' })).toEqual(['note: note needs the text to add, e.g. Salve freed {{ steps.clean_disk.stdout }}']);
    expect(issues({ action: 'create', note: 'x' })).toEqual(['note: note is for acknowledge, close and note; a new alert’s text goes in description']);
    expect(issues({ action: 'close', message: 'x', details: { a: 'b' } })).toEqual([
      'message: message is sent only by create (close sends the alias, note, user and source)',
      'details: details is sent only by create (close sends the alias, note, user and source)',
    ]);
    expect(issues({ action: 'close' })).toEqual([]);
  });
});

describe('the Opsgenie request a step sends', () => {
  it('creates from the alert: fingerprint as alias, name and summary, mapped priority, labels and the run as details', () => {
    const sent = request();
    expect(sent.url.href).toBe('https://api.opsgenie.com/v2/alerts');
    expect(sent.body).toEqual({
      message: 'DiskFull: Disk almost full on db1',
      alias: 'a1b2c3d4e5f60708',
      description: 'Disk almost full on db1\n\nSalve run: https://salve.example.internal/#/runs/ex_test',
      priority: 'P1',
      details: {
        alertname: 'DiskFull',
        instance: 'db1:9100',
        service: 'postgresql',
        severity: 'critical',
        'salve.flow': 'disk-full',
        'salve.execution': 'ex_test',
        'salve.run': 'https://salve.example.internal/#/runs/ex_test',
      },
      source: 'salve',
      user: 'salve',
    });
    // Without a public address the run is named by its id.
    expect(request({}, testAlert(), { idempotencyKey: 'ex_test:page_opsgenie' }).body.description).toBe('Disk almost full on db1\n\nSalve run: ex_test');
  });

  it('maps every alert severity to a priority, unless the config names one', () => {
    const priority = (severity: 'critical' | 'high' | 'warning' | 'info' | 'unknown', input = {}) => request(input, testAlert({ severity })).body.priority;
    expect([priority('critical'), priority('high'), priority('warning'), priority('info'), priority('unknown')]).toEqual(['P1', 'P2', 'P3', 'P5', 'P3']);
    expect(priority('critical', { priority: 'P4' })).toBe('P4');
  });

  it('uses what the config says, and cuts values to Opsgenie’s limits', () => {
    const sent = request(
      {
        description: 'freed 12G',
        tags: ['disk', 'disk', 't'.repeat(80), ...Array.from({ length: 17 }, (_, i) => `t${i}`)],
        details: { big: 'v'.repeat(5000), huge: 'w'.repeat(5000), ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(900)])) },
        baseUrl: 'https://api.eu.opsgenie.com',
      },
      testAlert(),
      at,
      { alias: 'a'.repeat(600), message: 'm'.repeat(200) },
    );
    expect(sent.url.href).toBe('https://api.eu.opsgenie.com/v2/alerts');
    expect(sent.alias).toHaveLength(512);
    expect(sent.body.message).toHaveLength(130);
    expect(sent.body.description).toBe('freed 12G\n\nSalve run: https://salve.example.internal/#/runs/ex_test');
    const tags = sent.body.tags as string[];
    expect(tags).toHaveLength(19);
    expect(tags[1]).toHaveLength(50);
    const details = sent.body.details as Record<string, string>;
    expect(details.big).toHaveLength(1000);
    const size = Object.entries(details).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(size).toBeLessThanOrEqual(8000);
    expect(Object.keys(details).length).toBeLessThan(12);
    // The default message is cut too.
    expect(request({}, testAlert({ summary: 's'.repeat(300) })).body.message).toHaveLength(130);
  });

  it('acknowledges, closes and notes by alias, with the run and the step’s marker in the note', () => {
    const ack = request({ action: 'acknowledge' });
    expect(ack.url.href).toBe('https://api.opsgenie.com/v2/alerts/a1b2c3d4e5f60708/acknowledge?identifierType=alias');
    expect(ack.body).toEqual({ user: 'salve', source: 'salve', note: 'Acknowledged by Salve.\nSalve run: https://salve.example.internal/#/runs/ex_test [salve ex_test:page_opsgenie]' });
    expect(request({ action: 'close' }).url.pathname).toBe('/v2/alerts/a1b2c3d4e5f60708/close');
    expect(request({ action: 'close' }).body.note).toMatch(/^Closed by Salve\.\n/);
    const note = request({ action: 'note', note: 'Freed 12G', user: 'oncall-bot' });
    expect(note.url.href).toBe('https://api.opsgenie.com/v2/alerts/a1b2c3d4e5f60708/notes?identifierType=alias');
    expect(note.body).toEqual({ user: 'oncall-bot', source: 'salve', note: 'Freed 12G\nSalve run: https://salve.example.internal/#/runs/ex_test [salve ex_test:page_opsgenie]' });
  });

  it('keeps an alert’s alias one path segment, and refuses one a URL would read as a move', () => {
    expect(request({ action: 'close', alias: 'db1:9100/../../v2/alerts?x=1#f' }).url.href).toBe(
      'https://api.opsgenie.com/v2/alerts/db1%3A9100%2F..%2F..%2Fv2%2Falerts%3Fx%3D1%23f/close?identifierType=alias',
    );
    expect(opsgenieRequest(config({ action: 'close', alias: '..' }), vars(), at)).toBe('alias is "..", which cannot name an alert in a URL');
    expect(opsgenieRequest(config({ action: 'close' }), vars(testAlert({ fingerprint: '' })), at)).toBe('the alert has no fingerprint to use as alias: set alias');
    expect(opsgenieRequest(config({ action: 'note', note: '{{ x }}' }, { note: ' ' }), vars(), at)).toBe('note rendered empty');
    expect(opsgenieRequest(config({ message: '{{ x }}' }, { message: '' }), vars(), at)).toBe('message rendered empty');
    expect(opsgenieRequest(config({ alias: '{{ x }}' }, { alias: '' }), vars(), at)).toBe('alias rendered empty');
  });
});
