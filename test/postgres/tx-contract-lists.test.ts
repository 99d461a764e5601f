import { describe, expect, it } from 'vitest';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import type { ApprovalListFilter, ApprovalRow } from '../../runtime/store/approvals-repo.js';
import type { EventFilter, EventRow } from '../../runtime/store/events-repo.js';
import type { ExecutionListFilter } from '../../runtime/store/executions-repo.js';
import { approvalRow, emptyEventRow, executionSeed, secretRow } from '../kit/rows.js';
import { storeEngines, type SeedRows } from '../kit/store-engines.js';

/**
 * The store contract of what the HTTP API lists and authorizes by: the run, event and approval
 * lists (filters, order, limit, the `before` cursor, a team's view) and who owns what a request
 * names (`teams`), the same on SQLite and PostgreSQL.
 */

const engines = storeEngines();

type ExecutionSeed = NonNullable<SeedRows['executions']>[number];
type FlowSeed = NonNullable<SeedRows['flows']>[number];

const T0 = 1_800_000_000_000;

const execution = (id: string, over: Partial<ExecutionSeed> = {}): ExecutionSeed => executionSeed(T0, id, over);

const event = (id: string, over: Partial<EventRow> = {}): EventRow => emptyEventRow(T0, id, over);

const approval = (id: string, executionId: string, over: Partial<ApprovalRow> = {}): ApprovalRow => approvalRow(T0, id, executionId, over);

/** A flows row with id `id` (not always a slug: rows written outside Salve may hold others) at revision 1, in `teamId`. */
const flowRow = (id: string, teamId: string): FlowSeed => {
  const flow = FlowSchema.parse({ format: FLOW_FORMAT, id: 'x', name: `Flow ${id}`, enabled: true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });
  return { id, name: flow.name, enabled: true, revision: 1, document: JSON.stringify(flow), createdAt: T0, updatedAt: T0, teamId };
};

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

describe.each(engines)('store contract (lists and owners) on $name', ({ available: runIf, open }) => {
  it.runIf(runIf)('executions.list: newest id first (ids compared as bytes), filtered by flow, flows and status, paged by limit and before', async () => {
    const e = await open();
    // Ids whose byte order differs from a linguistic one ('-' before letters, capitals first).
    await e.seed({
      executions: [
        execution('ex-a', { flowId: 'f' }),
        execution('ex-b', { flowId: 'g', status: 'running' }),
        execution('exA', { flowId: 'f', status: 'succeeded', finishedAt: T0 + 5 }),
        execution('ex_c', { flowId: 'h', status: 'running' }),
        execution('exa', { flowId: 'g' }),
      ],
    });
    const list = (filter: ExecutionListFilter) => e.run((tx) => tx.executions.list(filter));
    const all = await list({ limit: 10 });
    expect(ids(all)).toEqual(['exa', 'ex_c', 'exA', 'ex-b', 'ex-a']);
    // Whole rows, as stored.
    expect(all[2]).toMatchObject({ id: 'exA', flowId: 'f', status: 'succeeded', finishedAt: T0 + 5, createdAt: T0, releasedBy: null });
    expect(ids(await list({ limit: 2 }))).toEqual(['exa', 'ex_c']);
    expect(ids(await list({ limit: 2, before: 'ex_c' }))).toEqual(['exA', 'ex-b']);
    expect(ids(await list({ limit: 10, before: 'ex-a' }))).toEqual([]);
    expect(ids(await list({ limit: 10, flowId: 'g' }))).toEqual(['exa', 'ex-b']);
    expect(ids(await list({ limit: 10, status: 'running' }))).toEqual(['ex_c', 'ex-b']);
    expect(ids(await list({ limit: 10, flowIds: ['f', 'h'] }))).toEqual(['ex_c', 'exA', 'ex-a']);
    expect(ids(await list({ limit: 10, flowIds: ['f', 'h'], status: 'running', before: 'exa' }))).toEqual(['ex_c']);
    expect(ids(await list({ limit: 10, flowIds: ['f'], flowId: 'g' }))).toEqual([]);
    // A team that owns no flow sees no run.
    expect(ids(await list({ limit: 10, flowIds: [] }))).toEqual([]);
    expect(ids(await list({ limit: 10, flowId: 'nope' }))).toEqual([]);
  });

  it.runIf(runIf)('executions.forEvent: the runs of one delivery by id; none for another or an unknown one', async () => {
    const e = await open();
    await e.seed({
      executions: [
        execution('ex-b', { eventId: 'ev1' }),
        execution('exA', { eventId: 'ev1', flowId: 'g' }),
        execution('ex-a', { eventId: 'ev1', flowId: 'h' }),
        execution('ex-c', { eventId: 'ev2' }),
      ],
    });
    const runs = await e.run((tx) => tx.executions.forEvent('ev1'));
    expect(ids(runs)).toEqual(['ex-a', 'ex-b', 'exA']);
    expect(runs[2]).toMatchObject({ id: 'exA', flowId: 'g', eventId: 'ev1', status: 'queued' });
    expect(ids(await e.run((tx) => tx.executions.forEvent('ev2')))).toEqual(['ex-c']);
    expect(await e.run((tx) => tx.executions.forEvent('ev3'))).toEqual([]);
  });

  it.runIf(runIf)('events.get: the row as inserted; undefined for an unknown id', async () => {
    const e = await open();
    const row = event('ev1', { deliveryId: 'd1', outcome: 'rejected', httpStatus: 401, bodyTruncated: true, reason: 'bad token', error: null });
    await e.run((tx) => tx.events.insert(row, ['flow:f']));
    expect(await e.run((tx) => tx.events.get('ev1'))).toEqual(row);
    expect(await e.run((tx) => tx.events.get('ev2'))).toBeUndefined();
  });

  it.runIf(runIf)('events.list: newest id first, filtered by outcome, path, time, flow, source and visible flows, paged by limit and before', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.events.insert(event('ev-a', { receivedAt: T0 + 1 }), ['flow:f', 'source:alertmanager']);
      await tx.events.insert(event('ev-b', { receivedAt: T0 + 2, path: 'other' }), ['flow:g', 'source:grafana']);
      await tx.events.insert(event('evA', { receivedAt: T0 + 3, outcome: 'ignored' }), ['flow:f', 'flow:g', 'source:alertmanager']);
      await tx.events.insert(event('ev_c', { receivedAt: T0 + 4, outcome: 'rejected', httpStatus: 401 }));
      await tx.events.insert(event('eva', { receivedAt: T0 + 5 }), ['flow:h', 'source:alertmanager']);
    });
    const list = (filter: EventFilter) => e.run(async (tx) => ids(await tx.events.list(filter)));
    const all = await e.run((tx) => tx.events.list({ limit: 10 }));
    expect(ids(all)).toEqual(['eva', 'ev_c', 'evA', 'ev-b', 'ev-a']);
    expect(all[1]).toEqual(event('ev_c', { receivedAt: T0 + 4, outcome: 'rejected', httpStatus: 401 }));
    expect(await list({ limit: 2 })).toEqual(['eva', 'ev_c']);
    expect(await list({ limit: 2, before: 'ev_c' })).toEqual(['evA', 'ev-b']);
    expect(await list({ limit: 10, outcome: 'ignored' })).toEqual(['evA']);
    expect(await list({ limit: 10, path: 'other' })).toEqual(['ev-b']);
    // since and until are both inclusive.
    expect(await list({ limit: 10, since: T0 + 2, until: T0 + 4 })).toEqual(['ev_c', 'evA', 'ev-b']);
    // By the refs: a flow, a source, both.
    expect(await list({ limit: 10, flowId: 'f' })).toEqual(['evA', 'ev-a']);
    expect(await list({ limit: 1, before: 'evA', flowId: 'f' })).toEqual(['ev-a']);
    expect(await list({ limit: 10, source: 'alertmanager' })).toEqual(['eva', 'evA', 'ev-a']);
    expect(await list({ limit: 10, flowId: 'g', source: 'alertmanager' })).toEqual(['evA']);
    expect(await list({ limit: 10, flowId: 'f', outcome: 'accepted', since: T0 })).toEqual(['ev-a']);
    expect(await list({ limit: 10, flowId: 'nope' })).toEqual([]);
    // A team's view: deliveries to a path one of its flows listens on.
    expect(await list({ limit: 10, visibleFlowIds: ['g', 'h'] })).toEqual(['eva', 'evA', 'ev-b']);
    expect(await list({ limit: 10, visibleFlowIds: ['h'], source: 'alertmanager' })).toEqual(['eva']);
    expect(await list({ limit: 10, visibleFlowIds: ['g'], flowId: 'f', before: 'eva' })).toEqual(['evA']);
    expect(await list({ limit: 10, visibleFlowIds: [] })).toEqual([]);
  });

  it.runIf(runIf)('approvals.list: pending ones by deadline, the others newest first; filtered by status, run and flows; at most limit', async () => {
    const e = await open();
    await e.seed({ executions: [execution('ex1', { flowId: 'f' }), execution('ex2', { flowId: 'g' }), execution('ex3', { flowId: 'h' })] });
    await e.seed({
      approvals: [
        approval('ap1', 'ex1', { createdAt: T0 + 1, deadlineAt: T0 + 300 }),
        approval('ap2', 'ex2', { createdAt: T0 + 2, deadlineAt: T0 + 400 }),
        approval('ap3', 'ex1', { createdAt: T0 + 3, deadlineAt: T0 + 200, status: 'approved', decidedAt: T0 + 4, decidedBy: 'user:ana', comment: 'ok' }),
        approval('ap4', 'ex3', { createdAt: T0 + 4, deadlineAt: T0 + 400, status: 'rejected', decidedAt: T0 + 5, decidedBy: 'user:bo' }),
        approval('ap5', 'ex3', { createdAt: T0 + 5, deadlineAt: T0 + 50 }),
      ],
    });
    const list = (filter: ApprovalListFilter) => e.run(async (tx) => ids(await tx.approvals.list(filter)));
    expect(await list({ limit: 10, status: 'pending' })).toEqual(['ap5', 'ap1', 'ap2']);
    expect(await list({ limit: 2, status: 'pending' })).toEqual(['ap5', 'ap1']);
    expect(await list({ limit: 10 })).toEqual(['ap5', 'ap4', 'ap3', 'ap2', 'ap1']);
    expect(await list({ limit: 3 })).toEqual(['ap5', 'ap4', 'ap3']);
    expect(await list({ limit: 10, status: 'approved' })).toEqual(['ap3']);
    expect(await list({ limit: 10, executionId: 'ex1' })).toEqual(['ap3', 'ap1']);
    expect(await list({ limit: 10, executionId: 'ex1', status: 'pending' })).toEqual(['ap1']);
    // A team's view: approvals in runs of its flows.
    expect(await list({ limit: 10, flowIds: ['f', 'h'] })).toEqual(['ap5', 'ap4', 'ap3', 'ap1']);
    expect(await list({ limit: 10, flowIds: ['f', 'h'], status: 'pending' })).toEqual(['ap5', 'ap1']);
    expect(await list({ limit: 10, flowIds: ['g'], executionId: 'ex1' })).toEqual([]);
    expect(await list({ limit: 10, flowIds: [] })).toEqual([]);
    // Whole rows, as stored.
    expect((await e.run((tx) => tx.approvals.list({ limit: 10, status: 'approved' })))[0]).toEqual(
      approval('ap3', 'ex1', { createdAt: T0 + 3, deadlineAt: T0 + 200, status: 'approved', decidedAt: T0 + 4, decidedBy: 'user:ana', comment: 'ok' }),
    );
  });

  it.runIf(runIf)('teams: a flow, a run and an approval belong to the flow’s team; none when the flow is gone; not found when the thing is', async () => {
    const e = await open();
    await e.seed({
      flows: [flowRow('f', 'ops'), flowRow('g', 'db')],
      executions: [execution('ex1', { flowId: 'f' }), execution('ex2', { flowId: 'g' }), execution('ex-gone', { flowId: 'deleted' })],
      approvals: [approval('ap1', 'ex1'), approval('ap2', 'ex-gone'), approval('ap-orphan', 'ex-missing')],
    });
    const owners = await e.run(async (tx) => ({
      flow: await tx.teams.ofFlow('g'),
      noFlow: await tx.teams.ofFlow('deleted'),
      run: await tx.teams.ofExecution('ex1'),
      runOfDeletedFlow: await tx.teams.ofExecution('ex-gone'),
      noRun: await tx.teams.ofExecution('ex-missing'),
      approval: await tx.teams.ofApproval('ap1'),
      approvalOfDeletedFlow: await tx.teams.ofApproval('ap2'),
      approvalWithoutRun: await tx.teams.ofApproval('ap-orphan'),
      noApproval: await tx.teams.ofApproval('ap-missing'),
    }));
    expect(owners).toEqual({
      flow: { found: true, teams: ['db'] },
      noFlow: { found: false },
      run: { found: true, teams: ['ops'] },
      runOfDeletedFlow: { found: true, teams: [] },
      noRun: { found: false },
      approval: { found: true, teams: ['ops'] },
      approvalOfDeletedFlow: { found: true, teams: [] },
      approvalWithoutRun: { found: false },
      noApproval: { found: false },
    });
  });

  it.runIf(runIf)('teams.ofEvent: the teams of the flows that listened (each once, by flow id), none for a delivery no existing flow listened to, not found for an unknown one', async () => {
    const e = await open();
    await e.seed({ flows: [flowRow('b', 'ops'), flowRow('a-z', 'db'), flowRow('ab', 'sre'), flowRow('c', 'ops')] });
    await e.run(async (tx) => {
      // 'a-z' before 'ab' as bytes compare; 'gone' is a flow deleted since.
      await tx.events.insert(event('ev1'), ['flow:b', 'flow:ab', 'flow:gone', 'flow:a-z', 'flow:c', 'source:alertmanager']);
      await tx.events.insert(event('ev2'), ['source:alertmanager']);
      await tx.events.insert(event('ev3'));
      await tx.events.insert(event('ev4'), ['flow:gone']);
    });
    const owners = await e.run(async (tx) => [
      await tx.teams.ofEvent('ev1'),
      await tx.teams.ofEvent('ev2'),
      await tx.teams.ofEvent('ev3'),
      await tx.teams.ofEvent('ev4'),
      await tx.teams.ofEvent('ev5'),
    ]);
    expect(owners).toEqual([
      { found: true, teams: ['db', 'sre', 'ops'] },
      { found: true, teams: [] },
      { found: true, teams: [] },
      { found: true, teams: [] },
      { found: false },
    ]);
  });

  it.runIf(runIf)('teams.ofSecret: the secret’s team; not found for an unknown name', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.secrets.put(secretRow(T0, 'PAGER_TOKEN', { teamId: 'ops' }));
      await tx.secrets.put(secretRow(T0, 'DB_PASSWORD', { teamId: 'db' }));
    });
    expect(await e.run((tx) => tx.teams.ofSecret('DB_PASSWORD'))).toEqual({ found: true, teams: ['db'] });
    expect(await e.run((tx) => tx.teams.ofSecret('NOPE'))).toEqual({ found: false });
  });

  it.runIf(runIf)('teams.flowIdsOf: the flows of any of the teams, by id as bytes compare; none for no team or a team without flows', async () => {
    const e = await open();
    await e.seed({ flows: [flowRow('b', 'ops'), flowRow('ab', 'db'), flowRow('a-z', 'ops'), flowRow('B', 'sre'), flowRow('c', 'default')] });
    const of = (teams: string[]) => e.run((tx) => tx.teams.flowIdsOf(teams));
    expect(await of(['ops'])).toEqual(['a-z', 'b']);
    expect(await of(['ops', 'db', 'sre'])).toEqual(['B', 'a-z', 'ab', 'b']);
    expect(await of(['nobody'])).toEqual([]);
    expect(await of([])).toEqual([]);
  });
});
