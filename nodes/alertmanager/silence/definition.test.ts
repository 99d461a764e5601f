import { describe, expect, it } from 'vitest';
import { SilenceConfigSchema } from './definition.js';
import { filterOf, silenceMatchers } from './matchers.js';

const messages = (input: unknown) => {
  const parsed = SilenceConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('alertmanager.silence config', () => {
  it('takes a written-out URL with a path prefix, and refuses templates, credentials and queries in it', () => {
    expect(messages({ url: 'http://monitoring.internal/alertmanager' })).toEqual([]);
    expect(messages({ url: 'http://{{ alert.labels.host }}:9093' })[0]).toContain('must be written out');
    expect(messages({ url: 'http://admin:pw@am.internal:9093' })[0]).toContain('must not carry credentials');
    expect(messages({ url: 'http://am.internal:9093/?x=1' })[0]).toContain('no query');
    expect(messages({ url: 'ftp://am.internal' })[0]).toContain('http:// or https://');
  });

  it('names the field: expire without a silence id, a bad label name, a duration out of range', () => {
    expect(messages({ url: 'http://am:9093', action: 'expire' })).toEqual(['silenceId: expire needs silenceId, e.g. {{ steps.silence_alert.silenceId }}']);
    expect(messages({ url: 'http://am:9093', action: 'expire', silenceId: 'abc' })).toEqual(['silenceId: must be a silence id (a UUID) or a template giving one']);
    expect(messages({ url: 'http://am:9093', matchLabels: ['bad-name'] })[0]).toMatch(/^matchLabels\.0: must be a Prometheus label name/);
    expect(messages({ url: 'http://am:9093', durationMinutes: 0 })).toEqual(['durationMinutes: must be between 1 and 10080 minutes']);
    expect(messages({ url: 'http://am:9093', durationMinutes: 20_000 })).toEqual(['durationMinutes: must be between 1 and 10080 minutes']);
  });
});

describe('the silence\'s matchers', () => {
  const labels = { alertname: 'DiskFull', instance: 'db1:9100', empty: '' };

  it('match every non-empty label of the alert by default, sorted, each an equality matcher', () => {
    expect(silenceMatchers({}, labels)).toEqual([
      { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
      { name: 'instance', value: 'db1:9100', isRegex: false, isEqual: true },
    ]);
  });

  it('refuse an alert without alertname, or with a label Alertmanager cannot match, unless the labels are named', () => {
    expect(silenceMatchers({}, { severity: 'critical' })).toBe('the alert has no alertname label: name the labels the silence matches in matchLabels');
    expect(silenceMatchers({}, { alertname: 'X', 'team.name': 'a' })).toContain('"team.name" is not a Prometheus label name');
    expect(silenceMatchers({ matchLabels: ['alertname'] }, { alertname: 'X', 'team.name': 'a' })).toEqual([{ name: 'alertname', value: 'X', isRegex: false, isEqual: true }]);
  });

  it('refuse a named label the alert lacks or has empty, and a rendered extra matcher that is empty', () => {
    expect(silenceMatchers({ matchLabels: ['pod'] }, labels)).toBe('the alert has no label pod to match (matchLabels lists it)');
    expect(silenceMatchers({ matchLabels: ['empty'] }, labels)).toBe('the alert has no label empty to match (matchLabels lists it)');
    expect(silenceMatchers({ matchers: { team: '' } }, labels)).toBe('the matcher team rendered empty');
  });

  it('let an extra matcher replace the alert\'s value, and keep regex characters literal', () => {
    const matchers = silenceMatchers({ matchLabels: ['instance'], matchers: { instance: '.*' } }, labels);
    expect(matchers).toEqual([{ name: 'instance', value: '.*', isRegex: false, isEqual: true }]);
  });

  it('write a filter whose quoted value keeps quotes, backslashes and line breaks', () => {
    expect(filterOf({ name: 'instance', value: 'a"b\\c\nd', isRegex: false, isEqual: true })).toBe('instance="a\\"b\\\\c\\nd"');
  });
});
