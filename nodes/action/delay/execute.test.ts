import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/kit/nodes.js';
import { DelayActionConfigSchema, delayAction } from './definition.js';
import { executeDelayAction } from './execute.js';

describe('action.delay', () => {
  it('parks the execution until now + seconds, then continues on "done"', async () => {
    const ctx = testContext({ now: () => new Date('2026-11-24T01:00:00.000Z') });
    expect(await executeDelayAction({ seconds: 300 }, ctx)).toEqual({
      type: 'wait-until',
      until: new Date('2026-11-24T01:05:00.000Z'),
      port: 'done',
      output: { waitedSeconds: 300 },
    });
  });

  it('accepts 1 second to 7 days, whole seconds only', () => {
    expect(DelayActionConfigSchema.safeParse({ seconds: 1 }).success).toBe(true);
    expect(DelayActionConfigSchema.safeParse({ seconds: 604_800 }).success).toBe(true);
    for (const bad of [{}, { seconds: 0 }, { seconds: 604_801 }, { seconds: 1.5 }, { seconds: '60' }]) {
      expect(DelayActionConfigSchema.safeParse(bad).error!.issues[0]!.path).toEqual(['seconds']);
    }
  });

  it('is passed through by simulation and summarized as a duration', () => {
    expect([delayAction.sideEffects, delayAction.idempotent, delayAction.outputs]).toEqual([false, true, ['done']]);
    expect(delayAction.summary({ seconds: 300 })).toBe('wait 5 min');
    expect(delayAction.summary({ seconds: 5400 })).toBe('wait 1 h 30 min');
    expect(delayAction.summary({ seconds: 45 })).toBe('wait 45 s');
    expect(delayAction.summary({ seconds: 604_800 })).toBe('wait 7 d');
  });
});
