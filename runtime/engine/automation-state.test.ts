import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';

describe('automation state (kill switch)', () => {
  it('says who paused automation and when, and keeps the last 10 pauses and resumes, newest first', async () => {
    const { engine, clock } = testEngine();
    await engine.start();
    expect(await engine.automation()).toEqual({ paused: false, history: [] });

    const pausedAt = clock.now();
    await engine.setPaused(true, { name: 'alice', via: 'session', address: '198.51.100.7' });
    expect(await engine.automation()).toEqual({
      paused: true,
      pausedBy: { action: 'pause', actor: 'alice', via: 'session', at: pausedAt },
      history: [{ action: 'pause', actor: 'alice', via: 'session', at: pausedAt }],
    });

    clock.advance(60_000);
    await engine.setPaused(false, { name: 'deploy-bot', via: 'token' });
    const resumed = await engine.automation();
    expect(resumed.paused).toBe(false);
    expect(resumed.pausedBy).toBeUndefined();
    expect(resumed.history.map((h) => [h.action, h.actor, h.at])).toEqual([
      ['resume', 'deploy-bot', pausedAt + 60_000],
      ['pause', 'alice', pausedAt],
    ]);

    // Twelve more changes: only the last 10 are listed, and the paused state names the last pause.
    for (let i = 0; i < 12; i++) {
      clock.advance(1000);
      await engine.setPaused(i % 2 === 0, { name: `op${i}`, via: 'session' });
    }
    const state = await engine.automation();
    expect(state.history).toHaveLength(10);
    expect(state.history[0]).toMatchObject({ action: 'resume', actor: 'op11' });
    expect(state.history[9]).toMatchObject({ action: 'pause', actor: 'op2' });
    expect(state.paused).toBe(false);
    clock.advance(1000);
    await engine.setPaused(true, { name: 'bob', via: 'slack' });
    expect((await engine.automation()).pausedBy).toEqual({ action: 'pause', actor: 'bob', via: 'slack', at: clock.now() });
  });
});
