import { describe, expect, it } from 'vitest';
import { teamsFixture, approvalFlow } from '../../test/kit/teams.js';

// A flow's history as an editor reads it: who saved each revision, each revision's document,
// and rolling back (which saves the old document as a new revision, checked like any change).

const USERS = {
  ana: { roles: [{ team: 'alpha', role: 'editor' as const }] },
  vic: { roles: [{ team: 'alpha', role: 'viewer' as const }] },
  bo: { roles: [{ team: 'beta', role: 'editor' as const }] },
};

const withMessage = (message: string, name = 'alpha-flow') => {
  const flow = approvalFlow('alpha-flow');
  return { ...flow, name, nodes: [flow.nodes[0]!, { ...flow.nodes[1]!, config: { ...flow.nodes[1]!.config, message } }] };
};

async function historyOfThree() {
  const fixture = await teamsFixture(USERS);
  const { api } = fixture;
  // Revision 1 was created by the fixture (an actor without an identity); 2 by ana; 3 by the admin token.
  expect((await api('ana', 'PUT', '/api/flows/alpha-flow', { revision: 1, flow: withMessage('restart web?') })).status).toBe(200);
  expect((await api('admin', 'PUT', '/api/flows/alpha-flow', { revision: 2, flow: withMessage('restart web now?', 'Restart web') })).status).toBe(200);
  return fixture;
}

describe('GET /api/flows/:id/revisions', () => {
  it('lists the revisions newest first with who saved each, by name', async () => {
    const { api } = await historyOfThree();
    const res = await api('vic', 'GET', '/api/flows/alpha-flow/revisions');
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: any) => [r.revision, r.author, r.name, r.enabled])).toEqual([
      [3, { identity: 'admin', name: 'admin' }, 'Restart web', true],
      [2, { identity: 'user:us_ana', name: 'ana', username: 'us_ana' }, 'alpha-flow', true],
      [1, { identity: null, name: 'unknown' }, 'alpha-flow', true],
    ]);
    expect(res.body.items[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('is refused to someone outside the flow’s team', async () => {
    const { api } = await historyOfThree();
    expect((await api('bo', 'GET', '/api/flows/alpha-flow/revisions')).status).toBe(403);
    expect((await api('bo', 'GET', '/api/flows/alpha-flow/revisions/1')).status).toBe(403);
  });
});

describe('GET /api/flows/:id/revisions/:revision', () => {
  it('answers that revision’s document, 404 for one that does not exist, 422 for one that is not a number', async () => {
    const { api } = await historyOfThree();
    const two = await api('vic', 'GET', '/api/flows/alpha-flow/revisions/2');
    expect(two.status).toBe(200);
    expect(two.body.revision).toBe(2);
    expect(two.body.flow.nodes[1].config.message).toBe('restart web?');
    expect((await api('vic', 'GET', '/api/flows/alpha-flow/revisions/9')).status).toBe(404);
    const bad = await api('vic', 'GET', '/api/flows/alpha-flow/revisions/latest');
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('revision');
  });
});

describe('POST /api/flows/:id/rollback', () => {
  it('saves the old document as a new revision in the same team, audited with from and to', async () => {
    const { api } = await historyOfThree();
    const res = await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 1, expectedRevision: 3 });
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(4);
    expect(res.body.team).toBe('alpha');
    expect(res.body.flow).toEqual((await api('ana', 'GET', '/api/flows/alpha-flow/revisions/1')).body.flow);
    expect(res.body.flow.nodes[1].config.message).toBe('go on?');
    const history = await api('ana', 'GET', '/api/flows/alpha-flow/revisions');
    expect(history.body.items[0]).toMatchObject({ revision: 4, author: { name: 'ana' }, name: 'alpha-flow' });
    const audit = await api('admin', 'GET', '/api/audit?action=flow.rollback');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'flow.rollback', target: 'alpha-flow', details: { from: 3, to: 1 }, before: { revision: 3 }, after: { revision: 4 } });
  });

  it('keeps the flow enabled or disabled as it is now', async () => {
    const { api } = await historyOfThree();
    expect((await api('admin', 'POST', '/api/flows/alpha-flow/disable')).status).toBe(200);
    const res = await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 1, expectedRevision: 4 });
    expect(res.status).toBe(200);
    expect(res.body.flow.enabled).toBe(false);
  });

  it('answers 409 with the current revision when expectedRevision is stale, and changes nothing', async () => {
    const { api } = await historyOfThree();
    const res = await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 1, expectedRevision: 2 });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual({ currentRevision: 3 });
    expect((await api('ana', 'GET', '/api/flows/alpha-flow')).body.revision).toBe(3);
  });

  it('refuses a viewer (403), a missing revision (404), the current revision and a body without expectedRevision (422)', async () => {
    const { api } = await historyOfThree();
    expect((await api('vic', 'POST', '/api/flows/alpha-flow/rollback', { revision: 1, expectedRevision: 3 })).status).toBe(403);
    expect((await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 7, expectedRevision: 3 })).status).toBe(404);
    const current = await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 3, expectedRevision: 3 });
    expect(current.status).toBe(422);
    expect(JSON.stringify(current.body)).toContain('revision 3 is the current revision');
    const missing = await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 1 });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain('expectedRevision');
    expect((await api('ana', 'GET', '/api/flows/alpha-flow')).body.revision).toBe(3);
  });

  it('checks the old document like any change: a revision calling a flow deleted since is refused, naming the call', async () => {
    const { api } = await teamsFixture(USERS);
    const procedure = { ...approvalFlow('alpha-proc'), enabled: false };
    expect((await api('ana', 'POST', '/api/flows?team=alpha', procedure)).status).toBe(201);
    const flow = approvalFlow('alpha-flow');
    const calling = { ...flow, nodes: [...flow.nodes, { id: 'call', type: 'flow.call', config: { flow: 'alpha-proc' } }], edges: [...flow.edges, { source: 'run', target: 'call' }] };
    expect((await api('ana', 'PUT', '/api/flows/alpha-flow', { revision: 1, flow: calling })).status).toBe(200);
    expect((await api('ana', 'PUT', '/api/flows/alpha-flow', { revision: 2, flow })).status).toBe(200);
    expect((await api('admin', 'DELETE', '/api/flows/alpha-proc')).status).toBe(204);
    const res = await api('ana', 'POST', '/api/flows/alpha-flow/rollback', { revision: 2, expectedRevision: 3 });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues[0].path).toEqual(['nodes', 2, 'config', 'flow']);
    expect((await api('ana', 'GET', '/api/flows/alpha-flow')).body.revision).toBe(3);
  });
});
