import { describe, expect, it } from 'vitest';
import { ALERT_CEL_TYPE, type CelDecl } from '../../../shared/expr/declared-types.js';
import type { ExprScope, ExprVars } from '../../../shared/expr/types.js';
import { availableVariables } from './variables.js';

const vars = {
  alert: { labels: { instance: 'db-1', 'team-name': 'x' }, annotations: { summary: 's' } },
} as unknown as ExprVars;

// The node runs after the source "am", the condition "disk" and the HTTP step "clean"; "restart" runs after it.
const scope: ExprScope = {
  steps: new Map<string, CelDecl>([
    ['am', ALERT_CEL_TYPE],
    ['disk', 'bool'],
    ['clean', { status: 'dyn', headers: 'map<string, string>', body: 'dyn' }],
  ]),
  nodeIds: new Set(['am', 'disk', 'clean', 'ask', 'restart']),
  self: 'ask',
};
const first: ExprScope = { steps: new Map(), nodeIds: new Set(['am']), self: 'am' };

describe('available variables', () => {
  it('lists the sample alert’s label keys, and only the steps that run before the node, with what they hold', () => {
    const hints = availableVariables('cel', vars, scope);
    expect(hints.map((v) => v.name)).toEqual(
      expect.arrayContaining(['alert.name', 'alert.severity', 'alert.labels.instance', 'alert.labels["team-name"]', 'alert.annotations.summary', 'event', 'flow.id', 'execution.id']),
    );
    expect(hints.filter((v) => v.name.startsWith('steps'))).toEqual([
      { name: 'steps.am', note: 'the alert it passed on (as alert)' },
      { name: 'steps.disk', note: 'true or false: the way that condition went' },
      { name: 'steps.clean', note: '.status, .headers, .body' },
    ]);
  });
  it('falls back to placeholders without a sample, and says when no step runs before the node', () => {
    const hints = availableVariables('template', null, first);
    expect(hints.map((v) => v.name)).toEqual(expect.arrayContaining(['alert.labels.<key>', 'alert.annotations.<key>']));
    expect(hints.filter((v) => v.name.startsWith('steps'))).toEqual([{ name: 'steps', note: 'none: no step runs before this node' }]);
  });
  it("lists the expression's own variables first, with what they hold", () => {
    const hints = availableVariables('cel', vars, scope, { response: { status: 'int', headers: 'map<string, string>', body: 'dyn' } });
    expect(hints[0]).toEqual({ name: 'response', note: '.status, .headers, .body' });
  });
  it('lists label names for matchers', () => {
    expect(availableVariables('matchers', vars, scope).map((v) => v.name)).toEqual(['instance', 'team-name']);
  });
});
