import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { SetTransformConfigSchema, setTransform } from './definition.js';
import { executeSetTransform } from './execute.js';

describe('transform.set', () => {
  it('computes each variable from CEL and records them by name', async () => {
    const ctx = testContext({ vars: { alert: testAlert({ labels: { instance: 'db1:9100' } }), vars: { env: 'prod' } } });
    const config = { vars: { host: 'alert.labels.instance.split(":")[0]', where: 'vars.env + "/" + alert.labels.instance' } };
    expect(await executeSetTransform(config, ctx)).toEqual({ type: 'next', port: 'out', output: { host: 'db1', where: 'prod/db1:9100' } });
  });

  it('fails naming the variable whose expression failed', async () => {
    const outcome = await executeSetTransform({ vars: { ok: '1', rack: 'alert.labels.rack' } }, testContext());
    expect(outcome).toMatchObject({ type: 'fail', error: expect.stringMatching(/^vars\.rack could not be computed: "alert\.labels\.rack": /) });
  });

  it('fails when the values are larger than the limit', async () => {
    const ctx = testContext({ vars: { event: { blob: 'x'.repeat(70_000) } } });
    expect(await executeSetTransform({ vars: { big: 'event.blob' } }, ctx)).toMatchObject({ type: 'fail', error: expect.stringContaining('more than the 64 KB limit') });
  });

  it('requires identifier names, 1 to 50 of them, each a non-empty expression', () => {
    const issues = (vars: object) => SetTransformConfigSchema.safeParse({ vars }).error?.issues.map((i) => i.message) ?? [];
    expect(issues({})).toEqual(['set at least one variable']);
    expect(issues({ 'my-host': 'x' })).toEqual(['"my-host" cannot be a variable name: start with a letter or "_", then letters, digits and "_" (max 64)']);
    expect(issues({ constructor: '1' })).toEqual(['a variable cannot be named constructor']);
    expect(issues(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`v${i}`, '1'])))).toEqual(['at most 50 variables']);
    expect(issues({ host: ' ' })).toEqual(['expression is empty']);
    const config = SetTransformConfigSchema.parse({ vars: { host: 'alert.name' } });
    expect(setTransform.expressions(config)).toEqual([{ path: ['vars', 'host'], kind: 'cel', source: 'alert.name' }]);
    expect(setTransform.setsVars!(config)).toEqual(['host']);
    expect([setTransform.sideEffects, setTransform.idempotent]).toEqual([false, true]);
  });
});
