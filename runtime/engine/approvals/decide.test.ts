import { describe, expect, it } from 'vitest';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { addUser, adminDecider } from '../../../test/kit/store-people.js';
import { waitFor } from '../../../test/kit/wait.js';
import type { Actor } from '../../../shared/audit.js';
import { approvalsRepo } from '../../store/approvals-repo.js';
import { auditRepo } from '../../store/audit-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { stepsRepo } from '../../store/steps-repo.js';
import { canonicalPlan, planHash } from './plan-hash.js';

const ask = (config: Record<string, unknown> = {}) => ({ id: 'ask', type: 'approval.request', config: { message: 'Restart?', timeoutSeconds: 600, ...config } });
const restart = { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restart'] } };

/**
 * An engine with a flow (in team `default`) waiting at its approval, and four people:
 * alice, bob and dave approve in `default` (dave also in `dba`), vic only views.
 * `author`: who saved the flow; `manualBy`: a person starts the run by hand (else an alert does).
 */
async function waiting(opts: { rules?: Record<string, unknown>; author?: Actor; manualBy?: Actor } = {}) {
  const { engine, store } = testEngine();
  await engine.start();
  const people = {
    alice: await addUser(store, { username: 'alice', roles: [{ teamId: 'default', role: 'approver' }] }),
    bob: await addUser(store, { username: 'bob', roles: [{ teamId: 'default', role: 'approver' }] }),
    dave: await addUser(store, { username: 'dave', roles: [{ teamId: 'default', role: 'approver' }, { teamId: 'dba', role: 'approver' }] }),
    vic: await addUser(store, { username: 'vic', roles: [{ teamId: 'default', role: 'viewer' }] }),
  };
  const source = opts.manualBy ? { id: 'by_hand', type: 'source.manual', config: {} } : undefined;
  const flow = flowDoc({
    source,
    nodes: [ask(opts.rules), restart],
    edges: [
      { source: source ? 'by_hand' : 'am', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
    ],
  });
  await engine.flows.create(flow, opts.author ?? { name: 'test', via: 'token' });
  const executionId = opts.manualBy
    ? (await engine.runManually('f1', { payload: {} }, opts.manualBy)).executionId
    : (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
  const approval = await waitFor(() => approvalsRepo.list(store.db, { executionId, limit: 5 })[0]);
  const statusOf = () => approvalsRepo.get(store.db, approval.id)!.status;
  const restarted = () => stepsRepo.forExecution(store.db, executionId).some((s) => s.nodeId === 'restart');
  return { engine, store, people, approval, executionId, statusOf, restarted };
}

const userActor = (id: string, name: string): Actor => ({ name, via: 'session', identity: `user:${id}` });

describe('approval decisions by people', () => {
  it('waits for the quorum of distinct approvers, records each decision, and then goes on', async () => {
    const { engine, store, people, approval, executionId, statusOf, restarted } = await waiting({ rules: { quorum: 2 } });
    expect(approval.rules && JSON.parse(approval.rules)).toEqual({ quorum: 2, allowSelfApproval: false, requireComment: false });

    expect(await engine.decide(approval.id, { decision: 'approve', comment: 'looks right' }, await people.alice.decider())).toEqual({
      status: 'pending',
      approvals: { count: 1, needed: 2 },
    });
    await engine.idle();
    expect(statusOf()).toBe('pending');
    expect(restarted()).toBe(false);

    expect((await engine.decide(approval.id, { decision: 'approve' }, await people.bob.decider())).status).toBe('approved');
    await waitFor(() => restarted() || undefined);
    const step = stepsRepo.forExecution(store.db, executionId).find((s) => s.nodeId === 'ask')!;
    expect(JSON.parse(step.output!)).toMatchObject({ decision: 'approved', decidedBy: 'bob', approvedBy: ['alice', 'bob'] });
    expect(approvalsRepo.decisionsFor(store.db, approval.id).map((d) => [d.decider, d.deciderName, d.decision, d.comment])).toEqual([
      ['user:u-alice', 'alice', 'approve', 'looks right'],
      ['user:u-bob', 'bob', 'approve', null],
    ]);
    const audited = auditRepo.list(store.db, { action: 'approval.approve', limit: 10 }).map((r) => [r.actor, JSON.parse(r.details).approvals, JSON.parse(r.after!).status]);
    expect(audited.reverse()).toEqual([
      ['alice', '1 of 2', 'pending'],
      ['bob', '2 of 2', 'approved'],
    ]);
  });

  it('ends at the first rejection, whatever the approvals so far', async () => {
    const { engine, people, approval, statusOf, restarted } = await waiting({ rules: { quorum: 2 } });
    await engine.decide(approval.id, { decision: 'approve' }, await people.alice.decider());
    expect((await engine.decide(approval.id, { decision: 'reject', comment: 'not during peak' }, await people.bob.decider())).status).toBe('rejected');
    expect(statusOf()).toBe('rejected');
    await engine.idle();
    expect(restarted()).toBe(false);
    // Decided: nobody else can change it.
    await expect(engine.decide(approval.id, { decision: 'approve' }, await people.dave.decider())).rejects.toMatchObject({ code: 'conflict' });
  });

  it('lets each person decide once (409), and audits the refused attempt', async () => {
    const { engine, store, people, approval, statusOf } = await waiting({ rules: { quorum: 2 } });
    await engine.decide(approval.id, { decision: 'approve' }, await people.alice.decider());
    await expect(engine.decide(approval.id, { decision: 'approve' }, await people.alice.decider())).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('you already decided'),
    });
    expect(statusOf()).toBe('pending');
    expect(approvalsRepo.decisionsFor(store.db, approval.id)).toHaveLength(1);
    const refused = auditRepo.list(store.db, { action: 'approval.refused', limit: 10 });
    expect(refused.map((r) => [r.actor, JSON.parse(r.details).reason])).toEqual([['alice', expect.stringContaining('already decided')]]);
  });

  it('refuses the person who started the run by hand, unless the node allows self-approval; they may still reject', async () => {
    const { engine, people, approval, statusOf } = await waiting({ manualBy: userActor('u-alice', 'alice') });
    await expect(engine.decide(approval.id, { decision: 'approve' }, await people.alice.decider())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('you started this run by hand'),
    });
    expect(statusOf()).toBe('pending');
    expect((await engine.decide(approval.id, { decision: 'approve' }, await people.bob.decider())).status).toBe('approved');

    const allowed = await waiting({ manualBy: userActor('u-alice', 'alice'), rules: { allowSelfApproval: true } });
    expect((await allowed.engine.decide(allowed.approval.id, { decision: 'approve' }, await allowed.people.alice.decider())).status).toBe('approved');

    const own = await waiting({ manualBy: userActor('u-alice', 'alice') });
    expect((await own.engine.decide(own.approval.id, { decision: 'reject' }, await own.people.alice.decider())).status).toBe('rejected');
  });

  it('refuses the author of the running revision, the bootstrap admin token included', async () => {
    const byBob = await waiting({ author: userActor('u-bob', 'bob') });
    expect(executionsRepo.get(byBob.store.db, byBob.executionId)!.startedBy).toBeNull();
    await expect(byBob.engine.decide(byBob.approval.id, { decision: 'approve' }, await byBob.people.bob.decider())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('you saved the flow revision this run uses'),
    });
    expect((await byBob.engine.decide(byBob.approval.id, { decision: 'approve' }, await byBob.people.alice.decider())).status).toBe('approved');

    const byAdmin = await waiting({ author: { name: 'admin', via: 'token', identity: 'admin' } });
    await expect(byAdmin.engine.decide(byAdmin.approval.id, { decision: 'approve' }, adminDecider())).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('counts the bootstrap admin token as an approver (break-glass, audited so)', async () => {
    const { engine, store, approval } = await waiting();
    expect((await engine.decide(approval.id, { decision: 'approve' }, adminDecider())).status).toBe('approved');
    const [row] = auditRepo.list(store.db, { action: 'approval.approve', limit: 1 });
    expect(JSON.parse(row!.details)).toMatchObject({ breakGlass: true, approvals: '1 of 1' });
  });

  it('lets only the named users and the approvers of the named teams decide', async () => {
    const byUser = await waiting({ rules: { approvers: { users: ['bob'] } } });
    await expect(byUser.engine.decide(byUser.approval.id, { decision: 'approve' }, await byUser.people.alice.decider())).rejects.toMatchObject({
      code: 'forbidden',
      message: 'this approval may be decided only by user bob',
    });
    expect((await byUser.engine.decide(byUser.approval.id, { decision: 'approve' }, await byUser.people.bob.decider())).status).toBe('approved');

    const byTeam = await waiting({ rules: { approvers: { teams: ['dba'] } } });
    await expect(byTeam.engine.decide(byTeam.approval.id, { decision: 'reject' }, await byTeam.people.alice.decider())).rejects.toMatchObject({
      code: 'forbidden',
      message: 'this approval may be decided only by the approvers of team dba',
    });
    expect((await byTeam.engine.decide(byTeam.approval.id, { decision: 'approve' }, await byTeam.people.dave.decider())).status).toBe('approved');
  });

  it("refuses people without the approver role in the flow's team, and service accounts", async () => {
    const { engine, store, people, approval } = await waiting();
    await expect(engine.decide(approval.id, { decision: 'approve' }, await people.vic.decider())).rejects.toMatchObject({
      code: 'forbidden',
      message: 'you do not hold the approver role in team "default", which owns this flow',
    });
    const robot = await addUser(store, { username: 'robot', kind: 'service', roles: [{ teamId: 'default', role: 'approver' }] });
    await expect(engine.decide(approval.id, { decision: 'approve' }, await robot.decider())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('service account'),
    });
    // An admin account is not an approver by being an admin: break-glass is the admin token's.
    const root = await addUser(store, { username: 'root', admin: true, roles: [] });
    await expect(engine.decide(approval.id, { decision: 'approve' }, await root.decider())).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('binds the decision to the plan: another hash is refused (409), the approval’s own is accepted', async () => {
    const { engine, approval, people, statusOf } = await waiting();
    expect(approval.planHash).toMatch(/^[0-9a-f]{64}$/);
    await expect(engine.decide(approval.id, { decision: 'approve', planHash: 'f'.repeat(64) }, await people.alice.decider())).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('the plan changed'),
    });
    expect(statusOf()).toBe('pending');
    expect((await engine.decide(approval.id, { decision: 'approve', planHash: approval.planHash! }, await people.alice.decider())).status).toBe('approved');
  });

  it('requires a comment when the node says so (422 naming comment)', async () => {
    const { engine, approval, people, statusOf } = await waiting({ rules: { requireComment: true } });
    await expect(engine.decide(approval.id, { decision: 'approve', comment: '  ' }, await people.alice.decider())).rejects.toMatchObject({
      code: 'validation_failed',
      issues: [{ path: ['comment'], message: expect.stringContaining('requires a comment') }],
    });
    expect(statusOf()).toBe('pending');
    expect((await engine.decide(approval.id, { decision: 'approve', comment: 'checked' }, await people.alice.decider())).status).toBe('approved');
  });
});

describe('plan hash', () => {
  const flow = flowDoc({
    nodes: [ask(), restart, { id: 'note', type: 'action.shell', config: { command: ['echo', 'done'] } }, { id: 'other', type: 'action.shell', config: { command: ['echo', 'no'] } }],
    edges: [
      { source: 'am', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
      { source: 'restart', sourcePort: 'ok', target: 'note' },
      { source: 'ask', sourcePort: 'rejected', target: 'other' },
    ],
  }) as never;

  it('covers every step after the approved port, and changes with what they run or the revision', () => {
    const plan = JSON.parse(canonicalPlan(flow, 3, 'ask'));
    expect(plan.nodes.map((n: { id: string }) => n.id)).toEqual(['note', 'restart']); // not the rejected branch
    expect(plan).toMatchObject({ flowId: 'f1', revision: 3, approval: 'ask' });
    const base = planHash(flow, 3, 'ask');
    expect(planHash(flow, 3, 'ask')).toBe(base);
    expect(planHash(flow, 4, 'ask')).not.toBe(base);
    const edited = structuredClone(flow) as { nodes: { id: string; config: { command: string[] } }[] };
    edited.nodes.find((n) => n.id === 'note')!.config.command = ['echo', 'rm -rf'];
    expect(planHash(edited as never, 3, 'ask')).not.toBe(base);
    const rejectedEdited = structuredClone(flow) as typeof edited;
    rejectedEdited.nodes.find((n) => n.id === 'other')!.config.command = ['echo', 'else'];
    expect(planHash(rejectedEdited as never, 3, 'ask')).toBe(base);
  });
});
