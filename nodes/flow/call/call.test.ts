import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/kit/nodes.js';
import { CallFlowConfigSchema, callFlow, MAX_CALL_INPUT_BYTES } from './definition.js';
import { executeCallFlow } from './execute.js';

describe('flow.call', () => {
  it('asks the engine to start the called flow with the rendered input', async () => {
    const config = CallFlowConfigSchema.parse({ flow: 'restart-service', input: { host: 'db1', opts: { force: true } }, timeoutSeconds: 600 });
    expect(await executeCallFlow(config, testContext())).toEqual({
      type: 'call',
      flowId: 'restart-service',
      input: { host: 'db1', opts: { force: true } },
      timeoutSeconds: 600,
    });
    expect(await executeCallFlow(CallFlowConfigSchema.parse({ flow: 'p' }), testContext())).toEqual({ type: 'call', flowId: 'p', input: {} });
  });

  it('takes the flow id written out (a slug, never a template) and an object as input', () => {
    for (const [bad, path] of [
      [{ flow: '{{ alert.labels.flow }}' }, ['flow']],
      [{ flow: 'Restart Service' }, ['flow']],
      [{}, ['flow']],
      [{ flow: 'p', input: ['a'] }, ['input']],
      [{ flow: 'p', input: { big: 'x'.repeat(MAX_CALL_INPUT_BYTES) } }, ['input']],
      [{ flow: 'p', timeoutSeconds: 0 }, ['timeoutSeconds']],
      [{ flow: 'p', extra: 1 }, []],
    ] as const) {
      expect(CallFlowConfigSchema.safeParse(bad).error!.issues[0]!.path, JSON.stringify(bad).slice(0, 60)).toEqual(path);
    }
  });

  it('refuses a secret in input, naming where it is', () => {
    const issues = CallFlowConfigSchema.safeParse({ flow: 'p', input: { host: 'db1', auth: { token: { secret: 'AGENT_TOKEN' } } } }).error!.issues;
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'input.auth.token: a secret cannot be passed in input (it is stored with the called run); reference the secret in the called flow instead',
    ]);
  });

  it('lists the input strings as templates, and fails on error when rendering made the input too large', async () => {
    const config = CallFlowConfigSchema.parse({ flow: 'p', input: { host: '{{ alert.labels.instance }}', fixed: 'x', list: ['{{ alert.name }}'] } });
    expect(callFlow.expressions(config).map((e) => [e.path, e.kind])).toEqual([
      [['input', 'host'], 'template'],
      [['input', 'list', 0], 'template'],
    ]);
    const outcome = await executeCallFlow({ flow: 'p', input: { big: 'é'.repeat(MAX_CALL_INPUT_BYTES) } }, testContext());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: expect.stringMatching(/^the rendered input is 131082 bytes; at most 65536/) });
  });

  it('is an idempotent action that ends on ok or error, summarized by the flow it runs', () => {
    expect([callFlow.category, callFlow.idempotent, callFlow.sideEffects, callFlow.outputs, callFlow.simulatePort]).toEqual(['action', true, true, ['ok', 'error'], 'ok']);
    expect(callFlow.summary(CallFlowConfigSchema.parse({ flow: 'restart-service', timeoutSeconds: 900 }))).toBe('run flow restart-service · wait up to 15 min');
  });
});
