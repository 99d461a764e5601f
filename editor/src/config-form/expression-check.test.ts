import { describe, expect, it } from 'vitest';
import type { ExprVars } from '../../../shared/expr/types.js';
import { checkExpression, previewExpression, repeatsProblem, templateStringsIn } from './expression-check.js';

const vars: ExprVars = {
  alert: {
    source: 'alertmanager',
    status: 'firing',
    name: 'DiskFull',
    severity: 'critical',
    summary: 'Disk full',
    description: '',
    dedupKey: 'k',
    raw: null,
    labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1:9100' },
    annotations: {},
    startsAt: '2024-01-01T00:00:00Z',
    endsAt: '',
    fingerprint: 'f',
    links: {},
  },
  event: { version: '4' },
  steps: {},
  flow: { id: 'disk-full', name: 'Disk', revision: 1 },
  execution: { id: 'e1', startedAt: '2024-01-01T00:00:00Z' },
};

describe('URL templates in the editor', () => {
  it('checks and previews them per URL component, as the step will render them', () => {
    expect(checkExpression('url', 'http://{{ alert.labels.instance }}/cleanup')).toBeNull();
    expect(checkExpression('url', 'http://{{ alert.labels.u }}@agent.example/x')?.message).toBe('a template cannot write the user info (user:password@) of a URL');
    expect(checkExpression('url', '{{ alert.labels.url }}')?.message).toMatch(/cannot choose the scheme/);
    expect(previewExpression('url', 'http://agent.example/x?host={{ alert.labels.instance }}&q={{ alert.name + "&a=1" }}', vars)).toEqual({
      ok: true,
      text: 'http://agent.example/x?host=db-1:9100&q=DiskFull%26a%3D1',
    });
    const hostile = { ...vars, alert: { ...vars.alert, labels: { instance: 'user:pw@evil.example#' } } };
    expect(previewExpression('url', 'http://{{ alert.labels.instance }}/cleanup', hostile)).toEqual({
      ok: false,
      message: `{{ alert.labels.instance }} gave "user:pw@evil.example#", which cannot be the URL's host: it contains "@", and user info is never taken from a template`,
    });
  });
});

describe('checkExpression', () => {
  it('accepts valid expressions in each language', () => {
    expect(checkExpression('cel', 'alert.severity == "critical"')).toBeNull();
    expect(checkExpression('template', 'http://{{ alert.labels.instance }}/cleanup')).toBeNull();
    expect(checkExpression('matchers', 'alertname="DiskFull", severity=~"critical|page"')).toBeNull();
  });
  it('does not check empty text', () => {
    expect(checkExpression('cel', '  ')).toBeNull();
  });
  it('reports CEL type errors', () => {
    expect(checkExpression('cel', 'alert.labls')).not.toBeNull();
  });
  it('reports template problems with their position', () => {
    const problem = checkExpression('template', 'http://{{ alert.labels.instance /cleanup');
    expect(problem?.message).toBe('"{{" is never closed with "}}"');
    expect(problem?.text).toBe('"{{" is never closed with "}}" (at character 8)');
  });
  it('reports matcher syntax and regex problems', () => {
    expect(checkExpression('matchers', 'alertname=')).toBeNull(); // an empty bare value is allowed
    expect(checkExpression('matchers', 'alertname="x')?.text).toMatch(/unterminated quoted value/);
    expect(checkExpression('matchers', 'a=~"(x)\\\\1"')?.text).toMatch(/not allowed/);
  });
});

describe('previewExpression', () => {
  it('renders templates', () => {
    expect(previewExpression('template', 'http://{{ alert.labels.instance }}/cleanup', vars)).toEqual({ ok: true, text: 'http://db-1:9100/cleanup' });
  });
  it('evaluates CEL to JSON, with booleans as outcomes', () => {
    expect(previewExpression('cel', 'alert.severity == "critical"', vars)).toEqual({ ok: true, text: 'true', outcome: 'true' });
    expect(previewExpression('cel', 'alert.labels', vars)).toMatchObject({ ok: true, text: JSON.stringify(vars.alert.labels) });
    expect(previewExpression('cel', '1 + 1', vars)).toMatchObject({ text: '2' });
  });
  it('says whether matchers match the sample alert', () => {
    expect(previewExpression('matchers', 'alertname="DiskFull"', vars)).toMatchObject({ ok: true, outcome: 'match', text: 'matches the sample alert' });
    expect(previewExpression('matchers', 'alertname="Other"', vars)).toMatchObject({ ok: true, outcome: 'nomatch', text: 'does not match' });
  });
  it('returns evaluation errors as messages', () => {
    const result = previewExpression('cel', 'alert.labels.missing == "x"', vars);
    expect(result.ok).toBe(false);
  });
});

describe('template strings in JSON', () => {
  it('finds every string with {{ and its path', () => {
    expect(templateStringsIn({ path: '/var/tmp', host: '{{ alert.labels.instance }}', list: ['a', '{{ flow.id }}'] })).toEqual([
      { path: ['host'], text: '{{ alert.labels.instance }}' },
      { path: ['list', 1], text: '{{ flow.id }}' },
    ]);
    expect(templateStringsIn('{{ x }}')).toEqual([{ path: [], text: '{{ x }}' }]);
    expect(templateStringsIn(42)).toEqual([]);
  });
});

describe('repeatsProblem', () => {
  it('recognizes validation messages about the same problem', () => {
    const problem = checkExpression('template', 'http://{{ alert.labels.instance /cleanup');
    expect(repeatsProblem(`node "clean": template "http://{{ alert.labels.instance /cleanup" is invalid: "{{" is never closed with "}}" (at character 8)`, problem)).toBe(true);
    expect(repeatsProblem('must start with http:// or https://', problem)).toBe(false);
    expect(repeatsProblem('anything', null)).toBe(false);
  });
});
