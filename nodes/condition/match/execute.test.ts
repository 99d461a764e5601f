import { describe, expect, it } from 'vitest';
import { checkCel } from '../../../shared/expr/index.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { MatchConditionConfigSchema, matchCondition } from './definition.js';
import { executeMatchCondition } from './execute.js';

const withLabels = (labels: Record<string, string>) => testContext({ vars: { alert: testAlert({ labels }) } });

describe('condition.match', () => {
  const config = MatchConditionConfigSchema.parse({ matchers: 'alertname="DiskFull", severity=~"critical|page", env!="dev"' });

  it('takes "match" only when every matcher holds (regexes anchored, missing label = "")', async () => {
    const port = async (labels: Record<string, string>) => {
      const outcome = await executeMatchCondition(config, withLabels(labels));
      return outcome.type === 'next' ? outcome.port : outcome.type;
    };
    expect(await port({ alertname: 'DiskFull', severity: 'page' })).toBe('match');
    expect(await port({ alertname: 'DiskFull', severity: 'critical', env: 'prod' })).toBe('match');
    expect(await port({ alertname: 'DiskFull', severity: 'critical', env: 'dev' })).toBe('nomatch');
    expect(await port({ alertname: 'DiskFull', severity: 'critical-ish' })).toBe('nomatch');
    expect(await port({ alertname: 'CPUHigh', severity: 'page' })).toBe('nomatch');
    expect(await port({})).toBe('nomatch');
  });

  it('rejects matchers that do not parse, at config.matchers, with the parser message', () => {
    const bad = MatchConditionConfigSchema.safeParse({ matchers: 'alertname="DiskFull" severity' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['matchers']);
    expect(bad.error!.issues[0]!.message).toContain('expected "," between matchers');
    expect(MatchConditionConfigSchema.safeParse({ matchers: '' }).error!.issues[0]!.message).toContain('no matchers');
    expect(MatchConditionConfigSchema.safeParse({ matchers: 'a=~"(x)\\\\1"' }).success).toBe(false);
  });

  it('declares the compiled CEL (which type-checks) and shows the matchers as its summary', () => {
    const [ref] = matchCondition.expressions(config);
    expect(ref).toMatchObject({ path: ['matchers'], kind: 'cel' });
    expect(ref!.source).toContain('alert.labels');
    expect(checkCel(ref!.source)).toEqual([]);
    expect(matchCondition.summary(config)).toBe('alertname="DiskFull", severity=~"critical|page", env!="dev"');
    expect(matchCondition.outputs).toEqual(['match', 'nomatch']);
  });
});
