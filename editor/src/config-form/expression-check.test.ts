import { describe, expect, it } from 'vitest';
import type { CelDecl } from '../../../shared/expr/declared-types.js';
import type { ExprScope, ExprVars } from '../../../shared/expr/types.js';
import { HttpCheckConfigSchema, httpCheck } from '../../../nodes/check/http/definition.js';
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

// The node being edited runs after the source "am" and the HTTP step "check"; "later" runs after it.
const scope: ExprScope = {
  steps: new Map<string, CelDecl>([
    ['am', 'dyn'],
    ['check', { status: 'dyn', body: 'dyn', truncated: 'bool' }],
  ]),
  nodeIds: new Set(['am', 'check', 'here', 'later']),
  self: 'here',
};
const site = { scope };

describe('URL templates in the editor', () => {
  it('checks and previews them per URL component, as the step will render them', () => {
    expect(checkExpression('url', 'http://{{ alert.labels.instance }}/cleanup', site)).toBeNull();
    expect(checkExpression('url', 'http://{{ alert.labels.u }}@agent.example/x', site)?.message).toBe('a template cannot write the user info (user:password@) of a URL');
    expect(checkExpression('url', '{{ alert.labels.url }}', site)?.message).toMatch(/cannot choose the scheme/);
    expect(previewExpression('url', 'http://agent.example/x?host={{ alert.labels.instance }}&q={{ alert.name + "&a=1" }}', vars, scope)).toEqual({
      ok: true,
      text: 'http://agent.example/x?host=db-1:9100&q=DiskFull%26a%3D1',
    });
    const hostile = { ...vars, alert: { ...vars.alert, labels: { instance: 'user:pw@evil.example#' } } };
    expect(previewExpression('url', 'http://{{ alert.labels.instance }}/cleanup', hostile, scope)).toEqual({
      ok: false,
      message: `{{ alert.labels.instance }} gave "user:pw@evil.example#", which cannot be the URL's host: it contains "@", and user info is never taken from a template`,
    });
  });
});

describe('PromQL templates in the editor', () => {
  it('checks that values sit in double-quoted strings, and previews them escaped, as the step will render them', () => {
    expect(checkExpression('promql', 'up{instance="{{ alert.labels.instance }}"}', site)).toBeNull();
    expect(checkExpression('promql', 'up', site)).toBeNull();
    expect(checkExpression('promql', 'up{instance={{ alert.labels.instance }}}', site)?.text).toMatch(
      /^\{\{ alert\.labels\.instance \}\} sits outside a string: .* \(at character 16\)$/,
    );
    const hostile = { ...vars, alert: { ...vars.alert, labels: { instance: 'db1"} or vector(1) #' } } };
    expect(previewExpression('promql', 'up{instance="{{ alert.labels.instance }}"}', hostile, scope)).toEqual({ ok: true, text: 'up{instance="db1\\"} or vector(1) #"}' });
  });
});

describe('checkExpression', () => {
  it('accepts valid expressions in each language', () => {
    expect(checkExpression('cel', 'alert.severity == "critical"', site)).toBeNull();
    expect(checkExpression('template', 'http://{{ alert.labels.instance }}/cleanup', site)).toBeNull();
    expect(checkExpression('matchers', 'alertname="DiskFull", severity=~"critical|page"', site)).toBeNull();
  });
  it('does not check empty text', () => {
    expect(checkExpression('cel', '  ', site)).toBeNull();
  });
  it('reports CEL type errors', () => {
    expect(checkExpression('cel', 'alert.labls', site)).not.toBeNull();
  });
  it('reports template problems with their position', () => {
    const problem = checkExpression('template', 'http://{{ alert.labels.instance /cleanup', site);
    expect(problem?.message).toBe('"{{" is never closed with "}}"');
    expect(problem?.text).toBe('"{{" is never closed with "}}" (at character 8)');
  });
  it('is the validator\'s check where the expression sits: steps before the node, conditions give true/false', () => {
    expect(checkExpression('cel', 'steps.check.status == 200', { scope, returns: 'bool' })).toBeNull();
    expect(checkExpression('cel', 'alert.severity', { scope, returns: 'bool' })?.text).toBe(
      'this condition gives a string, not true/false: compare it, e.g. alert.severity == "critical"',
    );
    expect(checkExpression('cel', 'alert.severity', site)).toBeNull(); // not a condition: any value
    expect(checkExpression('cel', 'steps.nosuch.status == 200', site)?.text).toBe(
      'no step named "nosuch" in this flow (it can read steps.am and steps.check) (at character 1)',
    );
    expect(checkExpression('template', 'Status {{ steps.later.status }}', site)?.message).toMatch(/^\{\{ steps.later.status \}\}: step "later" does not run before this node/);
    expect(checkExpression('url', 'http://agent.example/{{ steps.here.x }}', site)?.message).toMatch(/cannot read its own output/);
  });
  it('reports matcher syntax and regex problems', () => {
    expect(checkExpression('matchers', 'alertname=', site)).toBeNull(); // an empty bare value is allowed
    expect(checkExpression('matchers', 'alertname="x', site)?.text).toMatch(/unterminated quoted value/);
    expect(checkExpression('matchers', 'a=~"(x)\\\\1"', site)?.text).toMatch(/not allowed/);
  });
});

describe("an expression's own variables (a check's response)", () => {
  // The site as the form reads it from the node type: the expression at `expect` and what it declares.
  const ref = httpCheck.expressions(HttpCheckConfigSchema.parse({ url: 'http://db-1/health' })).find((r) => r.path[0] === 'expect')!;
  const checkSite = { scope, returns: ref.returns, locals: ref.locals };

  it('checks response where the node type declares it, and only there', () => {
    expect(checkExpression('cel', 'response.status == 200', checkSite)).toBeNull();
    expect(checkExpression('cel', 'response.status == 200 && response.body.status == "ok" && steps.check.status == 200', checkSite)).toBeNull();
    expect(checkExpression('cel', 'response.stauts == 200', checkSite)?.message).toMatch(/No such key: stauts/);
    expect(checkExpression('cel', 'response.status == 200', { scope, returns: 'bool' })?.message).toMatch(/Unknown variable: response/);
  });

  it('previews nothing it cannot know before the step runs', () => {
    expect(previewExpression('cel', 'response.status == 200', vars, scope, ref.locals)).toEqual({
      ok: false,
      message: 'response is known only when the step runs',
    });
  });
});

describe('previewExpression', () => {
  it('renders templates', () => {
    expect(previewExpression('template', 'http://{{ alert.labels.instance }}/cleanup', vars, scope)).toEqual({ ok: true, text: 'http://db-1:9100/cleanup' });
  });
  it('evaluates CEL to JSON, with booleans as outcomes', () => {
    expect(previewExpression('cel', 'alert.severity == "critical"', vars, scope)).toEqual({ ok: true, text: 'true', outcome: 'true' });
    expect(previewExpression('cel', 'alert.labels', vars, scope)).toMatchObject({ ok: true, text: JSON.stringify(vars.alert.labels) });
    expect(previewExpression('cel', '1 + 1', vars, scope)).toMatchObject({ text: '2' });
  });
  it('says whether matchers match the sample alert', () => {
    expect(previewExpression('matchers', 'alertname="DiskFull"', vars, scope)).toMatchObject({ ok: true, outcome: 'match', text: 'matches the sample alert' });
    expect(previewExpression('matchers', 'alertname="Other"', vars, scope)).toMatchObject({ ok: true, outcome: 'nomatch', text: 'does not match' });
  });
  it('says a step before the node has not run yet when the sample has no output of it', () => {
    const ran = { ...vars, steps: { check: { status: 200, body: null, truncated: false } } };
    expect(previewExpression('cel', 'steps.check.status == 200', ran, scope)).toEqual({ ok: true, text: 'true', outcome: 'true' });
    // No test reached it, or one did but did not run it (a test runs nothing with side effects).
    for (const sample of [vars, { ...vars, steps: { check: null } }]) {
      expect(previewExpression('template', 'status {{ steps.check.status }}', sample, scope)).toEqual({
        ok: false,
        message: 'step "check" not run yet, so its output is unknown here (a test runs only steps without side effects)',
      });
    }
    expect(previewExpression('cel', 'steps.nosuch.status == 200', vars, scope)).toEqual({ ok: false, message: 'no step named "nosuch"' });
  });
  it('returns evaluation errors as messages', () => {
    const result = previewExpression('cel', 'alert.labels.missing == "x"', vars, scope);
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
    const problem = checkExpression('template', 'http://{{ alert.labels.instance /cleanup', site);
    expect(repeatsProblem(`node "clean": template "http://{{ alert.labels.instance /cleanup" is invalid: "{{" is never closed with "}}" (at character 8)`, problem)).toBe(true);
    expect(repeatsProblem('must start with http:// or https://', problem)).toBe(false);
    expect(repeatsProblem('anything', null)).toBe(false);
  });
});
