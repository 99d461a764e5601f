import { sqliteTx } from '../store/tx.js';
import { describe, expect, it } from 'vitest';
import { teamsFixture } from '../../test/kit/teams.js';
import { waitFor } from '../../test/kit/wait.js';
import { executionsRepo } from '../store/executions-repo.js';
import { endExecution } from '../engine/dispatch/transitions.js';

const USERS = {
  olga: { roles: [{ team: 'alpha', role: 'operator' as const }] },
  vic: { roles: [{ team: 'alpha', role: 'viewer' as const }] },
  ben: { roles: [{ team: 'beta', role: 'operator' as const }] },
};

/** A flow of team alpha run by hand, at most one run per hour, with a breaker. */
const limited = {
  format: 'salve.flow/v1',
  id: 'limited',
  name: 'Limited',
  enabled: true,
  nodes: [{ id: 'run', type: 'source.manual', config: {} }],
  edges: [],
  limits: { maxRunsPerWindow: { runs: 1, window: 3600 }, breaker: { failures: 1, window: 600 } },
};

async function setup() {
  const f = await teamsFixture(USERS);
  expect((await f.api('admin', 'POST', '/api/flows?team=alpha', limited)).status).toBe(201);
  const first = await f.api('olga', 'POST', '/api/flows/limited/run', { payload: {} });
  const second = await f.api('olga', 'POST', '/api/flows/limited/run', { payload: {} });
  expect([first.body.held, second.body.held]).toEqual([false, true]);
  return { ...f, first: first.body.executionId as string, held: second.body.executionId as string };
}

describe('guard rails over the API', () => {
  it('lists held runs with their limit and reason; an operator releases one (200, audited), again is 409; a viewer or an operator of another team may not', async () => {
    const { api, held, store } = await setup();
    const list = (await api('olga', 'GET', '/api/executions?status=held')).body.items;
    expect(list.map((e: any) => e.id)).toEqual([held]);
    expect(list[0]).toMatchObject({
      status: 'held',
      held: { limit: 'maxRunsPerWindow', reason: 'maxRunsPerWindow: 1 run of this flow started in the last 1 h; at most 1 per 1 h' },
    });
    expect(typeof list[0].held.at).toBe('number');

    expect((await api('vic', 'POST', `/api/executions/${held}/release`, {})).status).toBe(403);
    expect((await api('ben', 'POST', `/api/executions/${held}/release`, {})).status).toBe(403);
    expect((await api('olga', 'POST', `/api/executions/${held}/release`, { comment: 'x'.repeat(2001) })).status).toBe(422);
    expect(executionsRepo.get(store.db, held)?.status).toBe('held');

    const released = await api('olga', 'POST', `/api/executions/${held}/release`, { comment: 'host checked' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ id: held, status: 'queued', released: { by: 'user:us_olga', comment: 'host checked' }, held: { limit: 'maxRunsPerWindow' } });
    // The run's own page names the person who released it.
    expect((await api('olga', 'GET', `/api/executions/${held}`)).body.released).toMatchObject({ by: 'user:us_olga', name: 'olga' });
    await waitFor(() => executionsRepo.get(store.db, held)?.status === 'no_action');
    // The admin token may leave the body out.
    const again = await api('admin', 'POST', `/api/executions/${held}/release`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('is not held');

    const audit = (await api('admin', 'GET', '/api/audit?action=execution.release')).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'execution.release', target: held, actor: 'us_olga', details: { flowId: 'limited', limit: 'maxRunsPerWindow', comment: 'host checked' } });
  });

  it('shows a tripped breaker on the flow and in the flow list; an operator resets it (audited), a viewer may only look', async () => {
    const { api, first, store } = await setup();
    expect((await api('vic', 'GET', '/api/flows/limited/breaker')).body).toEqual({ state: 'closed', policy: { failures: 1, window: 600 } });
    await waitFor(() => executionsRepo.get(store.db, first)?.status === 'no_action');
    // A third run (released from hold by a person) times out: one failure trips this breaker.
    const third = await api('olga', 'POST', '/api/flows/limited/run', { payload: {} });
    await store.write((db) => endExecution(sqliteTx(db), executionsRepo.get(db, third.body.executionId)!, 'timed_out', 'execution deadline exceeded', Date.now()));
    const view = (await api('vic', 'GET', '/api/flows/limited/breaker')).body;
    expect(view).toMatchObject({ state: 'tripped', failures: [{ executionId: third.body.executionId, status: 'timed_out' }] });
    const listed = (await api('vic', 'GET', '/api/flows')).body.items.find((f: any) => f.id === 'limited');
    expect(listed.breaker).toEqual({ trippedAt: view.trippedAt });

    expect((await api('vic', 'POST', '/api/flows/limited/breaker/reset', {})).status).toBe(403);
    expect((await api('ben', 'POST', '/api/flows/limited/breaker/reset', {})).status).toBe(403);
    const reset = await api('olga', 'POST', '/api/flows/limited/breaker/reset', { comment: 'fixed the target' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ state: 'closed', resetBy: 'user:us_olga' });
    expect((await api('olga', 'POST', '/api/flows/limited/breaker/reset', {})).status).toBe(409);
    const audit = (await api('admin', 'GET', '/api/audit?action=flow.breaker.reset')).body.items;
    expect(audit[0]).toMatchObject({ action: 'flow.breaker.reset', target: 'limited', details: { comment: 'fixed the target', failures: [third.body.executionId] } });
  });

  it('refuses limits naming a missing onHeld flow or one without a manual source, at limits.onHeld.flow', async () => {
    const { api } = await setup();
    const bad = await api('admin', 'POST', '/api/flows?team=alpha', { ...limited, id: 'other', limits: { onHeld: { flow: 'nope' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues).toEqual([{ path: ['limits', 'onHeld', 'flow'], message: 'flow "nope" does not exist: save it first (the onHeld flow must exist)' }]);
    const otherTeam = await api('admin', 'POST', '/api/flows?team=beta', { ...limited, id: 'other', limits: { onHeld: { flow: 'limited' } } });
    expect(otherTeam.status).toBe(422);
    expect(otherTeam.body.error.details.issues[0].message).toContain('belongs to team "alpha"');
  });
});
