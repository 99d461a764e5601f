import { describe, expect, it } from 'vitest';
import { teamsFixture, approvalFlow } from '../../test/kit/teams.js';
import { waitFor } from '../../test/kit/wait.js';
import { amAlert, amPayload } from '../../test/kit/alertmanager.js';
import { amSource, flowDoc } from '../../test/kit/flow.js';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';

// What a team member sees and may change, beyond the walker's statuses: lists hold only the
// caller's teams' items, new things land in the right team, and a flow cannot reach another
// team's secrets or flows.

const USERS = {
  ana: { roles: [{ team: 'alpha', role: 'editor' as const }, { team: 'alpha', role: 'operator' as const }] },
  both: { roles: [{ team: 'alpha', role: 'editor' as const }, { team: 'beta', role: 'editor' as const }] },
  bo: { roles: [{ team: 'beta', role: 'viewer' as const }] },
};

describe('lists', () => {
  it('hold only the caller’s teams’ flows, runs, approvals, events and secrets; an admin sees all', async () => {
    const { api, resources } = await teamsFixture(USERS);
    const ids = async (who: string) => ({
      flows: (await api(who, 'GET', '/api/flows')).body.items.map((f: any) => `${f.id}@${f.team}`),
      executions: (await api(who, 'GET', '/api/executions')).body.items.map((e: any) => e.id),
      approvals: (await api(who, 'GET', '/api/approvals')).body.items.map((a: any) => a.id),
      events: (await api(who, 'GET', '/api/events')).body.items.map((e: any) => e.id),
    });
    expect(await ids('ana')).toEqual({
      flows: ['alpha-flow@alpha'],
      executions: [resources.alpha.execution],
      approvals: [resources.alpha.approval],
      events: [resources.alpha.event],
    });
    expect(await ids('bo')).toEqual({
      flows: ['beta-flow@beta'],
      executions: [resources.beta.execution],
      approvals: [resources.beta.approval],
      events: [resources.beta.event],
    });
    const all = await ids('admin');
    expect(all.flows).toEqual(['alpha-flow@alpha', 'beta-flow@beta']);
    expect(all.executions.sort()).toEqual([resources.alpha.execution, resources.beta.execution].sort());
    expect(all.events.sort()).toEqual([resources.alpha.event, resources.beta.event].sort());
    const secretNames = async (who: string) => (await api(who, 'GET', '/api/secrets')).body.secrets.map((x: any) => `${x.name}@${x.team}`);
    expect(await secretNames('ana')).toEqual(['ALPHA_KEY@alpha']);
    expect(await secretNames('bo')).toEqual(['BETA_KEY@beta']);
    expect(await secretNames('admin')).toEqual(['ALPHA_KEY@alpha', 'BETA_KEY@beta']);
    // A filter cannot widen the view: asking for the other team's flow's runs gives none.
    expect((await api('ana', 'GET', `/api/executions?flowId=${resources.beta.flow}`)).body.items).toEqual([]);
  });
});

describe('a delivery that reaches flows of two teams', () => {
  it('shows each team only its own flows’ part of it; an admin sees it whole', async () => {
    const { api, app } = await teamsFixture(USERS);
    for (const team of ['alpha', 'beta']) {
      expect((await api('admin', 'POST', `/api/flows?team=${team}`, flowDoc({ id: `${team}-am`, source: amSource({ path: 'shared' }) }))).status).toBe(201);
    }
    const delivered = await app.request('/hooks/shared', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    expect(delivered.status).toBe(202);
    const [event] = (await api('admin', 'GET', '/api/events?path=shared')).body.items;
    const parts = async (who: string) => {
      const detail = (await api(who, 'GET', `/api/events/${event.id}`)).body;
      return {
        routes: detail.routes.map((r: any) => r.flowId),
        matches: detail.matches.map((m: any) => m.flowId),
        executions: detail.executions.map((e: any) => e.flowId),
        listed: (await api(who, 'GET', '/api/events?path=shared')).body.items[0].flows.map((f: any) => f.flowId ?? f.id),
      };
    };
    expect(await parts('ana')).toEqual({ routes: ['alpha-am'], matches: ['alpha-am'], executions: ['alpha-am'], listed: ['alpha-am'] });
    expect(await parts('bo')).toEqual({ routes: ['beta-am'], matches: ['beta-am'], executions: ['beta-am'], listed: ['beta-am'] });
    const all = await parts('admin');
    expect(all.executions.sort()).toEqual(['alpha-am', 'beta-am']);
  });
});

describe('creating', () => {
  it('puts a new flow in the caller’s only team with write access, or the one named; refuses a team the caller cannot write in', async () => {
    const { api } = await teamsFixture(USERS);
    const created = await api('ana', 'POST', '/api/flows', approvalFlow('ana-new'));
    expect(created.status).toBe(201);
    expect(created.body.team).toBe('alpha');

    const ambiguous = await api('both', 'POST', '/api/flows', approvalFlow('both-new'));
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body.error.message).toBe('team is required (?team=<id>): you hold flows:write in "alpha", "beta"');
    expect((await api('both', 'POST', '/api/flows?team=beta', approvalFlow('both-new'))).body.team).toBe('beta');

    const elsewhere = await api('ana', 'POST', '/api/flows?team=beta', approvalFlow('ana-beta'));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.message).toContain('in team "beta"');
    const unknown = await api('ana', 'POST', '/api/flows?team=gamma', approvalFlow('ana-gamma'));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.issues).toEqual([{ path: ['team'], message: 'no team "gamma"' }]);
    // Nothing was stored by the refusals.
    expect((await api('admin', 'GET', '/api/flows')).body.items.map((f: any) => f.id)).toEqual(['alpha-flow', 'ana-new', 'beta-flow', 'both-new']);
  });

  it('an import that would replace another team’s flow is refused whole', async () => {
    const { api } = await teamsFixture(USERS);
    const res = await api('ana', 'POST', '/api/flows/import', { flows: [approvalFlow('fresh'), approvalFlow('beta-flow')] });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('import refused: flow "beta-flow" belongs to team "beta", where you may not change flows; nothing was imported');
    expect((await api('admin', 'GET', '/api/flows/fresh')).status).toBe(404);
    expect((await api('admin', 'GET', '/api/flows/beta-flow')).body.revision).toBe(1);
  });

  it('a new secret goes to the chosen team; an editor cannot overwrite another team’s secret', async () => {
    const { api, resources } = await teamsFixture(USERS);
    expect((await api('ana', 'PUT', `/api/secrets/${resources.beta.secret}`, { value: 'x-value-1234' })).status).toBe(403);
    expect((await api('ana', 'PUT', '/api/secrets/NEW_ONE?team=beta', { value: 'x-value-1234' })).status).toBe(403);
    const made = await api('ana', 'PUT', '/api/secrets/NEW_ONE', { value: 'x-value-1234' });
    expect(made.status).toBe(201);
    expect(made.body.team).toBe('alpha');
    expect((await api('both', 'PUT', '/api/secrets/OTHER?team=beta', { value: 'x-value-1234' })).body.team).toBe('beta');
    // Updating keeps the team, whatever `?team=` says.
    expect((await api('both', 'PUT', '/api/secrets/NEW_ONE?team=beta', { description: 'moved?' })).body.team).toBe('alpha');
  });
});

describe('reaching across teams', () => {
  it('a flow cannot call a flow of another team (refused at save)', async () => {
    const { api } = await teamsFixture(USERS);
    const caller = {
      format: 'salve.flow/v1',
      id: 'caller',
      name: 'caller',
      enabled: true,
      nodes: [
        { id: 'run', type: 'source.manual', config: {} },
        { id: 'call', type: 'flow.call', config: { flow: 'beta-flow' } },
      ],
      edges: [{ source: 'run', target: 'call' }],
    };
    const res = await api('both', 'POST', '/api/flows?team=alpha', caller);
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues).toEqual([
      { path: ['nodes', 1, 'config', 'flow'], message: 'flow "beta-flow" belongs to team "beta": a flow can only call flows of its own team' },
    ]);
    expect((await api('both', 'POST', '/api/flows?team=beta', caller)).status).toBe(201);
  });

  it('a step cannot use another team’s stored secret, even when the flow was saved before the secret existed', async () => {
    const { api, engine, store } = await teamsFixture(USERS);
    const flow = {
      format: 'salve.flow/v1',
      id: 'uses-secret',
      name: 'uses-secret',
      enabled: true,
      nodes: [
        { id: 'run', type: 'source.manual', config: {} },
        { id: 'call', type: 'action.http', config: { url: 'https://hooks.example.com/x', headers: { Authorization: { secret: 'BETA_KEY' } } } },
      ],
      edges: [{ source: 'run', target: 'call' }],
    };
    expect((await api('ana', 'POST', '/api/flows', flow)).status).toBe(201);
    const run = await api('ana', 'POST', '/api/flows/uses-secret/run', { payload: {} });
    expect(run.status).toBe(202);
    const exec = await waitFor(() => {
      const row = executionsRepo.get(store.db, run.body.executionId);
      return row && ['failed', 'succeeded'].includes(row.status) ? row : undefined;
    });
    expect(exec.status).toBe('failed');
    const step = stepsRepo.forExecution(store.db, exec.id).find((s) => s.nodeId === 'call')!;
    expect(step.error).toBe('secret BETA_KEY belongs to team "beta"; a flow of team "alpha" cannot use it');
    await engine.shutdown(0);
  });

  it('a webhook source cannot check deliveries with another team’s stored secret: refused like a wrong key, the reason recorded', async () => {
    const { api, app, engine, store } = await teamsFixture(USERS);
    const hook = (id: string) => ({
      format: 'salve.flow/v1',
      id,
      name: id,
      enabled: true,
      nodes: [
        { id: 'hook', type: 'source.webhook', config: { path: id, auth: { type: 'header', name: 'X-Api-Key', value: { secret: 'BETA_KEY' } }, mapping: { name: '"probe"' } } },
        { id: 'ask', type: 'approval.request', config: { message: 'Go ahead?' } },
      ],
      edges: [{ source: 'hook', target: 'ask' }],
    });
    const deliver = (path: string) =>
      app.request(`/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'beta-secret-value' }, body: '{}' });
    expect((await api('both', 'POST', '/api/flows?team=alpha', hook('alpha-hook'))).status).toBe(201);
    expect((await api('both', 'POST', '/api/flows?team=beta', hook('beta-hook'))).status).toBe(201);

    // The right key, but the secret is beta's: alpha's flow does not accept it.
    expect((await deliver('alpha-hook')).status).toBe(401);
    // Refusals are recorded in their own write after the answer.
    const refused = await waitFor(async () => (await api('admin', 'GET', '/api/events?path=alpha-hook')).body.items[0]);
    expect(refused.outcome).toBe('rejected');
    const detail = (await api('admin', 'GET', `/api/events/${refused.id}`)).body;
    expect(detail.routes[0].reason).toBe('secret BETA_KEY belongs to team "beta"; a flow of team "alpha" cannot use it');
    expect(executionsRepo.list(store.db, { flowId: 'alpha-hook', limit: 10 })).toEqual([]);

    // The same source in beta's own flow accepts it.
    expect((await deliver('beta-hook')).status).toBe(202);
    await engine.shutdown(0);
  });
});
