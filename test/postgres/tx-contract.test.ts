import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import { FLOW_FORMAT, FlowSchema, type Flow } from '../../shared/flow/schema.js';
import type { ApprovalDecisionRow, ApprovalRow } from '../../runtime/store/approvals-repo.js';
import { GENESIS_HASH } from '../../runtime/store/audit-chain.js';
import { type AuditInput, nextAuditRow } from '../../runtime/store/audit-repo.js';
import type { EventRow } from '../../runtime/store/events-repo.js';
import type { ExecutionRow, NewExecution } from '../../runtime/store/executions-repo.js';
import { StoredFlowError } from '../../runtime/store/flows-repo.js';
import type { ScheduleTickRow } from '../../runtime/store/schedule-ticks-repo.js';
import type { WaitReason } from '../../runtime/store/schema.js';
import type { StepRow } from '../../runtime/store/steps-repo.js';
import { approvalRow, emptyEventRow, executionSeed, gate, userRow } from '../kit/rows.js';
import { storeEngines, type SeedRows } from '../kit/store-engines.js';
import { waitFor } from '../kit/wait.js';

/**
 * The store contract: every StoreTx operation gives the same answers on SQLite and PostgreSQL.
 * Each case runs on both engines (PostgreSQL when a server answers; `.ci/run` requires it).
 */

const engines = storeEngines();

type StepSeed = NonNullable<SeedRows['steps']>[number];
type ExecutionSeed = NonNullable<SeedRows['executions']>[number];

const T0 = 1_800_000_000_000;

const execution = (id: string, over: Partial<NewExecution> = {}): NewExecution => executionSeed(T0, id, over);

const event = (id: string, over: Partial<EventRow> = {}): EventRow => emptyEventRow(T0, id, over);

const step = (id: string, executionId: string, over: Partial<StepSeed> = {}): StepSeed => ({
  id,
  executionId,
  seq: 1,
  nodeId: 'wait',
  nodeType: 'wait.resolved',
  status: 'waiting',
  waitReason: 'resolved',
  createdAt: T0,
  ...over,
});

const approval = (id: string, executionId: string, over: Partial<ApprovalRow> = {}): ApprovalRow => approvalRow(T0, id, executionId, over);

const decision = (approvalId: string, decider: string, at: number, over: Partial<ApprovalDecisionRow> = {}): ApprovalDecisionRow => ({
  approvalId,
  decider,
  deciderName: decider.replace(/^user:/, ''),
  decision: 'approve',
  comment: null,
  via: 'session',
  planHash: null,
  at,
  ...over,
});

/** Every column of an execution row as insertIfNew leaves it for `execution(id, over)`. */
const executionRow = (id: string, over: Partial<ExecutionRow> = {}): ExecutionRow => ({
  ...(execution(id) as Omit<ExecutionRow, 'error' | 'startedAt' | 'finishedAt' | 'waitStartedAt'>),
  error: null,
  startedAt: null,
  finishedAt: null,
  waitStartedAt: null,
  alertResolvedAt: null,
  leaseOwner: null,
  leaseUntil: null,
  parentExecutionId: null,
  parentStepId: null,
  callDepth: 0,
  input: null,
  startedBy: null,
  targetKey: null,
  heldLimit: null,
  heldReason: null,
  heldAt: null,
  releasedBy: null,
  releasedAt: null,
  releasedComment: null,
  ...over,
});

/** A run that ended (seeded: insertIfNew never starts one finished). */
const ended = (id: string, status: ExecutionSeed['status'], finishedAt: number, over: Partial<ExecutionSeed> = {}): ExecutionSeed =>
  execution(id, { status, startedAt: finishedAt - 1, finishedAt, ...over });

const MINUTE = 60_000;

/** A schedule tick of flow `f` that started a run (override for a skipped one or a stretch); every column given. */
const tick = (nodeId: string, tickAt: number, over: Partial<ScheduleTickRow> = {}): ScheduleTickRow => ({
  flowId: 'f',
  nodeId,
  tickAt,
  firstTickAt: tickAt,
  count: 1,
  status: 'started',
  reason: null,
  executionId: `ex-${nodeId}-${tickAt - T0}`,
  recordedAt: tickAt + 5,
  ...over,
});

const flowNamed = (name: string) => FlowSchema.parse({ format: FLOW_FORMAT, id: 'f', name, enabled: true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });

/** A valid flow with this id (named after it unless told), enabled unless told. */
const flowWith = (id: string, over: { name?: string; enabled?: boolean } = {}) =>
  FlowSchema.parse({ format: FLOW_FORMAT, id, name: over.name ?? `Flow ${id}`, enabled: over.enabled ?? true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });

type FlowSeed = NonNullable<SeedRows['flows']>[number];

/** A flows row holding `flow` as its current revision (1, created at T0, in the default team unless told). */
const flowsRow = (flow: Flow, over: Partial<FlowSeed> = {}): FlowSeed => ({
  id: flow.id,
  name: flow.name,
  enabled: flow.enabled,
  revision: 1,
  document: JSON.stringify(flow),
  createdAt: T0,
  updatedAt: T0,
  teamId: 'default',
  ...over,
});

/** A flows row whose stored document does not read back as a flow (the database was changed outside Salve). */
const damagedFlowsRow = (id: string, enabled: boolean, document = '{"format":'): FlowSeed => ({ ...flowsRow(flowWith(id, { enabled })), document });

type ApprovalLinkSeed = NonNullable<SeedRows['approvalLinks']>[number];

/** A used approval link of an execution's approval. */
const usedLink = (id: string, executionId: string, approvalId: string): ApprovalLinkSeed => ({
  id,
  executionId,
  nodeId: 'approve',
  approvalId,
  expiresAt: T0 + 900,
  usedAt: T0 + 5,
  usedBy: 'user:ana',
  usedByName: 'ana',
});

/** The retention cases' cutoff: what was received, or ended, before it goes. */
const CUTOFF = T0 + 100;

describe.each(engines)('store contract on $name', ({ name, available: runIf, open }) => {
  it.runIf(runIf)('events: inserted with refs (repeated refs kept once); a delivery id counts as seen only when it got through on that path', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.events.insert(event('ev1', { deliveryId: 'd1' }), ['flow:f', 'flow:f', 'source:alertmanager']);
      await tx.events.insert(event('ev2', { deliveryId: 'd2', outcome: 'rejected', httpStatus: 401 }));
    });
    expect(await e.run((tx) => tx.events.seenDelivery('am', 'd1'))).toBe(true);
    expect(await e.run((tx) => tx.events.seenDelivery('other', 'd1'))).toBe(false);
    expect(await e.run((tx) => tx.events.seenDelivery('am', 'd2'))).toBe(false); // refused: not seen
    expect(await e.run((tx) => tx.events.seenDelivery('am', 'd3'))).toBe(false);
  });

  it.runIf(runIf)('executions: insertIfNew inserts once per flow and dedup key; idByDedupKey names the first', async () => {
    const e = await open();
    const results = await e.run(async (tx) => [
      await tx.executions.insertIfNew(execution('ex1', { dedupKey: 'same' })),
      await tx.executions.insertIfNew(execution('ex2', { dedupKey: 'same' })),
      await tx.executions.insertIfNew(execution('ex3', { dedupKey: 'same', flowId: 'g' })),
    ]);
    expect(results).toEqual([true, false, true]);
    expect(await e.run((tx) => tx.executions.idByDedupKey('f', 'same'))).toBe('ex1');
    expect(await e.run((tx) => tx.executions.idByDedupKey('g', 'same'))).toBe('ex3');
    expect(await e.run((tx) => tx.executions.idByDedupKey('f', 'other'))).toBeUndefined();
    expect(await e.run((tx) => tx.executions.countByStatus('queued'))).toBe(2);
  });

  it.runIf(runIf)('executions: latestAlertRuns lists the runs an alert started, newest first, not those of a person or a calling flow', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1', { createdAt: T0 }));
      await tx.executions.insertIfNew(execution('ex2', { createdAt: T0 + 2 }));
      await tx.executions.insertIfNew(execution('ex3', { createdAt: T0 + 1 }));
      await tx.executions.insertIfNew(execution('ex4', { createdAt: T0 + 3, startedBy: 'user:ana' }));
      await tx.executions.insertIfNew(execution('ex5', { createdAt: T0 + 4, parentExecutionId: 'ex1', parentStepId: 's' }));
      await tx.executions.insertIfNew(execution('ex6', { createdAt: T0 + 5, fingerprint: 'fp2' }));
    });
    const runs = await e.run((tx) => tx.executions.latestAlertRuns('f', 'fp1', 2));
    expect(runs.map((r) => r.id)).toEqual(['ex2', 'ex3']);
    expect(runs[0]).toMatchObject({ flowId: 'f', status: 'queued', createdAt: T0 + 2, alertResolvedAt: null, callDepth: 0 });
    expect(await e.run((tx) => tx.executions.latestAlertRuns('f', '', 5))).toEqual([]);
  });

  it.runIf(runIf)('executions and steps: a resolution marks the unresolved runs of its fingerprint once, and wakes their wait.resolved steps', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1'));
      await tx.executions.insertIfNew(execution('ex2'));
      await tx.executions.insertIfNew(execution('ex3', { fingerprint: 'fp2' }));
    });
    await e.seed({ steps: [step('s1', 'ex1'), step('s2', 'ex2', { waitReason: 'delay' }), step('s3', 'ex3')] });
    const marked = await e.run((tx) => tx.executions.markAlertResolved('f', 'fp1', T0 + 10));
    expect(marked.sort()).toEqual(['ex1', 'ex2']);
    expect(await e.run((tx) => tx.executions.markAlertResolved('f', 'fp1', T0 + 20))).toEqual([]);
    expect(await e.run((tx) => tx.executions.markAlertResolved('f', '', T0 + 20))).toEqual([]);
    expect(await e.run((tx) => tx.executions.latestAlertRuns('f', 'fp1', 5))).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'ex1', alertResolvedAt: T0 + 10 })]),
    );
    // Only s1 waits for the resolution; s2 waits for a delay, s3 is in another fingerprint's run.
    expect(await e.run((tx) => tx.steps.wakeWaiting(marked, 'resolved', T0 + 10))).toBe(1);
    expect(await e.run((tx) => tx.steps.wakeWaiting([], 'resolved', T0 + 10))).toBe(0);
  });

  it.runIf(runIf)('guard-rail counts: held runs never released do not count, released ones do; active runs per target; distinct targets', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1', { createdAt: T0, targetKey: 'web-1' }));
      await tx.executions.insertIfNew(execution('ex2', { createdAt: T0 + 10, targetKey: 'web-2', status: 'succeeded' }));
      await tx.executions.insertIfNew(execution('ex3', { createdAt: T0 + 20, targetKey: 'web-3', status: 'held', heldAt: T0 + 20, heldLimit: 'cooldown', heldReason: 'x' }));
      await tx.executions.insertIfNew(execution('ex4', { createdAt: T0 + 30, targetKey: 'web-1', status: 'running' }));
    });
    // Held, then released by a person: it counts. (insertIfNew starts every run unreleased.)
    await e.seed({ executions: [execution('ex5', { createdAt: T0 + 40, targetKey: 'web-4', status: 'queued', heldAt: T0 + 40, releasedAt: T0 + 41, releasedBy: 'user:ana' })] });
    expect(await e.run((tx) => tx.executions.countAdmittedSince('f', T0))).toBe(4);
    expect(await e.run((tx) => tx.executions.countAdmittedSince('f', T0 + 15))).toBe(2);
    expect(await e.run((tx) => tx.executions.lastAdmittedForTarget('f', 'web-1', T0))).toEqual({ id: 'ex4', createdAt: T0 + 30 });
    expect(await e.run((tx) => tx.executions.lastAdmittedForTarget('f', 'web-3', T0))).toBeUndefined();
    expect(await e.run((tx) => tx.executions.lastAdmittedForTarget('f', 'web-1', T0 + 31))).toBeUndefined();
    expect(await e.run((tx) => tx.executions.countActiveForTarget('f', 'web-1'))).toBe(2);
    expect(await e.run((tx) => tx.executions.countActiveForTarget('f', 'web-2'))).toBe(0);
    expect((await e.run((tx) => tx.executions.targetsSince('f', T0, 10))).sort()).toEqual(['web-1', 'web-2', 'web-4']);
    expect(await e.run((tx) => tx.executions.targetsSince('f', T0, 2))).toHaveLength(2);
    expect(await e.run((tx) => tx.executions.countByStatus('held'))).toBe(1);
  });

  it.runIf(runIf)('breakers and flows: a tripped breaker reads back; a flow reads back parsed, with its team', async () => {
    const e = await open();
    const flow = FlowSchema.parse({ format: FLOW_FORMAT, id: 'f', name: 'Disk full', enabled: true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });
    await e.seed({
      flows: [{ id: 'f', name: flow.name, enabled: true, revision: 3, document: JSON.stringify(flow), createdAt: T0, updatedAt: T0, teamId: 'ops' }],
      breakers: [{ flowId: 'f', trippedAt: T0, failures: '[]' }],
    });
    expect(await e.run((tx) => tx.breakers.get('f'))).toEqual({ flowId: 'f', trippedAt: T0, failures: '[]', resetAt: null, resetBy: null });
    expect(await e.run((tx) => tx.breakers.get('g'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.get('f'))).toMatchObject({ id: 'f', revision: 3, teamId: 'ops', enabled: true, flow: { name: 'Disk full' } });
    expect(await e.run((tx) => tx.flows.team('f'))).toBe('ops');
    expect(await e.run((tx) => tx.flows.get('g'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.team('g'))).toBeUndefined();
  });
  it.runIf(runIf)('executions: get reads every column of a run back; undefined for an unknown id', async () => {
    const e = await open();
    await e.run((tx) => tx.executions.insertIfNew(execution('ex1', { status: 'held', targetKey: 'web-1', heldAt: T0, heldLimit: 'cooldown', heldReason: 'ran 1 min ago', input: '{"a":1}', callDepth: 2, parentExecutionId: 'p', parentStepId: 'ps' })));
    expect(await e.run((tx) => tx.executions.get('ex1'))).toEqual(
      executionRow('ex1', { status: 'held', targetKey: 'web-1', heldAt: T0, heldLimit: 'cooldown', heldReason: 'ran 1 min ago', input: '{"a":1}', callDepth: 2, parentExecutionId: 'p', parentStepId: 'ps' }),
    );
    expect(await e.run((tx) => tx.executions.get('nope'))).toBeUndefined();
  });

  it.runIf(runIf)('executions: transition changes nothing and answers false when the run is in none of the `from` statuses', async () => {
    const e = await open();
    await e.seed({ executions: [execution('ex1', { status: 'running', startedAt: T0, leaseOwner: 'p1', leaseUntil: T0 + 5 })] });
    const before = await e.run((tx) => tx.executions.get('ex1'));
    expect(await e.run((tx) => tx.executions.transition('ex1', ['queued', 'waiting'], { status: 'failed', error: 'boom', finishedAt: T0 + 1, updatedAt: T0 + 1 }))).toBe(false);
    expect(await e.run((tx) => tx.executions.transition('nope', ['running'], { status: 'failed', updatedAt: T0 + 1 }))).toBe(false);
    expect(await e.run((tx) => tx.executions.get('ex1'))).toEqual(before);
  });

  it.runIf(runIf)('executions: transition sets the defined changes only: an undefined key keeps its column, a null clears it', async () => {
    const e = await open();
    await e.seed({ executions: [execution('ex1', { status: 'running', startedAt: T0, error: 'earlier', leaseOwner: 'p1', leaseUntil: T0 + 5 })] });
    const moved = await e.run((tx) =>
      tx.executions.transition('ex1', ['queued', 'running'], { status: 'waiting', waitStartedAt: T0 + 2, error: undefined, leaseOwner: null, leaseUntil: null, updatedAt: T0 + 2 }),
    );
    expect(moved).toBe(true);
    expect(await e.run((tx) => tx.executions.get('ex1'))).toEqual(
      executionRow('ex1', { status: 'waiting', startedAt: T0, error: 'earlier', waitStartedAt: T0 + 2, leaseOwner: null, leaseUntil: null, updatedAt: T0 + 2 }),
    );
  });

  it.runIf(runIf)('executions: a run moved back to queued is in the run queue; a refused or rolled-back move enqueues nothing', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1', { status: 'running' }));
      await tx.executions.insertIfNew(execution('ex2', { status: 'succeeded' }));
      await tx.executions.insertIfNew(execution('ex3', { status: 'running' }));
    });
    expect(await e.runQueue()).toEqual([]);
    const moves = await e.run(async (tx) => [
      await tx.executions.transition('ex1', ['running'], { status: 'queued', leaseOwner: null, updatedAt: T0 + 1 }),
      await tx.executions.transition('ex2', ['running'], { status: 'queued', updatedAt: T0 + 1 }),
    ]);
    expect(moves).toEqual([true, false]);
    await expect(
      e.run(async (tx) => {
        await tx.executions.transition('ex3', ['running'], { status: 'queued', updatedAt: T0 + 1 });
        throw new Error('the operation failed after the move');
      }),
    ).rejects.toThrow('the operation failed after the move');
    expect(await e.runQueue()).toEqual(['ex1']);
    expect((await e.run((tx) => tx.executions.get('ex3')))?.status).toBe('running');
  });

  it.runIf(runIf)('executions: children lists the runs a run called, by id; none for a run that called none', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1'));
      await tx.executions.insertIfNew(execution('ex1-c2', { parentExecutionId: 'ex1', parentStepId: 's2', callDepth: 1, createdAt: T0 + 1 }));
      await tx.executions.insertIfNew(execution('ex1-c1', { parentExecutionId: 'ex1', parentStepId: 's1', callDepth: 1, createdAt: T0 + 2 }));
      await tx.executions.insertIfNew(execution('ex2-c1', { parentExecutionId: 'ex2', parentStepId: 's3', callDepth: 1 }));
    });
    const children = await e.run((tx) => tx.executions.children('ex1'));
    expect(children.map((r) => [r.id, r.parentStepId, r.callDepth])).toEqual([
      ['ex1-c1', 's1', 1],
      ['ex1-c2', 's2', 1],
    ]);
    expect(await e.run((tx) => tx.executions.children('ex1-c1'))).toEqual([]);
  });

  it.runIf(runIf)('executions: endedSince lists the flow\'s runs that ended in one of the statuses at or after a time, oldest end first', async () => {
    const e = await open();
    await e.seed({
      executions: [
        ended('ex1', 'failed', T0 + 30),
        ended('ex2', 'timed_out', T0 + 10),
        ended('ex3', 'succeeded', T0 + 20),
        ended('ex4', 'failed', T0 + 5),
        ended('ex5', 'failed', T0 + 40, { flowId: 'g' }),
        execution('ex6', { status: 'running' }),
      ],
    });
    expect(await e.run((tx) => tx.executions.endedSince('f', ['failed', 'timed_out'], T0 + 10))).toEqual([
      { id: 'ex2', status: 'timed_out', finishedAt: T0 + 10 },
      { id: 'ex1', status: 'failed', finishedAt: T0 + 30 },
    ]);
    expect(await e.run((tx) => tx.executions.endedSince('f', ['failed'], T0 + 31))).toEqual([]);
    expect(await e.run((tx) => tx.executions.endedSince('f', [], T0))).toEqual([]);
  });

  it.runIf(runIf)('executions and steps: withStatus lists every row in that status', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1', { status: 'running' }));
      await tx.executions.insertIfNew(execution('ex2', { status: 'queued' }));
      await tx.executions.insertIfNew(execution('ex3', { status: 'running', flowId: 'g' }));
      await tx.steps.insert(step('s1', 'ex1', { seq: 1, status: 'succeeded', waitReason: null }));
      await tx.steps.insert(step('s2', 'ex1', { seq: 2 }));
      await tx.steps.insert(step('s3', 'ex3', { seq: 1 }));
    });
    // Neither engine promises an order here: compare as sets.
    expect((await e.run((tx) => tx.executions.withStatus('running'))).map((r) => r.id).sort()).toEqual(['ex1', 'ex3']);
    expect(await e.run((tx) => tx.executions.withStatus('failed'))).toEqual([]);
    expect((await e.run((tx) => tx.steps.withStatus('waiting'))).map((r) => r.id).sort()).toEqual(['s2', 's3']);
    expect(await e.run((tx) => tx.steps.withStatus('pending'))).toEqual([]);
  });

  it.runIf(runIf)('steps: insert leaves what the row does not give empty (attempt 0, the rest null); get reads it back whole', async () => {
    const full = {
      id: 's2',
      executionId: 'ex1',
      seq: 2,
      nodeId: 'wait',
      nodeType: 'wait.delay',
      parentStepId: 's1',
      status: 'waiting',
      attempt: 2,
      port: 'out',
      input: '{"i":1}',
      config: '{"c":1}',
      output: '{"o":1}',
      error: 'e',
      createdAt: T0 + 1,
      startedAt: T0 + 2,
      endedAt: T0 + 3,
      wakeAt: T0 + 4,
      waitReason: 'delay',
      scope: '{"s":1}',
    } satisfies StepRow;
    const e = await open();
    await e.run(async (tx) => {
      await tx.steps.insert({ id: 's1', executionId: 'ex1', seq: 1, nodeId: 'restart', nodeType: 'ssh.exec', status: 'pending', createdAt: T0 });
      await tx.steps.insert(full);
    });
    const none = { parentStepId: null, attempt: 0, port: null, input: null, config: null, output: null, error: null, startedAt: null, endedAt: null, wakeAt: null, waitReason: null, scope: null };
    expect(await e.run((tx) => tx.steps.get('s1'))).toEqual({ id: 's1', executionId: 'ex1', seq: 1, nodeId: 'restart', nodeType: 'ssh.exec', status: 'pending', createdAt: T0, ...none });
    expect(await e.run((tx) => tx.steps.get('s2'))).toEqual(full);
    expect(await e.run((tx) => tx.steps.get('nope'))).toBeUndefined();
  });

  it.runIf(runIf)('steps: forExecution lists the run\'s steps by seq; nextSeq is 1 for a run without steps, else the highest seq + 1', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.steps.nextSeq('ex1'))).toBe(1);
    await e.run(async (tx) => {
      await tx.steps.insert(step('s-c', 'ex1', { seq: 7, createdAt: T0 }));
      await tx.steps.insert(step('s-a', 'ex1', { seq: 1, createdAt: T0 + 1 }));
      await tx.steps.insert(step('s-b', 'ex1', { seq: 2, createdAt: T0 + 2 }));
      await tx.steps.insert(step('s-x', 'ex2', { seq: 9 }));
    });
    expect((await e.run((tx) => tx.steps.forExecution('ex1'))).map((s) => [s.id, s.seq])).toEqual([
      ['s-a', 1],
      ['s-b', 2],
      ['s-c', 7],
    ]);
    expect(await e.run((tx) => tx.steps.nextSeq('ex1'))).toBe(8);
    expect(await e.run((tx) => tx.steps.nextSeq('ex2'))).toBe(10);
    expect(await e.run((tx) => tx.steps.forExecution('ex3'))).toEqual([]);
  });

  it.runIf(runIf)('steps: transition moves a step only from one of `from`, setting the defined changes only (undefined keeps, null clears)', async () => {
    const e = await open();
    await e.run((tx) => tx.steps.insert(step('s1', 'ex1', { status: 'waiting', waitReason: 'delay', wakeAt: T0 + 60, output: '{"kept":true}', startedAt: T0 })));
    const before = await e.run((tx) => tx.steps.get('s1'));
    expect(await e.run((tx) => tx.steps.transition('s1', ['pending', 'intent'], { status: 'succeeded', endedAt: T0 + 5 }))).toBe(false);
    expect(await e.run((tx) => tx.steps.transition('nope', ['waiting'], { status: 'succeeded' }))).toBe(false);
    expect(await e.run((tx) => tx.steps.get('s1'))).toEqual(before);

    const moved = await e.run((tx) => tx.steps.transition('s1', ['waiting'], { status: 'succeeded', endedAt: T0 + 5, port: 'out', output: undefined, wakeAt: null, waitReason: null }));
    expect(moved).toBe(true);
    expect(await e.run((tx) => tx.steps.get('s1'))).toEqual({ ...before, status: 'succeeded', endedAt: T0 + 5, port: 'out', output: '{"kept":true}', wakeAt: null, waitReason: null });
  });

  it.runIf(runIf)('steps: cancelOpen cancels the run\'s pending and waiting steps only, at that time', async () => {
    const e = await open();
    const statuses = ['pending', 'intent', 'waiting', 'succeeded', 'failed', 'unknown'] as const;
    await e.run(async (tx) => {
      for (const [i, status] of statuses.entries()) await tx.steps.insert(step(`s-${status}`, 'ex1', { seq: i + 1, status, waitReason: null }));
      await tx.steps.insert(step('other', 'ex2', { status: 'waiting' }));
    });
    await e.run((tx) => tx.steps.cancelOpen('ex1', T0 + 9));
    expect((await e.run((tx) => tx.steps.forExecution('ex1'))).map((s) => [s.id, s.status, s.endedAt])).toEqual([
      ['s-pending', 'cancelled', T0 + 9],
      ['s-intent', 'intent', null],
      ['s-waiting', 'cancelled', T0 + 9],
      ['s-succeeded', 'succeeded', null],
      ['s-failed', 'failed', null],
      ['s-unknown', 'unknown', null],
    ]);
    expect(await e.run((tx) => tx.steps.get('other'))).toMatchObject({ status: 'waiting', endedAt: null });
  });

  it.runIf(runIf)('approvals: insert stores the row; cancelForExecution cancels that run\'s pending approvals only, decided by salve', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.approvals.insert(approval('a1', 'ex1', { planHash: 'h1', rules: '{"quorum":1}' }));
      await tx.approvals.insert(approval('a2', 'ex1', { status: 'approved', decidedAt: T0 + 1, decidedBy: 'ana', comment: 'ok' }));
      await tx.approvals.insert(approval('a3', 'ex2'));
    });
    expect(await e.readApprovals('ex1')).toEqual([
      approval('a1', 'ex1', { planHash: 'h1', rules: '{"quorum":1}' }),
      approval('a2', 'ex1', { status: 'approved', decidedAt: T0 + 1, decidedBy: 'ana', comment: 'ok' }),
    ]);
    await e.run((tx) => tx.approvals.cancelForExecution('ex1', T0 + 9));
    expect(await e.readApprovals('ex1')).toEqual([
      approval('a1', 'ex1', { planHash: 'h1', rules: '{"quorum":1}', status: 'cancelled', decidedAt: T0 + 9, decidedBy: 'salve' }),
      approval('a2', 'ex1', { status: 'approved', decidedAt: T0 + 1, decidedBy: 'ana', comment: 'ok' }),
    ]);
    expect(await e.readApprovals('ex2')).toEqual([approval('a3', 'ex2')]);
  });

  it.runIf(runIf)('approvals: forStep finds a step\'s approval; decide records a decision once, and only on a pending approval', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.approvals.insert(approval('a1', 'ex1', { stepId: 'st-approve' }));
      await tx.approvals.insert(approval('a2', 'ex1', { stepId: 'st-other', status: 'cancelled', decidedAt: T0 + 1, decidedBy: 'salve' }));
    });
    expect(await e.run((tx) => tx.approvals.forStep('st-approve'))).toEqual(approval('a1', 'ex1', { stepId: 'st-approve' }));
    expect(await e.run((tx) => tx.approvals.forStep('st-none'))).toBeUndefined();
    const decision = { status: 'timeout' as const, decidedAt: T0 + 5, decidedBy: 'salve', comment: null };
    expect(await e.run((tx) => tx.approvals.decide('a1', decision))).toBe(true);
    expect(await e.run((tx) => tx.approvals.decide('a1', { ...decision, status: 'approved', decidedBy: 'ana' }))).toBe(false);
    expect(await e.run((tx) => tx.approvals.decide('a2', decision))).toBe(false);
    expect(await e.readApprovals('ex1')).toEqual([
      approval('a1', 'ex1', { stepId: 'st-approve', status: 'timeout', decidedAt: T0 + 5, decidedBy: 'salve' }),
      approval('a2', 'ex1', { stepId: 'st-other', status: 'cancelled', decidedAt: T0 + 1, decidedBy: 'salve' }),
    ]);
  });

  it.runIf(runIf)('breakers: trip opens a breaker that reads back; tripping again replaces its time and failures and keeps the last reset', async () => {
    const e = await open();
    await e.seed({ breakers: [{ flowId: 'g', trippedAt: null, failures: '[]', resetBy: 'user:ana', resetAt: T0 - 1 }] });
    const first = [{ executionId: 'ex1', status: 'failed', endedAt: T0 - 5 }];
    const second = [{ executionId: 'ex2', status: 'timed_out', endedAt: T0 + 5 }];
    await e.run((tx) => tx.breakers.trip('f', first, T0));
    expect(await e.run((tx) => tx.breakers.get('f'))).toEqual({ flowId: 'f', trippedAt: T0, failures: JSON.stringify(first), resetBy: null, resetAt: null });
    await e.run((tx) => tx.breakers.trip('f', second, T0 + 10));
    expect(await e.run((tx) => tx.breakers.get('f'))).toEqual({ flowId: 'f', trippedAt: T0 + 10, failures: JSON.stringify(second), resetBy: null, resetAt: null });
    await e.run((tx) => tx.breakers.trip('g', second, T0 + 10));
    expect(await e.run((tx) => tx.breakers.get('g'))).toEqual({ flowId: 'g', trippedAt: T0 + 10, failures: JSON.stringify(second), resetBy: 'user:ana', resetAt: T0 - 1 });
  });

  it.runIf(runIf)('afterRun: a task is due once its run has ended and its time has come; one claim wins; retryLater counts and delays; remove and pruning delete it', async () => {
    const e = await open();
    await e.seed({
      executions: [
        execution('ended', { status: 'cancelled', finishedAt: T0 }),
        execution('live', { status: 'waiting', startedAt: T0 }),
        execution('old', { status: 'succeeded', createdAt: T0 - 10 * 86_400_000, finishedAt: T0 - 10 * 86_400_000 }),
      ],
    });
    for (const [stepId, executionId, nextAt] of [['s1', 'ended', T0 + 5], ['s2', 'live', T0], ['s3', 'ended', T0], ['s4', 'old', T0 + 1000]] as const) {
      await e.run((tx) => tx.afterRun.insert({ stepId, executionId, nextAt, createdAt: T0 }));
    }
    // Inserting again (a step re-run after a crash succeeded again) keeps the first.
    await e.run((tx) => tx.afterRun.insert({ stepId: 's3', executionId: 'ended', nextAt: T0 + 99, createdAt: T0 + 99 }));
    expect((await e.run((tx) => tx.afterRun.due(T0 + 5, 10))).map((t) => t.stepId)).toEqual(['s3', 's1']);
    expect((await e.run((tx) => tx.afterRun.due(T0 + 5, 1))).map((t) => t.stepId)).toEqual(['s3']);
    expect(await e.run((tx) => tx.afterRun.claim('s3', T0 + 5, T0 + 120_000))).toBe(true);
    expect(await e.run((tx) => tx.afterRun.claim('s3', T0 + 5, T0 + 120_000))).toBe(false);
    expect((await e.run((tx) => tx.afterRun.due(T0 + 5, 10))).map((t) => t.stepId)).toEqual(['s1']);
    await e.run((tx) => tx.afterRun.retryLater('s3', T0 + 30_000, 'Alertmanager answered 503'));
    expect((await e.run((tx) => tx.afterRun.due(T0 + 30_000, 10))).find((t) => t.stepId === 's3')).toEqual({
      stepId: 's3', executionId: 'ended', attempts: 1, nextAt: T0 + 30_000, lastError: 'Alertmanager answered 503', createdAt: T0,
    });
    await e.run((tx) => tx.afterRun.remove('s3'));
    expect((await e.run((tx) => tx.afterRun.due(T0 + 60_000, 10))).map((t) => t.stepId)).toEqual(['s1', 's4']);
    // Pruning a finished run takes its task with it.
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(T0 - 86_400_000, 10))).toBe(1);
    expect((await e.run((tx) => tx.afterRun.due(T0 + 60_000, 10))).map((t) => t.stepId)).toEqual(['s1']);
  });

  it.runIf(runIf)('flows: getRevision reads one stored revision parsed; undefined for a missing one; a damaged one is refused', async () => {
    const e = await open();
    const v1 = flowNamed('Disk full');
    const v2 = flowNamed('Disk full (v2)');
    await e.seed({
      revisions: [
        { flowId: 'f', revision: 1, document: JSON.stringify(v1), createdAt: T0, author: null },
        { flowId: 'f', revision: 2, document: JSON.stringify(v2), createdAt: T0 + 1, author: 'user:ana' },
        { flowId: 'f', revision: 3, document: '{"format":', createdAt: T0 + 2, author: null },
      ],
    });
    // No flows row: a deleted flow's revisions still read back (past executions show what ran).
    expect(await e.run((tx) => tx.flows.getRevision('f', 1))).toEqual(v1);
    expect(await e.run((tx) => tx.flows.getRevision('f', 2))).toEqual(v2);
    expect(await e.run((tx) => tx.flows.getRevision('f', 4))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.getRevision('g', 1))).toBeUndefined();
    const damaged = e.run((tx) => tx.flows.getRevision('f', 3));
    await expect(damaged).rejects.toBeInstanceOf(StoredFlowError);
    await expect(damaged).rejects.toThrow('stored flow "f" revision 3 is not a valid flow document: not JSON');
  });

  it.runIf(runIf)('audit: append chains each record to the one before, with the same ids and hashes on both engines', async () => {
    const e = await open();
    const first: AuditInput = { actor: { name: 'ana', via: 'session', address: '10.0.0.1' }, action: 'flow.update', target: 'flow:f', details: { revision: 2 }, before: { name: 'a' }, after: { name: 'b' }, now: T0 };
    const second: AuditInput = { actor: { name: 'salve', via: 'system' }, action: 'breaker.trip', target: 'flow:f', now: T0 + 1 };
    await e.run((tx) => tx.audit.append(first));
    await e.run((tx) => tx.audit.append(second));
    const one = nextAuditRow(first, undefined);
    const two = nextAuditRow(second, one);
    const rows = await e.auditRows();
    expect(rows).toEqual([
      { id: 1, action: 'flow.update', prevHash: GENESIS_HASH, hash: one.hash },
      { id: 2, action: 'breaker.trip', prevHash: one.hash, hash: two.hash },
    ]);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
  });
  it.runIf(runIf)('leases: expired lists running runs whose lease ended (or that never had one) first, then the oldest lease, up to the limit', async () => {
    const e = await open();
    await e.seed({
      executions: [
        execution('ex-late', { status: 'running', leaseOwner: 'p1', leaseUntil: T0 + 10 }),
        execution('ex-early', { status: 'running', leaseOwner: 'p2', leaseUntil: T0 + 5 }),
        execution('ex-none', { status: 'running' }),
        execution('ex-live', { status: 'running', leaseOwner: 'p3', leaseUntil: T0 + 11 }),
        execution('ex-waiting', { status: 'waiting', leaseOwner: 'p4', leaseUntil: T0 }),
      ],
    });
    expect(await e.run((tx) => tx.leases.expired(T0 + 10, 10))).toEqual([
      { id: 'ex-none', leaseOwner: null, leaseUntil: null },
      { id: 'ex-early', leaseOwner: 'p2', leaseUntil: T0 + 5 },
      { id: 'ex-late', leaseOwner: 'p1', leaseUntil: T0 + 10 },
    ]);
    expect((await e.run((tx) => tx.leases.expired(T0 + 10, 2))).map((r) => r.id)).toEqual(['ex-none', 'ex-early']);
  });

  it.runIf(runIf)('executions: nextQueued gives the oldest queued runs first, skipping `exclude`, up to the limit', async () => {
    const e = await open();
    // Ids sort differently from creation so that the order shown is the creation order.
    await e.seed({
      executions: [
        execution('ex-c', { createdAt: T0 }),
        execution('ex-a', { createdAt: T0 + 1 }),
        execution('ex-run', { createdAt: T0 + 2, status: 'running' }),
        execution('ex-d', { createdAt: T0 + 3 }),
        execution('ex-held', { createdAt: T0 + 4, status: 'held', heldAt: T0 + 4 }),
        execution('ex-b', { createdAt: T0 + 5 }),
      ],
    });
    const next = (limit: number, exclude: string[] = []) => e.run((tx) => tx.executions.nextQueued(limit, new Set(exclude)));
    expect(await next(10)).toEqual(['ex-c', 'ex-a', 'ex-d', 'ex-b']);
    expect(await next(2)).toEqual(['ex-c', 'ex-a']);
    // Excluded runs among the oldest do not shorten the answer: the next ones take their place.
    expect(await next(2, ['ex-c'])).toEqual(['ex-a', 'ex-d']);
    expect(await next(2, ['ex-c', 'ex-a'])).toEqual(['ex-d', 'ex-b']);
    expect(await next(10, ['ex-a', 'ex-b'])).toEqual(['ex-c', 'ex-d']);
    expect(await next(2, ['ex-c', 'ex-a', 'ex-d', 'ex-b'])).toEqual([]);
    expect(await next(0)).toEqual([]);
  });

  it.runIf(runIf)('executions: pastDeadline lists active runs whose deadline has come, not those parked on an approval, ended, held or not yet due', async () => {
    const e = await open();
    const now = T0 + 100;
    await e.seed({
      executions: [
        execution('ex-queued', { deadlineAt: now - 50 }),
        execution('ex-running', { status: 'running', startedAt: T0, deadlineAt: now }),
        execution('ex-delay', { status: 'waiting', startedAt: T0, deadlineAt: now - 90 }),
        execution('ex-approval', { status: 'waiting', startedAt: T0, deadlineAt: now - 90, waitStartedAt: T0 + 5 }),
        execution('ex-later', { status: 'running', startedAt: T0, deadlineAt: now + 1 }),
        execution('ex-held', { status: 'held', heldAt: T0, deadlineAt: now - 90 }),
        ended('ex-ended', 'succeeded', T0 + 20, { deadlineAt: now - 90 }),
      ],
    });
    const due = await e.run((tx) => tx.executions.pastDeadline(now));
    expect(due.map((r) => r.id).sort()).toEqual(['ex-delay', 'ex-queued', 'ex-running']);
    // Whole rows, as get reads them.
    expect(due.find((r) => r.id === 'ex-queued')).toEqual(executionRow('ex-queued', { deadlineAt: now - 50 }));
    expect(await e.run((tx) => tx.executions.pastDeadline(now - 91))).toEqual([]);
  });

  it.runIf(runIf)('steps: due lists waiting steps whose wake time has come, earliest first, up to the limit', async () => {
    const e = await open();
    const now = T0 + 100;
    await e.seed({
      steps: [
        step('s-late', 'ex1', { seq: 1, waitReason: 'delay', wakeAt: now - 10 }),
        step('s-early', 'ex1', { seq: 2, waitReason: 'delay', wakeAt: now - 90 }),
        step('s-now', 'ex2', { seq: 1, waitReason: 'approval', wakeAt: now }),
        step('s-future', 'ex2', { seq: 2, waitReason: 'delay', wakeAt: now + 1 }),
        // An approval without a timeout waits with no wake time: never due.
        step('s-never', 'ex3', { seq: 1, waitReason: 'approval', wakeAt: null }),
        step('s-done', 'ex3', { seq: 2, status: 'succeeded', waitReason: null, wakeAt: now - 95 }),
      ],
    });
    const due = await e.run((tx) => tx.steps.due(now, 10));
    expect(due.map((s) => [s.id, s.wakeAt])).toEqual([
      ['s-early', now - 90],
      ['s-late', now - 10],
      ['s-now', now],
    ]);
    expect(due[0]).toMatchObject({ executionId: 'ex1', status: 'waiting', waitReason: 'delay' });
    expect((await e.run((tx) => tx.steps.due(now, 2))).map((s) => s.id)).toEqual(['s-early', 's-late']);
    expect(await e.run((tx) => tx.steps.due(now - 91, 10))).toEqual([]);
  });

  it.runIf(runIf)('steps: waitingInResolvedRuns lists steps waiting for one of the reasons in active runs whose alert resolved', async () => {
    const e = await open();
    await e.seed({
      executions: [
        execution('ex-running', { status: 'running', alertResolvedAt: T0 + 1 }),
        execution('ex-waiting', { status: 'waiting', alertResolvedAt: T0 + 1 }),
        execution('ex-firing', { status: 'running' }),
        ended('ex-ended', 'failed', T0 + 5, { alertResolvedAt: T0 + 1 }),
      ],
      steps: [
        step('s-resolved', 'ex-running', { seq: 1, waitReason: 'resolved' }),
        step('s-delay', 'ex-running', { seq: 2, waitReason: 'delay' }),
        step('s-done', 'ex-running', { seq: 3, status: 'succeeded', waitReason: 'resolved' }),
        step('s-approval', 'ex-waiting', { seq: 1, waitReason: 'approval' }),
        step('s-firing', 'ex-firing', { seq: 1, waitReason: 'resolved' }),
        step('s-ended', 'ex-ended', { seq: 1, waitReason: 'resolved' }),
      ],
    });
    // Neither engine promises an order: compare sorted.
    const waiting = async (reasons: WaitReason[]) => (await e.run((tx) => tx.steps.waitingInResolvedRuns(reasons))).sort((a, b) => a.id.localeCompare(b.id));
    expect(await waiting(['resolved'])).toEqual([{ id: 's-resolved', executionId: 'ex-running' }]);
    expect(await waiting(['resolved', 'approval'])).toEqual([
      { id: 's-approval', executionId: 'ex-waiting' },
      { id: 's-resolved', executionId: 'ex-running' },
    ]);
    expect(await waiting(['poll'])).toEqual([]);
    expect(await waiting([])).toEqual([]);
  });

  it.runIf(runIf)('leases: renew extends only the owner\'s leases on running runs and counts them; holds tells whether the owner is the last claimant', async () => {
    const e = await open();
    await e.seed({
      executions: [
        execution('ex-1', { status: 'running', leaseOwner: 'p1', leaseUntil: T0 + 5 }),
        execution('ex-2', { status: 'running', leaseOwner: 'p1', leaseUntil: T0 + 5 }),
        execution('ex-other', { status: 'running', leaseOwner: 'p2', leaseUntil: T0 + 5 }),
        execution('ex-waiting', { status: 'waiting', leaseOwner: 'p1', leaseUntil: T0 + 5 }),
        execution('ex-free', { status: 'running' }),
      ],
    });
    const leaseUntil = async () =>
      Object.fromEntries(await Promise.all(['ex-1', 'ex-2', 'ex-other', 'ex-waiting', 'ex-free'].map(async (id) => [id, (await e.run((tx) => tx.executions.get(id)))?.leaseUntil])));
    expect(await e.run((tx) => tx.leases.renew('p1', ['ex-1', 'ex-2', 'ex-other', 'ex-waiting', 'ex-free', 'nope'], T0 + 60))).toBe(2);
    expect(await leaseUntil()).toEqual({ 'ex-1': T0 + 60, 'ex-2': T0 + 60, 'ex-other': T0 + 5, 'ex-waiting': T0 + 5, 'ex-free': null });
    expect(await e.run((tx) => tx.leases.renew('p1', ['ex-2'], T0 + 70))).toBe(1);
    expect(await e.run((tx) => tx.leases.renew('p3', ['ex-1', 'ex-2'], T0 + 80))).toBe(0);
    expect(await e.run((tx) => tx.leases.renew('p1', [], T0 + 80))).toBe(0);
    expect(await leaseUntil()).toEqual({ 'ex-1': T0 + 60, 'ex-2': T0 + 70, 'ex-other': T0 + 5, 'ex-waiting': T0 + 5, 'ex-free': null });

    expect(await e.run((tx) => tx.leases.holds('ex-1', 'p1'))).toBe(true);
    expect(await e.run((tx) => tx.leases.holds('ex-1', 'p2'))).toBe(false);
    // The status is not checked: a run that stopped running is still fenced by its last claimant.
    expect(await e.run((tx) => tx.leases.holds('ex-waiting', 'p1'))).toBe(true);
    expect(await e.run((tx) => tx.leases.holds('ex-free', 'p1'))).toBe(false);
    expect(await e.run((tx) => tx.leases.holds('nope', 'p1'))).toBe(false);
  });

  it.runIf(runIf)('events: body reads an event\'s stored delivery body; undefined for an unknown event', async () => {
    const e = await open();
    await e.run((tx) => tx.events.insert(event('ev1', { body: '{"receiver":"salve"}' })));
    expect(await e.run((tx) => tx.events.body('ev1'))).toBe('{"receiver":"salve"}');
    expect(await e.run((tx) => tx.events.body('nope'))).toBeUndefined();
  });

  it.runIf(runIf)('approvals: forExecution lists the run\'s approvals newest first, up to the limit; none for another run', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.approvals.insert(approval('a1', 'ex1', { createdAt: T0 }));
      await tx.approvals.insert(approval('a3', 'ex1', { createdAt: T0 + 20, status: 'approved', decidedAt: T0 + 21, decidedBy: 'ana' }));
      await tx.approvals.insert(approval('a2', 'ex1', { createdAt: T0 + 10 }));
      await tx.approvals.insert(approval('b1', 'ex2'));
    });
    expect((await e.run((tx) => tx.approvals.forExecution('ex1', 10))).map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
    expect(await e.run((tx) => tx.approvals.forExecution('ex1', 1))).toEqual([approval('a3', 'ex1', { createdAt: T0 + 20, status: 'approved', decidedAt: T0 + 21, decidedBy: 'ana' })]);
    expect(await e.run((tx) => tx.approvals.forExecution('ex3', 10))).toEqual([]);
  });

  it.runIf(runIf)('approval links: markUsed records a use once (false the second time, the first kept); remove makes the link usable again', async () => {
    const e = await open();
    const use = { id: 'link1', executionId: 'ex1', nodeId: 'approve', approvalId: 'a1', expiresAt: T0 + 900, usedAt: T0 + 5, usedBy: 'user:ana', usedByName: 'ana' };
    expect(await e.run((tx) => tx.approvalLinks.get('link1'))).toBeUndefined();
    expect(await e.run((tx) => tx.approvalLinks.markUsed(use))).toBe(true);
    expect(await e.run((tx) => tx.approvalLinks.markUsed({ ...use, usedAt: T0 + 6, usedBy: 'user:bob', usedByName: 'bob' }))).toBe(false);
    expect(await e.run((tx) => tx.approvalLinks.get('link1'))).toEqual(use);
    await e.run((tx) => tx.approvalLinks.remove('link1'));
    expect(await e.run((tx) => tx.approvalLinks.get('link1'))).toBeUndefined();
    expect(await e.run((tx) => tx.approvalLinks.markUsed(use))).toBe(true);
  });

  it.runIf(runIf)('leases: lockExpired is true only for a running run whose lease ended (or that never had one)', async () => {
    const e = await open();
    await e.seed({
      executions: [
        execution('ex-ended', { status: 'running', leaseOwner: 'p1', leaseUntil: T0 }),
        execution('ex-live', { status: 'running', leaseOwner: 'p1', leaseUntil: T0 + 30 }),
        execution('ex-none', { status: 'running' }),
        execution('ex-queued', { status: 'queued', leaseOwner: 'p1', leaseUntil: T0 - 5 }),
      ],
    });
    const locked = async (id: string) => e.run((tx) => tx.leases.lockExpired(id, T0 + 10));
    expect(await locked('ex-ended')).toBe(true);
    expect(await locked('ex-none')).toBe(true);
    expect(await locked('ex-live')).toBe(false);
    expect(await locked('ex-queued')).toBe(false);
    expect(await locked('nope')).toBe(false);
  });

  it.runIf(runIf)('run queue: runs taken and claimed (or found gone) in one transaction are off the queue once it commits, and not handed out again', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1'));
      await tx.executions.insertIfNew(execution('ex2', { dedupKey: 'dk-2' }));
    });
    // Cancelled while queued: PostgreSQL still has its job, SQLite no longer lists it.
    await e.run((tx) => tx.executions.transition('ex2', ['queued'], { status: 'cancelled', updatedAt: T0 + 1 }));
    const taken = await e.takeQueued(10);
    expect(taken.map((r) => r.executionId)).toContain('ex1');
    await e.run(async (tx) => {
      for (const { executionId } of taken) await tx.executions.transition(executionId, ['queued'], { status: 'running', updatedAt: T0 + 2 });
      await tx.runQueue.taken(taken);
    });
    expect((await e.run((tx) => tx.executions.get('ex1')))?.status).toBe('running');
    expect((await e.run((tx) => tx.executions.get('ex2')))?.status).toBe('cancelled');
    expect(await e.runQueue()).toEqual([]);
    expect(await e.takeQueued(10)).toEqual([]);
  });

  it.runIf(runIf)('executions: release moves a held run to queued, saying who, when and why, with a fresh deadline; it is then in the run queue', async () => {
    const e = await open();
    const held = { status: 'held', targetKey: 'web-1', heldAt: T0, heldLimit: 'cooldown', heldReason: 'ran 1 min ago' } as const;
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex1', held));
      await tx.executions.insertIfNew(execution('ex2', held));
    });
    expect(await e.runQueue()).toEqual([]);
    expect(await e.run((tx) => tx.executions.release('ex1', 'user:ana', 'checked, go', T0 + 5, T0 + 60_005))).toBe(true);
    expect(await e.run((tx) => tx.executions.release('ex2', 'admin', null, T0 + 6, T0 + 60_006))).toBe(true);
    const released = executionRow('ex1', { ...held, status: 'queued', releasedBy: 'user:ana', releasedAt: T0 + 5, releasedComment: 'checked, go', updatedAt: T0 + 5, deadlineAt: T0 + 60_005 });
    expect(await e.run((tx) => tx.executions.get('ex1'))).toEqual(released);
    expect(await e.run((tx) => tx.executions.get('ex2'))).toEqual(
      executionRow('ex2', { ...held, status: 'queued', releasedBy: 'admin', releasedAt: T0 + 6, releasedComment: null, updatedAt: T0 + 6, deadlineAt: T0 + 60_006 }),
    );
    expect(await e.runQueue()).toEqual(['ex1', 'ex2']);
    // Released already: no longer held, so a second release (another person at once) is refused and changes nothing.
    expect(await e.run((tx) => tx.executions.release('ex1', 'user:bob', 'me too', T0 + 7, T0 + 60_007))).toBe(false);
    expect(await e.run((tx) => tx.executions.get('ex1'))).toEqual(released);
    expect(await e.runQueue()).toEqual(['ex1', 'ex2']);
  });

  it.runIf(runIf)('executions: release answers false and changes nothing for a run not held or unknown; a rolled-back release leaves the run held and off the queue', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.executions.insertIfNew(execution('ex-running', { status: 'running', startedAt: T0 }));
      await tx.executions.insertIfNew(execution('ex-cancelled', { status: 'cancelled', heldAt: T0, finishedAt: T0 + 1 }));
      await tx.executions.insertIfNew(execution('ex-held', { status: 'held', heldAt: T0, heldLimit: 'cooldown', heldReason: 'x' }));
    });
    const before = await Promise.all(['ex-running', 'ex-cancelled', 'ex-held'].map((id) => e.run((tx) => tx.executions.get(id))));
    expect(await e.run((tx) => tx.executions.release('ex-running', 'user:ana', null, T0 + 5, T0 + 60_005))).toBe(false);
    expect(await e.run((tx) => tx.executions.release('ex-cancelled', 'user:ana', null, T0 + 5, T0 + 60_005))).toBe(false);
    expect(await e.run((tx) => tx.executions.release('nope', 'user:ana', null, T0 + 5, T0 + 60_005))).toBe(false);
    await expect(
      e.run(async (tx) => {
        expect(await tx.executions.release('ex-held', 'user:ana', null, T0 + 5, T0 + 60_005)).toBe(true);
        throw new Error('the decision failed after the release');
      }),
    ).rejects.toThrow('the decision failed after the release');
    expect(await Promise.all(['ex-running', 'ex-cancelled', 'ex-held'].map((id) => e.run((tx) => tx.executions.get(id))))).toEqual(before);
    expect(await e.run((tx) => tx.executions.get('nope'))).toBeUndefined();
    expect(await e.runQueue()).toEqual([]);
  });

  it.runIf(runIf)('approvals: get and lock read an approval back whole; undefined for an unknown id', async () => {
    const e = await open();
    const full = approval('a1', 'ex1', { status: 'approved', decidedAt: T0 + 1, decidedBy: 'user:ana', comment: 'ok', planHash: 'h1', rules: '{"quorum":2}' });
    await e.run(async (tx) => {
      await tx.approvals.insert(full);
      await tx.approvals.insert(approval('a2', 'ex1'));
    });
    expect(await e.run((tx) => tx.approvals.get('a1'))).toEqual(full);
    expect(await e.run((tx) => tx.approvals.get('a2'))).toEqual(approval('a2', 'ex1'));
    expect(await e.run((tx) => tx.approvals.get('nope'))).toBeUndefined();
    expect(await e.run((tx) => tx.approvals.lock('a1'))).toEqual(full);
    expect(await e.run((tx) => tx.approvals.lock('nope'))).toBeUndefined();
    // Locked, then changed in the same transaction: the lock does not stand in its own way.
    const decided = await e.run(async (tx) => {
      await tx.approvals.lock('a2');
      await tx.approvals.decide('a2', { status: 'rejected', decidedAt: T0 + 2, decidedBy: 'user:bob', comment: null });
      return tx.approvals.get('a2');
    });
    expect(decided).toEqual(approval('a2', 'ex1', { status: 'rejected', decidedAt: T0 + 2, decidedBy: 'user:bob' }));
  });

  it.runIf(runIf)('approvals: insertDecision records one decision per approval and decider (false the second time, the first kept); decisionsFor lists them oldest first', async () => {
    const e = await open();
    const ana = decision('a1', 'user:ana', T0 + 20, { comment: 'looks right', planHash: 'h1', via: 'link' });
    const bob = decision('a1', 'user:bob', T0 + 10, { decision: 'reject' });
    const admin = decision('a1', 'admin', T0 + 30);
    expect(await e.run((tx) => tx.approvals.decisionsFor('a1'))).toEqual([]);
    expect(await e.run((tx) => tx.approvals.insertDecision(ana))).toBe(true);
    expect(await e.run((tx) => tx.approvals.insertDecision(bob))).toBe(true);
    expect(await e.run((tx) => tx.approvals.insertDecision(admin))).toBe(true);
    // The same person again (another tab, a link): refused, the first decision stays as it was.
    expect(await e.run((tx) => tx.approvals.insertDecision({ ...ana, decision: 'reject', comment: 'changed my mind', at: T0 + 40 }))).toBe(false);
    // The same person on another approval is another decision.
    expect(await e.run((tx) => tx.approvals.insertDecision(decision('a2', 'user:ana', T0 + 5)))).toBe(true);
    expect(await e.run((tx) => tx.approvals.decisionsFor('a1'))).toEqual([bob, ana, admin]);
    expect(await e.run((tx) => tx.approvals.decisionsFor('a2'))).toEqual([decision('a2', 'user:ana', T0 + 5)]);
    expect(await e.run((tx) => tx.approvals.decisionsFor('nope'))).toEqual([]);
  });

  it.runIf(runIf)('approvals: decisionsForMany groups the decisions by approval, oldest first, with no entry for an approval without decisions (nor for no ids)', async () => {
    const e = await open();
    const rows = [
      decision('a1', 'user:ana', T0 + 20),
      decision('a2', 'user:ana', T0 + 15, { decision: 'reject' }),
      decision('a1', 'user:bob', T0 + 10),
      decision('a3', 'user:carl', T0 + 1),
      decision('a1', 'admin', T0 + 30),
    ];
    await e.run(async (tx) => {
      for (const row of rows) await tx.approvals.insertDecision(row);
    });
    const many = await e.run((tx) => tx.approvals.decisionsForMany(['a1', 'a2', 'a-none']));
    expect([...many.keys()].sort()).toEqual(['a1', 'a2']);
    expect(many.get('a1')).toEqual([decision('a1', 'user:bob', T0 + 10), decision('a1', 'user:ana', T0 + 20), decision('a1', 'admin', T0 + 30)]);
    expect(many.get('a2')).toEqual([decision('a2', 'user:ana', T0 + 15, { decision: 'reject' })]);
    expect(await e.run((tx) => tx.approvals.decisionsForMany([]))).toEqual(new Map());
    expect(await e.run((tx) => tx.approvals.decisionsForMany(['a-none']))).toEqual(new Map());
  });

  it.runIf(runIf)('breakers: reset closes a tripped breaker saying who and when (true); an untripped or unknown breaker answers false and is left alone', async () => {
    const e = await open();
    const failures = JSON.stringify([{ executionId: 'ex1', status: 'failed', endedAt: T0 - 5 }]);
    await e.seed({
      breakers: [
        { flowId: 'f', trippedAt: T0, failures },
        { flowId: 'g', trippedAt: null, failures: '[]', resetBy: 'user:bob', resetAt: T0 - 1 },
      ],
    });
    expect(await e.run((tx) => tx.breakers.reset('f', 'user:ana', T0 + 10))).toBe(true);
    // The failures that tripped it stay (until the next trip).
    const closed = { flowId: 'f', trippedAt: null, failures, resetBy: 'user:ana', resetAt: T0 + 10 };
    expect(await e.run((tx) => tx.breakers.get('f'))).toEqual(closed);
    expect(await e.run((tx) => tx.breakers.reset('f', 'user:carl', T0 + 20))).toBe(false);
    expect(await e.run((tx) => tx.breakers.get('f'))).toEqual(closed);
    expect(await e.run((tx) => tx.breakers.reset('g', 'user:ana', T0 + 20))).toBe(false);
    expect(await e.run((tx) => tx.breakers.get('g'))).toEqual({ flowId: 'g', trippedAt: null, failures: '[]', resetBy: 'user:bob', resetAt: T0 - 1 });
    expect(await e.run((tx) => tx.breakers.reset('nope', 'user:ana', T0 + 20))).toBe(false);
    expect(await e.run((tx) => tx.breakers.get('nope'))).toBeUndefined();
    // Tripped again after a reset: reset closes it again.
    await e.run((tx) => tx.breakers.trip('f', [], T0 + 30));
    expect(await e.run((tx) => tx.breakers.reset('f', 'admin', T0 + 40))).toBe(true);
    expect(await e.run((tx) => tx.breakers.get('f'))).toEqual({ flowId: 'f', trippedAt: null, failures: '[]', resetBy: 'admin', resetAt: T0 + 40 });
  });

  it.runIf(runIf)('flows: revisionAuthor names who saved a revision; null for one saved before accounts and for a missing one', async () => {
    const e = await open();
    const doc = JSON.stringify(flowNamed('Disk full'));
    await e.seed({
      revisions: [
        { flowId: 'f', revision: 1, document: doc, createdAt: T0, author: null },
        { flowId: 'f', revision: 2, document: doc, createdAt: T0 + 1, author: 'user:ana' },
        { flowId: 'f', revision: 3, document: doc, createdAt: T0 + 2, author: 'admin' },
        { flowId: 'g', revision: 1, document: doc, createdAt: T0, author: 'user:bob' },
      ],
    });
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 1))).toBeNull();
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 2))).toBe('user:ana');
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 3))).toBe('admin');
    expect(await e.run((tx) => tx.flows.revisionAuthor('g', 1))).toBe('user:bob');
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 4))).toBeNull();
    expect(await e.run((tx) => tx.flows.revisionAuthor('h', 1))).toBeNull();
  });

  it.runIf(runIf)('people: membershipsOf lists every role of the user in every team, with where it came from; none for a user without roles', async () => {
    const e = await open();
    await e.seed({
      memberships: [
        { userId: 'u-ana', teamId: 'ops', role: 'approver', origin: 'manual' },
        { userId: 'u-ana', teamId: 'ops', role: 'operator', origin: 'oidc' },
        { userId: 'u-ana', teamId: 'db', role: 'viewer' },
        { userId: 'u-bob', teamId: 'ops', role: 'editor' },
      ],
    });
    // Neither engine promises an order: compare sorted.
    const rolesOf = async (userId: string) =>
      (await e.run((tx) => tx.people.membershipsOf(userId))).sort((a, b) => `${a.teamId}/${a.role}`.localeCompare(`${b.teamId}/${b.role}`));
    expect(await rolesOf('u-ana')).toEqual([
      { userId: 'u-ana', teamId: 'db', role: 'viewer', origin: 'manual' },
      { userId: 'u-ana', teamId: 'ops', role: 'approver', origin: 'manual' },
      { userId: 'u-ana', teamId: 'ops', role: 'operator', origin: 'oidc' },
    ]);
    expect(await rolesOf('u-bob')).toEqual([{ userId: 'u-bob', teamId: 'ops', role: 'editor', origin: 'manual' }]);
    expect(await rolesOf('u-nobody')).toEqual([]);
  });

  it.runIf(runIf)('settings: set inserts a key, then overwrites its value; get reads the value back; undefined for an unknown key', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.settings.get('automation.paused'))).toBeUndefined();
    await e.run((tx) => tx.settings.set('automation.paused', 'true', T0));
    await e.run((tx) => tx.settings.set('other', 'x', T0));
    expect(await e.run((tx) => tx.settings.get('automation.paused'))).toBe('true');
    await e.run((tx) => tx.settings.set('automation.paused', 'false', T0 + 1));
    expect(await e.run((tx) => tx.settings.get('automation.paused'))).toBe('false');
    expect(await e.run((tx) => tx.settings.get('other'))).toBe('x');
    expect(await e.run((tx) => tx.settings.get('nope'))).toBeUndefined();
    // setIfAbsent keeps a value already there and answers it; stores and answers a new key's.
    expect(await e.run((tx) => tx.settings.setIfAbsent('other', 'z', T0 + 3))).toBe('x');
    expect(await e.run((tx) => tx.settings.get('other'))).toBe('x');
    expect(await e.run((tx) => tx.settings.setIfAbsent('made-once', 'first', T0 + 3))).toBe('first');
    expect(await e.run((tx) => tx.settings.setIfAbsent('made-once', 'second', T0 + 4))).toBe('first');
    // Set and read in one transaction: the transaction sees its own write.
    expect(
      await e.run(async (tx) => {
        await tx.settings.set('other', 'y', T0 + 2);
        return tx.settings.get('other');
      }),
    ).toBe('y');
  });

  it.runIf(runIf)('schedule ticks: insert records a tick once per flow, node and time (false the second time, the first kept); latest reads the newest row, lastStarted the newest that started a run', async () => {
    const e = await open();
    const started1 = tick('every-1m', T0);
    const started2 = tick('every-1m', T0 + MINUTE);
    const overlap = tick('every-1m', T0 + 2 * MINUTE, { status: 'skipped', reason: 'overlap', executionId: started2.executionId });
    // Newest first: the order of the answers is by tick time, not by insertion.
    const inserted = await e.run(async (tx) => {
      // Taken twice in one transaction: the schedule's turn does not stand in its own way.
      await tx.scheduleTicks.lock('f', 'every-1m');
      await tx.scheduleTicks.lock('f', 'every-1m');
      return [await tx.scheduleTicks.insert(overlap), await tx.scheduleTicks.insert(started1), await tx.scheduleTicks.insert(started2)];
    });
    expect(inserted).toEqual([true, true, true]);
    // The same tick again (another process, a restart): refused, the first row stays as it was.
    expect(await e.run((tx) => tx.scheduleTicks.insert({ ...started1, status: 'skipped', reason: 'duplicate', executionId: null, recordedAt: T0 + 99 }))).toBe(false);
    // The same time on another node, or the same node in another flow, is another tick.
    expect(await e.run((tx) => tx.scheduleTicks.insert(tick('hourly', T0, { status: 'skipped', reason: 'missed', executionId: null })))).toBe(true);
    expect(await e.run((tx) => tx.scheduleTicks.insert(tick('every-1m', T0, { flowId: 'g' })))).toBe(true);

    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'every-1m'))).toEqual(overlap);
    expect(await e.run((tx) => tx.scheduleTicks.lastStarted('f', 'every-1m'))).toEqual(started2);
    expect(await e.run((tx) => tx.scheduleTicks.latest('g', 'every-1m'))).toEqual(tick('every-1m', T0, { flowId: 'g' }));
    // A schedule whose ticks were all skipped has a latest row but never started a run.
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'hourly'))).toEqual(tick('hourly', T0, { status: 'skipped', reason: 'missed', executionId: null }));
    expect(await e.run((tx) => tx.scheduleTicks.lastStarted('f', 'hourly'))).toBeUndefined();
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'nope'))).toBeUndefined();
    expect(await e.run((tx) => tx.scheduleTicks.lastStarted('f', 'nope'))).toBeUndefined();
  });

  it.runIf(runIf)('schedule ticks: latestTickAt is the last tick handled, started or skipped (a stretch counts by its last tick); undefined for a schedule never seen', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.scheduleTicks.latestTickAt('f', 'every-1m'))).toBeUndefined();
    await e.run(async (tx) => {
      await tx.scheduleTicks.insert(tick('every-1m', T0 + 4 * MINUTE, { firstTickAt: T0 + MINUTE, count: 4, status: 'skipped', reason: 'missed', executionId: null }));
      await tx.scheduleTicks.insert(tick('every-1m', T0));
      await tx.scheduleTicks.insert(tick('hourly', T0 + 60 * MINUTE));
      await tx.scheduleTicks.insert(tick('every-1m', T0 + 9 * MINUTE, { flowId: 'g' }));
    });
    expect(await e.run((tx) => tx.scheduleTicks.latestTickAt('f', 'every-1m'))).toBe(T0 + 4 * MINUTE);
    expect(await e.run((tx) => tx.scheduleTicks.latestTickAt('f', 'hourly'))).toBe(T0 + 60 * MINUTE);
    expect(await e.run((tx) => tx.scheduleTicks.latestTickAt('g', 'every-1m'))).toBe(T0 + 9 * MINUTE);
    expect(await e.run((tx) => tx.scheduleTicks.latestTickAt('f', 'nope'))).toBeUndefined();
  });

  it.runIf(runIf)('schedule ticks: covers a tick by its own row or inside a skipped stretch (its first tick to its last), not a tick outside, nor another node\'s or flow\'s', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.scheduleTicks.insert(tick('every-1m', T0));
      // Salve was down for three ticks: one row for the stretch.
      await tx.scheduleTicks.insert(tick('every-1m', T0 + 3 * MINUTE, { firstTickAt: T0 + MINUTE, count: 3, status: 'skipped', reason: 'missed', executionId: null }));
    });
    const covers = (tickAt: number, nodeId = 'every-1m', flowId = 'f') => e.run((tx) => tx.scheduleTicks.covers(flowId, nodeId, tickAt));
    expect(await covers(T0)).toBe(true);
    expect(await covers(T0 + MINUTE)).toBe(true);
    expect(await covers(T0 + 2 * MINUTE)).toBe(true);
    expect(await covers(T0 + 3 * MINUTE)).toBe(true);
    expect(await covers(T0 + 2 * MINUTE + 1)).toBe(true);
    expect(await covers(T0 - MINUTE)).toBe(false);
    expect(await covers(T0 + 1)).toBe(false); // between the tick's row and the stretch
    expect(await covers(T0 + 4 * MINUTE)).toBe(false);
    expect(await covers(T0 + 2 * MINUTE, 'hourly')).toBe(false);
    expect(await covers(T0, 'every-1m', 'g')).toBe(false);
  });

  it.runIf(runIf)('schedule ticks: extend moves a stretch\'s end to a later tick and counts one more, keeping its start; false for a missing row', async () => {
    const e = await open();
    const missed = tick('every-1m', T0, { status: 'skipped', reason: 'missed', executionId: null });
    await e.run(async (tx) => {
      await tx.scheduleTicks.insert(missed);
      await tx.scheduleTicks.insert(tick('hourly', T0, { status: 'skipped', reason: 'missed', executionId: null }));
    });
    expect(await e.run((tx) => tx.scheduleTicks.extend('f', 'every-1m', T0, T0 + MINUTE, T0 + MINUTE + 7))).toBe(true);
    expect(await e.run((tx) => tx.scheduleTicks.extend('f', 'every-1m', T0 + MINUTE, T0 + 2 * MINUTE, T0 + 2 * MINUTE + 7))).toBe(true);
    const stretch = { ...missed, tickAt: T0 + 2 * MINUTE, count: 3, recordedAt: T0 + 2 * MINUTE + 7 };
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'every-1m'))).toEqual(stretch);
    expect(await e.run((tx) => tx.scheduleTicks.covers('f', 'every-1m', T0 + MINUTE))).toBe(true);
    // The row moved: its old end is no longer a row to extend, nor is a tick no row ends at, nor another schedule's.
    expect(await e.run((tx) => tx.scheduleTicks.extend('f', 'every-1m', T0, T0 + 3 * MINUTE, T0 + 3 * MINUTE))).toBe(false);
    expect(await e.run((tx) => tx.scheduleTicks.extend('f', 'every-1m', T0 + 5 * MINUTE, T0 + 6 * MINUTE, T0 + 6 * MINUTE))).toBe(false);
    expect(await e.run((tx) => tx.scheduleTicks.extend('g', 'every-1m', T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 3 * MINUTE))).toBe(false);
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'every-1m'))).toEqual(stretch);
    // The other node's row at the same time was left alone.
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'hourly'))).toEqual(tick('hourly', T0, { status: 'skipped', reason: 'missed', executionId: null }));
  });

  it.runIf(runIf)('schedule ticks: prune forgets the schedule\'s rows of ticks before a time (a stretch ending later is kept whole), not other schedules\' rows', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.scheduleTicks.insert(tick('every-1m', T0));
      await tx.scheduleTicks.insert(tick('every-1m', T0 + 3 * MINUTE, { firstTickAt: T0 + MINUTE, count: 3, status: 'skipped', reason: 'missed', executionId: null }));
      await tx.scheduleTicks.insert(tick('every-1m', T0 + 4 * MINUTE));
      await tx.scheduleTicks.insert(tick('hourly', T0));
      await tx.scheduleTicks.insert(tick('every-1m', T0, { flowId: 'g' }));
    });
    const covers = (tickAt: number, nodeId = 'every-1m', flowId = 'f') => e.run((tx) => tx.scheduleTicks.covers(flowId, nodeId, tickAt));
    await e.run((tx) => tx.scheduleTicks.prune('f', 'every-1m', T0 + 2 * MINUTE));
    expect(await covers(T0)).toBe(false);
    expect(await covers(T0 + MINUTE)).toBe(true);
    expect(await covers(T0 + 4 * MINUTE)).toBe(true);
    expect(await covers(T0, 'hourly')).toBe(true);
    expect(await covers(T0, 'every-1m', 'g')).toBe(true);
    // The tick at `before` itself is kept.
    await e.run((tx) => tx.scheduleTicks.prune('f', 'every-1m', T0 + 4 * MINUTE));
    expect(await covers(T0 + MINUTE)).toBe(false);
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'every-1m'))).toEqual(tick('every-1m', T0 + 4 * MINUTE));
    await e.run((tx) => tx.scheduleTicks.prune('f', 'every-1m', T0 + 5 * MINUTE));
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'every-1m'))).toBeUndefined();
    expect(await e.run((tx) => tx.scheduleTicks.latest('f', 'hourly'))).toEqual(tick('hourly', T0));
  });

  // SQLite has one writer: a second transaction never runs beside the first, so there is no waiting to show.
  it.runIf(runIf)('flows: insert stores revision 1 with its team and author; get, summary and currentRevision read it back; undefined for an unknown id', async () => {
    const e = await open();
    const flow = flowWith('f', { name: 'Disk full' });
    const summary = { id: 'f', name: 'Disk full', enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'ops' };
    expect(await e.run((tx) => tx.flows.insert(flow, T0, { teamId: 'ops', author: 'user:ana' }))).toEqual({ ...summary, flow });
    expect(await e.run((tx) => tx.flows.get('f'))).toEqual({ ...summary, flow });
    expect(await e.run((tx) => tx.flows.summary('f'))).toEqual(summary);
    expect(await e.run((tx) => tx.flows.currentRevision('f'))).toBe(1);
    expect(await e.run((tx) => tx.flows.getRevision('f', 1))).toEqual(flow);
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 1))).toBe('user:ana');
    expect(await e.run((tx) => tx.flows.listRevisions('f', T0))).toEqual([{ revision: 1, createdAt: T0, author: 'user:ana', document: JSON.stringify(flow) }]);
    // Disabled, with no author.
    const off = flowWith('g', { enabled: false });
    expect(await e.run((tx) => tx.flows.insert(off, T0 + 1, { teamId: 'default', author: null }))).toEqual({
      id: 'g',
      name: 'Flow g',
      enabled: false,
      revision: 1,
      createdAt: T0 + 1,
      updatedAt: T0 + 1,
      teamId: 'default',
      flow: off,
    });
    expect(await e.run((tx) => tx.flows.summary('g'))).toMatchObject({ enabled: false, revision: 1 });
    expect(await e.run((tx) => tx.flows.revisionAuthor('g', 1))).toBeNull();
    expect(await e.run((tx) => tx.flows.summary('h'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.currentRevision('h'))).toBeUndefined();
  });

  it.runIf(runIf)('flows: a second insert of an id in use rejects and changes nothing: the first flow and its one revision stay', async () => {
    const e = await open();
    const first = flowWith('f', { name: 'First' });
    await e.run((tx) => tx.flows.insert(first, T0, { teamId: 'ops', author: 'user:ana' }));
    // PostgreSQL answers a ConflictError (the case below); SQLite's insert hits the primary key (its callers check the id is free first, in the same transaction).
    await expect(e.run((tx) => tx.flows.insert(flowWith('f', { name: 'Second', enabled: false }), T0 + 5, { teamId: 'other', author: 'user:bob' }))).rejects.toThrow();
    expect(await e.run((tx) => tx.flows.get('f'))).toEqual({ id: 'f', name: 'First', enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'ops', flow: first });
    expect(await e.run((tx) => tx.flows.listRevisions('f', 0))).toEqual([{ revision: 1, createdAt: T0, author: 'user:ana', document: JSON.stringify(first) }]);
    expect(await e.run((tx) => tx.flows.getRevision('f', 2))).toBeUndefined();
  });

  it.runIf(runIf)('flows: insert after delete continues after the highest revision kept (gaps too), and the old revisions still read back', async () => {
    const e = await open();
    const v1 = flowWith('f', { name: 'v1' });
    const v2 = flowWith('f', { name: 'v2' });
    await e.run((tx) => tx.flows.insert(v1, T0, { teamId: 'default', author: 'user:ana' }));
    await e.run((tx) => tx.flows.update(v2, 1, T0 + 1, 'user:ana'));
    expect(await e.run((tx) => tx.flows.delete('f'))).toBe(true);
    const again = flowWith('f', { name: 'again' });
    expect(await e.run((tx) => tx.flows.insert(again, T0 + 2, { teamId: 'ops', author: 'user:bob' }))).toMatchObject({ revision: 3, createdAt: T0 + 2, teamId: 'ops', flow: again });
    expect(await e.run((tx) => tx.flows.currentRevision('f'))).toBe(3);
    expect(await e.run((tx) => tx.flows.getRevision('f', 1))).toEqual(v1);
    expect(await e.run((tx) => tx.flows.getRevision('f', 2))).toEqual(v2);
    expect(await e.run((tx) => tx.flows.getRevision('f', 3))).toEqual(again);
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 3))).toBe('user:bob');
    // The highest kept, not one more than how many: revisions 1 and 4 of a deleted `g` make the next 5.
    const doc = JSON.stringify(flowWith('g'));
    await e.seed({
      revisions: [
        { flowId: 'g', revision: 1, document: doc, createdAt: T0 - 20, author: null },
        { flowId: 'g', revision: 4, document: doc, createdAt: T0 - 10, author: null },
      ],
    });
    expect(await e.run((tx) => tx.flows.insert(flowWith('g'), T0 + 3, { teamId: 'default', author: null }))).toMatchObject({ id: 'g', revision: 5 });
    expect(await e.run((tx) => tx.flows.listRevisions('g', T0 + 3))).toEqual([{ revision: 5, createdAt: T0 + 3, author: null, document: doc }]);
  });

  it.runIf(runIf)('flows: update writes the next revision with its author when the current one is the expected one; a stale or unknown one answers undefined and changes nothing', async () => {
    const e = await open();
    const v1 = flowWith('f', { name: 'v1' });
    await e.run((tx) => tx.flows.insert(v1, T0, { teamId: 'ops', author: 'user:ana' }));
    const v2 = flowWith('f', { name: 'v2', enabled: false });
    const current = { id: 'f', name: 'v2', enabled: false, revision: 2, createdAt: T0, updatedAt: T0 + 10, teamId: 'ops', flow: v2 };
    expect(await e.run((tx) => tx.flows.update(v2, 1, T0 + 10, 'user:bob'))).toEqual(current);
    expect(await e.run((tx) => tx.flows.get('f'))).toEqual(current);
    expect(await e.run((tx) => tx.flows.getRevision('f', 2))).toEqual(v2);
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 2))).toBe('user:bob');
    // Stale: someone saved revision 2 meanwhile.
    expect(await e.run((tx) => tx.flows.update(flowWith('f', { name: 'v3' }), 1, T0 + 20, 'user:carl'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.get('f'))).toEqual(current);
    expect(await e.run((tx) => tx.flows.getRevision('f', 3))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.listRevisions('f', T0))).toEqual([
      { revision: 2, createdAt: T0 + 10, author: 'user:bob', document: JSON.stringify(v2) },
      { revision: 1, createdAt: T0, author: 'user:ana', document: JSON.stringify(v1) },
    ]);
    // No such flow: nothing written, not even a revision.
    expect(await e.run((tx) => tx.flows.update(flowWith('g'), 1, T0 + 20, 'user:carl'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.get('g'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.getRevision('g', 2))).toBeUndefined();
    // Without an author.
    const v3 = flowWith('f', { name: 'v3' });
    expect(await e.run((tx) => tx.flows.update(v3, 2, T0 + 30, null))).toMatchObject({ revision: 3, enabled: true, updatedAt: T0 + 30, flow: v3 });
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 3))).toBeNull();
    expect(await e.run((tx) => tx.flows.summary('f'))).toEqual({ id: 'f', name: 'v3', enabled: true, revision: 3, createdAt: T0, updatedAt: T0 + 30, teamId: 'ops' });
  });

  it.runIf(runIf)('flows: list, listEnabled and listDisabled order by id as bytes compare ("-" before digits and letters, capitals first), even under a linguistic collation', async () => {
    const e = await open();
    // PostgreSQL: flows.id compares linguistically here, as in a database created with a locale
    // like en_US.UTF-8, which skips '-' at first ('ab' before 'a-z'); the test server's is C.
    expect(await e.linguisticFlowIds()).toBe(name === 'postgres');
    const enabled = ['a-z', 'ab', 'b'];
    await e.run(async (tx) => {
      for (const id of ['b', 'a0', 'ab', 'a-z', 'a', 'a-b']) await tx.flows.insert(flowWith(id, { enabled: enabled.includes(id) }), T0, { teamId: 'default', author: null });
    });
    // Flow ids are slugs; rows written outside Salve may hold others (capitals, '_'): they list in byte order too.
    await e.seed({ flows: ['a_y', 'B-x'].map((id) => ({ ...flowsRow(flowWith('x', { enabled: false })), id })) });
    const list = await e.run((tx) => tx.flows.list());
    expect(list.map((f) => f.id)).toEqual(['B-x', 'a', 'a-b', 'a-z', 'a0', 'a_y', 'ab', 'b']);
    // Summaries: no document.
    expect(list[1]).toEqual({ id: 'a', name: 'Flow a', enabled: false, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'default' });
    const on = await e.run((tx) => tx.flows.listEnabled());
    expect(on.map((f) => f.id)).toEqual(['a-z', 'ab', 'b']);
    expect(on.map((f) => f.flow)).toEqual(['a-z', 'ab', 'b'].map((id) => flowWith(id)));
    const off = await e.run((tx) => tx.flows.listDisabled());
    expect(off.map((f) => f.id)).toEqual(['B-x', 'a', 'a-b', 'a0', 'a_y']);
    expect(off[2]).toEqual({ id: 'a-b', name: 'Flow a-b', enabled: false, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'default', flow: flowWith('a-b', { enabled: false }) });
  });

  it.runIf(runIf)('flows: a disabled flow whose stored document is damaged is left out of listDisabled; an enabled one makes listEnabled reject with StoredFlowError', async () => {
    const e = await open();
    await e.seed({
      flows: [flowsRow(flowWith('a', { enabled: false })), damagedFlowsRow('b', false), damagedFlowsRow('c', false, '{"format":"nope"}'), flowsRow(flowWith('d'))],
    });
    expect((await e.run((tx) => tx.flows.listDisabled())).map((f) => f.id)).toEqual(['a']);
    expect((await e.run((tx) => tx.flows.listEnabled())).map((f) => f.id)).toEqual(['d']);
    // Summaries do not read documents: every flow is listed.
    expect((await e.run((tx) => tx.flows.list())).map((f) => f.id)).toEqual(['a', 'b', 'c', 'd']);
    await e.seed({ flows: [damagedFlowsRow('e', true)] });
    const listed = e.run((tx) => tx.flows.listEnabled());
    await expect(listed).rejects.toBeInstanceOf(StoredFlowError);
    await expect(listed).rejects.toThrow('stored flow "e" revision 1 is not a valid flow document: not JSON');
    expect((await e.run((tx) => tx.flows.listDisabled())).map((f) => f.id)).toEqual(['a']);
  });

  it.runIf(runIf)('flows: listRevisions lists the revisions saved since the flow was created, newest first, documents as stored; an earlier deleted flow\'s of the same id are left out', async () => {
    const e = await open();
    const old = JSON.stringify(flowWith('f', { name: 'old' }));
    // Stored text as it is, whitespace and all.
    const v3 = JSON.stringify(flowWith('f', { name: 'v3' }), null, 2);
    const v4 = JSON.stringify(flowWith('f', { name: 'v4' }));
    await e.seed({
      flows: [flowsRow(flowWith('f', { name: 'v4' }), { revision: 4, createdAt: T0, updatedAt: T0 + 10 })],
      revisions: [
        { flowId: 'f', revision: 1, document: old, createdAt: T0 - 100, author: 'user:old' },
        { flowId: 'f', revision: 2, document: old, createdAt: T0 - 50, author: null },
        { flowId: 'f', revision: 3, document: v3, createdAt: T0, author: 'user:ana' },
        { flowId: 'f', revision: 4, document: v4, createdAt: T0 + 10, author: null },
        { flowId: 'g', revision: 1, document: old, createdAt: T0 + 5, author: 'user:ana' },
      ],
    });
    expect(await e.run((tx) => tx.flows.listRevisions('f', T0))).toEqual([
      { revision: 4, createdAt: T0 + 10, author: null, document: v4 },
      { revision: 3, createdAt: T0, author: 'user:ana', document: v3 },
    ]);
    expect((await e.run((tx) => tx.flows.listRevisions('f', T0 - 100))).map((r) => r.revision)).toEqual([4, 3, 2, 1]);
    expect(await e.run((tx) => tx.flows.listRevisions('h', 0))).toEqual([]);
  });

  it.runIf(runIf)('flows: delete removes the flow (true) and keeps its revisions; false for a flow already deleted or unknown', async () => {
    const e = await open();
    const v1 = flowWith('f', { name: 'v1' });
    const v2 = flowWith('f', { name: 'v2' });
    await e.run(async (tx) => {
      await tx.flows.insert(v1, T0, { teamId: 'ops', author: 'user:ana' });
      await tx.flows.update(v2, 1, T0 + 1, 'user:bob');
      await tx.flows.insert(flowWith('g'), T0, { teamId: 'default', author: null });
    });
    expect(await e.run((tx) => tx.flows.delete('f'))).toBe(true);
    expect(await e.run((tx) => tx.flows.get('f'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.summary('f'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.currentRevision('f'))).toBeUndefined();
    expect(await e.run((tx) => tx.flows.team('f'))).toBeUndefined();
    expect((await e.run((tx) => tx.flows.list())).map((f) => f.id)).toEqual(['g']);
    // Past executions still show what ran.
    expect(await e.run((tx) => tx.flows.getRevision('f', 1))).toEqual(v1);
    expect(await e.run((tx) => tx.flows.getRevision('f', 2))).toEqual(v2);
    expect(await e.run((tx) => tx.flows.revisionAuthor('f', 2))).toBe('user:bob');
    expect(await e.run((tx) => tx.flows.delete('f'))).toBe(false);
    expect(await e.run((tx) => tx.flows.delete('nope'))).toBe(false);
    expect(await e.run((tx) => tx.flows.currentRevision('g'))).toBe(1);
  });

  it.runIf(runIf)('breakers: tripped maps each tripped flow to its trip time, not the reset ones; delete removes a flow\'s breaker, tripped or not, and no other', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.breakers.tripped())).toEqual(new Map());
    await e.seed({
      breakers: [
        { flowId: 'f', trippedAt: T0, failures: '[]' },
        { flowId: 'g', trippedAt: null, failures: '[]', resetBy: 'user:ana', resetAt: T0 + 1 },
        { flowId: 'h', trippedAt: T0 + 5, failures: '[]' },
      ],
    });
    expect(await e.run((tx) => tx.breakers.tripped())).toEqual(
      new Map([
        ['f', T0],
        ['h', T0 + 5],
      ]),
    );
    await e.run(async (tx) => {
      await tx.breakers.delete('f');
      await tx.breakers.delete('g');
      await tx.breakers.delete('nope');
    });
    expect(await e.run((tx) => tx.breakers.get('f'))).toBeUndefined();
    expect(await e.run((tx) => tx.breakers.get('g'))).toBeUndefined();
    expect(await e.run((tx) => tx.breakers.get('h'))).toEqual({ flowId: 'h', trippedAt: T0 + 5, failures: '[]', resetBy: null, resetAt: null });
    expect(await e.run((tx) => tx.breakers.tripped())).toEqual(new Map([['h', T0 + 5]]));
    // A flow re-created with the same id starts closed; tripping it again counts it again.
    await e.run((tx) => tx.breakers.trip('f', [], T0 + 10));
    expect(await e.run((tx) => tx.breakers.tripped())).toEqual(
      new Map([
        ['f', T0 + 10],
        ['h', T0 + 5],
      ]),
    );
  });

  // SQLite has one writer: two inserts never run at once there.
  it.runIf(runIf)('people: user reads a user back whole by id; undefined for an unknown id', async () => {
    const e = await open();
    const ana = userRow(T0, 'u1', 'ana', { displayName: 'Ana', email: 'ana@example.org', updatedAt: T0 + 1 });
    await e.seed({ users: [ana] });
    expect(await e.run((tx) => tx.people.user('u1'))).toEqual(ana);
    expect(await e.run((tx) => tx.people.user('u2'))).toBeUndefined();
  });

  it.runIf(runIf)('events: deleteReceivedBefore deletes the oldest events received before the cutoff, a batch at a time, with their refs; later ones and their refs are kept; it returns how many, 0 when none are left', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.events.insert(event('ev-30', { receivedAt: T0 + 30 }), ['flow:f', 'source:alertmanager']);
      await tx.events.insert(event('ev-10', { receivedAt: T0 + 10 }), ['flow:f']);
      await tx.events.insert(event('ev-20', { receivedAt: T0 + 20 }), ['flow:g', 'source:alertmanager']);
      await tx.events.insert(event('ev-at', { receivedAt: CUTOFF }), ['flow:f']);
      await tx.events.insert(event('ev-late', { receivedAt: CUTOFF + 50 }), ['flow:g']);
    });
    const present = async (ids: string[]) => e.run(async (tx) => Promise.all(ids.map(async (id) => (await tx.events.body(id)) !== undefined)));
    const all = ['ev-10', 'ev-20', 'ev-30', 'ev-at', 'ev-late'];

    // The two oldest first, whatever order they came in.
    expect(await e.run((tx) => tx.events.deleteReceivedBefore(CUTOFF, 2))).toBe(2);
    expect(await present(all)).toEqual([false, false, true, true, true]);
    expect(await e.eventRefs()).toEqual([
      { eventId: 'ev-30', ref: 'flow:f' },
      { eventId: 'ev-30', ref: 'source:alertmanager' },
      { eventId: 'ev-at', ref: 'flow:f' },
      { eventId: 'ev-late', ref: 'flow:g' },
    ]);

    // The rest before the cutoff; one received at the cutoff is not before it.
    expect(await e.run((tx) => tx.events.deleteReceivedBefore(CUTOFF, 2))).toBe(1);
    expect(await present(all)).toEqual([false, false, false, true, true]);
    expect(await e.eventRefs()).toEqual([
      { eventId: 'ev-at', ref: 'flow:f' },
      { eventId: 'ev-late', ref: 'flow:g' },
    ]);
    expect(await e.run((tx) => tx.events.deleteReceivedBefore(CUTOFF, 2))).toBe(0);
    expect(await present(all)).toEqual([false, false, false, true, true]);
  });

  it.runIf(runIf)('executions: deleteFinishedBefore deletes the runs that ended before the cutoff, in every terminal status, with their steps, approvals, decisions and used links; active runs and runs that ended later are kept with theirs', async () => {
    const e = await open();
    await e.seed({
      executions: [
        ended('old-succeeded', 'succeeded', T0 + 10),
        ended('old-no-action', 'no_action', T0 + 11, { createdAt: T0 + 1 }),
        ended('old-failed', 'failed', T0 + 12, { createdAt: T0 + 2 }),
        ended('old-attention', 'needs_attention', T0 + 13, { createdAt: T0 + 3 }),
        ended('old-cancelled', 'cancelled', T0 + 14, { createdAt: T0 + 4 }),
        ended('old-timed-out', 'timed_out', T0 + 15, { createdAt: T0 + 5 }),
        // Created before the cutoff, ended after it.
        ended('late', 'failed', CUTOFF + 10, { createdAt: T0 + 6, updatedAt: CUTOFF + 10 }),
        // Ended at the cutoff: not before it.
        ended('at-cutoff', 'succeeded', CUTOFF, { createdAt: T0 + 7, updatedAt: CUTOFF }),
        // Still going, however old (their last update is before the cutoff too).
        execution('queued', { status: 'queued', createdAt: T0 + 8 }),
        execution('running', { status: 'running', startedAt: T0 + 9, createdAt: T0 + 9 }),
        execution('waiting', { status: 'waiting', startedAt: T0 + 9, createdAt: T0 + 9, waitStartedAt: T0 + 10 }),
      ],
      steps: [
        step('s-old-1', 'old-succeeded', { status: 'succeeded', waitReason: null }),
        step('step-a-old', 'old-succeeded', { seq: 2, nodeId: 'approve', nodeType: 'approval', status: 'succeeded', waitReason: null }),
        step('s-failed', 'old-failed', { status: 'failed', waitReason: null }),
        step('step-a-late', 'late', { nodeId: 'approve', nodeType: 'approval', status: 'succeeded', waitReason: null }),
        step('step-a-waiting', 'waiting', { nodeId: 'approve', nodeType: 'approval', waitReason: 'approval' }),
      ],
      approvals: [
        approval('a-old', 'old-succeeded', { status: 'approved', decidedAt: T0 + 6, decidedBy: 'user:ana' }),
        approval('a-late', 'late', { status: 'approved', decidedAt: T0 + 6, decidedBy: 'user:ana' }),
        approval('a-waiting', 'waiting'),
      ],
      approvalDecisions: [decision('a-old', 'user:ana', T0 + 5), decision('a-old', 'user:bob', T0 + 6), decision('a-late', 'user:ana', T0 + 6), decision('a-waiting', 'user:ana', T0 + 11)],
      approvalLinks: [usedLink('l-old', 'old-succeeded', 'a-old'), usedLink('l-late', 'late', 'a-late'), usedLink('l-waiting', 'waiting', 'a-waiting')],
    });

    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 100))).toBe(6);

    const gone = ['old-succeeded', 'old-no-action', 'old-failed', 'old-attention', 'old-cancelled', 'old-timed-out'];
    const kept = ['late', 'at-cutoff', 'queued', 'running', 'waiting'];
    const runs = await e.run(async (tx) => Promise.all([...gone, ...kept].map(async (id) => (await tx.executions.get(id))?.id)));
    expect(runs).toEqual([...gone.map(() => undefined), ...kept]);
    const after = await e.run(async (tx) => ({
      steps: {
        old: (await tx.steps.forExecution('old-succeeded')).length + (await tx.steps.forExecution('old-failed')).length,
        late: (await tx.steps.forExecution('late')).map((s) => s.id),
        waiting: (await tx.steps.forExecution('waiting')).map((s) => s.id),
      },
      approvals: [(await tx.approvals.get('a-old'))?.id, (await tx.approvals.get('a-late'))?.id, (await tx.approvals.get('a-waiting'))?.id],
      decisions: [(await tx.approvals.decisionsFor('a-old')).length, (await tx.approvals.decisionsFor('a-late')).length, (await tx.approvals.decisionsFor('a-waiting')).length],
      links: [(await tx.approvalLinks.get('l-old'))?.id, (await tx.approvalLinks.get('l-late'))?.id, (await tx.approvalLinks.get('l-waiting'))?.id],
    }));
    expect(after).toEqual({
      steps: { old: 0, late: ['step-a-late'], waiting: ['step-a-waiting'] },
      approvals: [undefined, 'a-late', 'a-waiting'],
      decisions: [0, 1, 1],
      links: [undefined, 'l-late', 'l-waiting'],
    });
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 100))).toBe(0);
  });

  it.runIf(runIf)('executions: deleteFinishedBefore deletes a held run never released whose last update is before the cutoff, as an ended one; a held run updated later, or a released one still active, is kept', async () => {
    const e = await open();
    const held = { heldAt: T0, heldLimit: 'maxConcurrent', heldReason: 'too many runs' };
    await e.seed({
      executions: [
        execution('held-old', { status: 'held', updatedAt: T0 + 5, ...held }),
        execution('held-recent', { status: 'held', createdAt: T0 + 1, updatedAt: CUTOFF + 5, ...held }),
        execution('released-queued', { status: 'queued', createdAt: T0 + 2, updatedAt: T0 + 5, releasedAt: T0 + 5, releasedBy: 'user:ana', ...held }),
        ended('released-ended', 'succeeded', T0 + 20, { createdAt: T0 + 3, releasedAt: T0 + 5, releasedBy: 'user:ana', ...held }),
      ],
      steps: [step('s-held', 'held-old', { status: 'pending', waitReason: null })],
    });
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 100))).toBe(2);
    const ids = ['held-old', 'held-recent', 'released-queued', 'released-ended'];
    expect(await e.run(async (tx) => Promise.all(ids.map(async (id) => (await tx.executions.get(id))?.status)))).toEqual([undefined, 'held', 'queued', undefined]);
    expect(await e.run((tx) => tx.steps.forExecution('held-old'))).toEqual([]);
  });

  it.runIf(runIf)('executions: deleteFinishedBefore keeps an ended run while a run it called is still active, and deletes both once that one ended; a run whose called runs ended goes with them', async () => {
    const e = await open();
    await e.seed({
      executions: [
        ended('parent-a', 'timed_out', T0 + 10),
        execution('child-a', { status: 'running', startedAt: T0 + 2, createdAt: T0 + 2, parentExecutionId: 'parent-a', parentStepId: 'call-a', callDepth: 1 }),
        ended('parent-b', 'succeeded', T0 + 10, { createdAt: T0 + 1 }),
        ended('child-b', 'succeeded', T0 + 8, { createdAt: T0 + 3, parentExecutionId: 'parent-b', parentStepId: 'call-b', callDepth: 1 }),
      ],
    });
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 100))).toBe(2);
    const ids = ['parent-a', 'child-a', 'parent-b', 'child-b'];
    const left = () => e.run(async (tx) => Promise.all(ids.map(async (id) => (await tx.executions.get(id))?.id)));
    expect(await left()).toEqual(['parent-a', 'child-a', undefined, undefined]);

    expect(await e.run((tx) => tx.executions.transition('child-a', ['running'], { status: 'failed', finishedAt: T0 + 20, updatedAt: T0 + 20 }))).toBe(true);
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 100))).toBe(2);
    expect(await left()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it.runIf(runIf)('executions: deleteFinishedBefore takes the oldest runs by creation first (not by end), at most a batch per call, then 0 when none are left', async () => {
    const e = await open();
    await e.seed({
      executions: [
        ended('created-3', 'failed', T0 + 13, { createdAt: T0 + 3 }),
        ended('created-1', 'succeeded', T0 + 50, { createdAt: T0 + 1 }),
        ended('created-4', 'succeeded', T0 + 11, { createdAt: T0 + 4 }),
        ended('created-2', 'cancelled', T0 + 40, { createdAt: T0 + 2 }),
        ended('created-5', 'timed_out', T0 + 12, { createdAt: T0 + 5 }),
      ],
    });
    const left = () => e.run(async (tx) => (await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await tx.executions.get(`created-${n}`))?.id))).filter(Boolean));
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 2))).toBe(2);
    expect(await left()).toEqual(['created-3', 'created-4', 'created-5']);
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 2))).toBe(2);
    expect(await left()).toEqual(['created-5']);
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 2))).toBe(1);
    expect(await e.run((tx) => tx.executions.deleteFinishedBefore(CUTOFF, 2))).toBe(0);
  });

  // SQLite has one writer: two retention runs never overlap there.
});

/** What only PostgreSQL has: several transactions at once (SQLite has one writer). */
const postgresEngine = engines.find((e) => e.name === 'postgres')!;

describe.runIf(postgresEngine.available)('store contract on postgres: concurrent transactions', () => {
  const { open } = postgresEngine;

  it('schedule ticks: lock makes a second transaction on the same schedule wait until the first commits, then find its tick handled; other schedules and the audit chain do not wait', async () => {
    const e = await open();
    const [firstHolds, holding] = gate();
    const [mayCommit, commit] = gate();
    const first = e.run(async (tx) => {
      await tx.scheduleTicks.lock('f', 'every-5m');
      await tx.scheduleTicks.insert(tick('every-5m', T0));
      holding();
      await mayCommit;
    });
    try {
      await firstHolds;
      // Another node, another flow, a pair that concatenates to the same text ('f' + 'every-5m' = 'fe' + 'very-5m'), the audit chain's lock.
      let othersDone = false;
      const others = e
        .run(async (tx) => {
          await tx.scheduleTicks.lock('f', 'hourly');
          await tx.scheduleTicks.lock('g', 'every-5m');
          await tx.scheduleTicks.lock('fe', 'very-5m');
          await tx.audit.append({ actor: { name: 'salve', via: 'system' }, action: 'breaker.trip', target: 'flow:g', now: T0 });
        })
        .then(() => {
          othersDone = true;
        });
      await waitFor(async () => othersDone || (await e.advisoryLockWaits()) > 0, 15_000, 'the other locks to be taken, or to wait');
      expect(othersDone).toBe(true);
      await others;

      let secondDone = false;
      const second = e
        .run(async (tx) => {
          await tx.scheduleTicks.lock('f', 'every-5m');
          return tx.scheduleTicks.covers('f', 'every-5m', T0);
        })
        .finally(() => {
          secondDone = true;
        });
      await waitFor(async () => secondDone || (await e.advisoryLockWaits()) > 0, 15_000, 'the second transaction to wait for the lock, or to finish');
      expect(secondDone).toBe(false);
      expect(await e.advisoryLockWaits()).toBe(1);
      commit();
      await first;
      // Its turn came after the first committed: it sees the tick the first recorded.
      expect(await second).toBe(true);
      expect(await e.advisoryLockWaits()).toBe(0);
    } finally {
      commit();
    }
  });

  it('flows: an insert of an id another transaction is creating at once waits for it, then is a ConflictError that writes no revision; so is one after it committed', async () => {
    const e = await open();
    const first = flowWith('f', { name: 'First' });
    const [firstHolds, holding] = gate();
    const [mayCommit, commit] = gate();
    const firstDone = e.run(async (tx) => {
      await tx.flows.insert(first, T0, { teamId: 'ops', author: 'user:ana' });
      holding();
      await mayCommit;
    });
    try {
      await firstHolds;
      let secondDone = false;
      const second = e
        .run((tx) => tx.flows.insert(flowWith('f', { name: 'Second' }), T0 + 1, { teamId: 'default', author: 'user:bob' }))
        .then(
          () => undefined,
          (error: unknown) => error,
        )
        .finally(() => {
          secondDone = true;
        });
      await waitFor(async () => secondDone || (await e.lockWaits()) > 0, 15_000, 'the second insert to wait for the first, or to finish');
      expect(secondDone).toBe(false);
      commit();
      await firstDone;
      const refused = await second;
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as Error).message).toBe('flow "f" already exists');
    } finally {
      commit();
    }
    expect(await e.run((tx) => tx.flows.get('f'))).toEqual({ id: 'f', name: 'First', enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'ops', flow: first });
    expect(await e.run((tx) => tx.flows.listRevisions('f', 0))).toEqual([{ revision: 1, createdAt: T0, author: 'user:ana', document: JSON.stringify(first) }]);
    await expect(e.run((tx) => tx.flows.insert(flowWith('f'), T0 + 2, { teamId: 'default', author: null }))).rejects.toBeInstanceOf(ConflictError);
    expect(await e.run((tx) => tx.flows.getRevision('f', 2))).toBeUndefined();
  });

  it('retention: a second deleteReceivedBefore and deleteFinishedBefore beside a first not yet committed skip what the first took, without waiting, and delete the next ones; each counts only its own', async () => {
    const e = await open();
    await e.seed({ executions: [1, 2, 3, 4].map((n) => ended(`ex-${n}`, 'succeeded', T0 + 10 + n, { createdAt: T0 + n })), steps: [1, 2, 3, 4].map((n) => step(`s-${n}`, `ex-${n}`, { status: 'succeeded', waitReason: null })) });
    await e.run(async (tx) => {
      for (const n of [1, 2, 3, 4]) await tx.events.insert(event(`ev-${n}`, { receivedAt: T0 + n }), ['flow:f']);
    });
    const [firstHolds, holding] = gate();
    const [mayCommit, commit] = gate();
    const first = e.run(async (tx) => {
      const counts = [await tx.events.deleteReceivedBefore(CUTOFF, 2), await tx.executions.deleteFinishedBefore(CUTOFF, 2)];
      holding();
      await mayCommit;
      return counts;
    });
    try {
      await firstHolds;
      let secondDone = false;
      const second = e
        .run(async (tx) => [await tx.events.deleteReceivedBefore(CUTOFF, 10), await tx.executions.deleteFinishedBefore(CUTOFF, 10)])
        .finally(() => {
          secondDone = true;
        });
      await waitFor(async () => secondDone || (await e.lockWaits()) > 0, 15_000, 'the second retention run to finish, or to wait for the first');
      expect(secondDone).toBe(true);
      expect(await second).toEqual([2, 2]);
      commit();
      expect(await first).toEqual([2, 2]);
    } finally {
      commit();
    }
    expect(await e.run(async (tx) => Promise.all([1, 2, 3, 4].map(async (n) => [await tx.events.body(`ev-${n}`), await tx.executions.get(`ex-${n}`)])))).toEqual([1, 2, 3, 4].map(() => [undefined, undefined]));
    expect(await e.eventRefs()).toEqual([]);
    expect(await e.run((tx) => tx.steps.withStatus('succeeded'))).toEqual([]);
  });
});
