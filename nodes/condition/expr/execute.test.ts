import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { ExprConditionConfigSchema, exprCondition } from './definition.js';
import { executeExprCondition } from './execute.js';

describe('condition.expr', () => {
  it('takes "true" or "false" by the expression, with the value as output', async () => {
    const ctx = testContext({ vars: { alert: testAlert({ labels: { env: 'prod' } }) } });
    expect(await executeExprCondition({ expression: 'alert.labels.env == "prod"' }, ctx)).toEqual({ type: 'next', port: 'true', output: true });
    expect(await executeExprCondition({ expression: 'alert.labels.env == "dev"' }, ctx)).toEqual({ type: 'next', port: 'false', output: false });
  });

  it('reads earlier steps and the event', async () => {
    const ctx = testContext({ vars: { steps: { clean: { status: 200 } }, event: { retries: 3 } } });
    expect((await executeExprCondition({ expression: 'steps.clean.status == 200 && event.retries > 2' }, ctx)).type).toBe('next');
  });

  it('fails the step (no error port) when the expression cannot be evaluated or is not a bool', async () => {
    const missing = await executeExprCondition({ expression: 'steps.nothing.status == 200' }, testContext());
    expect(missing.type).toBe('fail');
    expect(missing).not.toHaveProperty('port');
    const notBool = await executeExprCondition({ expression: 'alert.name' }, testContext());
    expect(notBool).toMatchObject({ type: 'fail', error: expect.stringContaining('not true or false') });
  });

  it('requires an expression and declares it as CEL', () => {
    expect(ExprConditionConfigSchema.safeParse({}).error!.issues[0]!.path).toEqual(['expression']);
    expect(ExprConditionConfigSchema.safeParse({ expression: '  ' }).error!.issues[0]!.message).toBe('expression is empty');
    const config = ExprConditionConfigSchema.parse({ expression: 'alert.severity == "critical"' });
    expect(exprCondition.expressions(config)).toEqual([{ path: ['expression'], kind: 'cel', source: 'alert.severity == "critical"', returns: 'bool' }]);
    expect(exprCondition.summary(config)).toBe('alert.severity == "critical"');
    expect(exprCondition.outputs).toEqual(['true', 'false']);
    expect([exprCondition.sideEffects, exprCondition.idempotent]).toEqual([false, true]);
  });
});
