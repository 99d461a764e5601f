import { z } from 'zod';
import { ExpressionError, matchersToCel } from '../../../shared/expr/index.js';
import { defineNode } from '../../definition.js';

export const MatchConfigSchema = z.strictObject({
  matchers: z
    .string()
    .min(1, 'matchers are required, e.g. alertname="DiskFull"')
    .superRefine((value, ctx) => {
      try {
        matchersToCel(value);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    }),
});

/** Alertmanager-style label matchers, compiled to CEL: `match` or `nomatch`. */
export const matchCondition = defineNode({
  type: 'condition.match',
  version: 1,
  category: 'condition',
  label: 'Match labels',
  description: 'Continues on "match" when the alert labels satisfy Alertmanager matchers like severity=~"critical|page".',
  icon: 'filter',
  configSchema: MatchConfigSchema,
  outputs: ['match', 'nomatch'],
  idempotent: true,
  sideEffects: false,
  expressions: (c) => [{ path: ['matchers'], kind: 'cel', source: matchersToCel(c.matchers) }],
  summary: (c) => c.matchers,
  ui: { matchers: { widget: 'expression', language: 'matchers' } },
});
