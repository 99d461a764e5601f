import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { ForeachControlConfigSchema, foreachControl } from './definition.js';
import { executeForeachControl } from './execute.js';

const ctx = testContext({ vars: { alert: testAlert({ labels: { hosts: 'web1,web2,web3' } }) } });
const config = (c: object) => ForeachControlConfigSchema.parse({ items: 'alert.labels.hosts.split(",")', ...c });

describe('control.foreach', () => {
  it('hands the list to the engine', async () => {
    expect(await executeForeachControl(config({}), ctx)).toEqual({ type: 'foreach', items: ['web1', 'web2', 'web3'] });
  });

  it('fails before anything runs on more than maxItems, a value that is not a list, or an expression that fails', async () => {
    expect(await executeForeachControl(config({ maxItems: 2 }), ctx)).toEqual({ type: 'fail', error: 'items gave 3 items, more than maxItems (2); no item ran' });
    expect(await executeForeachControl(config({ items: 'alert.labels.hosts' }), ctx)).toEqual({ type: 'fail', error: 'items gave string, not a list' });
    expect(await executeForeachControl(config({ items: 'alert.labels.nothing.split(",")' }), ctx)).toMatchObject({ type: 'fail', error: expect.stringMatching(/^items could not be computed: /) });
  });

  it('defaults to one item at a time and at most 100 items, and keeps both in range', () => {
    expect(config({})).toMatchObject({ concurrency: 1, maxItems: 100 });
    const issues = (c: object) => ForeachControlConfigSchema.safeParse({ items: '[1]', ...c }).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ concurrency: 17 })).toEqual(['concurrency']);
    expect(issues({ concurrency: 0 })).toEqual(['concurrency']);
    expect(issues({ maxItems: 1001 })).toEqual(['maxItems']);
    expect(foreachControl.loopPort).toBe('each');
    expect(foreachControl.outputs).toEqual(['each', 'done', 'error']);
  });
});
