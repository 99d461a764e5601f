import { describe, expect, it } from 'vitest';
import type { ExprVars } from '../../../shared/expr/types.js';
import { availableVariables } from './variables.js';

const vars = {
  alert: { labels: { instance: 'db-1', 'team-name': 'x' }, annotations: { summary: 's' } },
} as unknown as ExprVars;

describe('available variables', () => {
  it('lists the sample alert’s label keys and the flow’s node ids', () => {
    const names = availableVariables('cel', vars, ['clean', 'ask']).map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining(['alert.name', 'alert.severity', 'alert.labels.instance', 'alert.labels["team-name"]', 'alert.annotations.summary', 'steps.clean…', 'steps.ask…', 'event', 'flow.id', 'execution.id']),
    );
  });
  it('falls back to placeholders without a sample', () => {
    const names = availableVariables('template', null, []).map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['alert.labels.<key>', 'alert.annotations.<key>', 'steps.<nodeId>…']));
  });
  it('lists label names for matchers', () => {
    expect(availableVariables('matchers', vars, []).map((v) => v.name)).toEqual(['instance', 'team-name']);
  });
});
