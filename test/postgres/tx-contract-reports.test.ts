import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/audit.js';
import { type AuditInput, type AuditRow, nextAuditRow } from '../../runtime/store/audit-repo.js';
import type { EventRow } from '../../runtime/store/events-repo.js';
import type { OutcomeFilter, OutcomeRows } from '../../runtime/store/outcomes-repo.js';
import type { StoreTx } from '../../runtime/store/tx.js';
import { eventRow } from '../kit/rows.js';
import { storeEngines, type OpenEngine, type SeedRows } from '../kit/store-engines.js';

/**
 * The store contract for what the audit log, the outcomes report, flow replay and the kill
 * switch read (StoreTx `audit.list`, `outcomes.rows`, `events.forReplay`): the same rows, in the
 * same order, on SQLite and PostgreSQL. Ids that tie on time are inserted out of order, so an
 * engine that left ties to its storage order would answer differently.
 */

const engines = storeEngines();

const T0 = 1_800_000_000_000;

type ExecutionSeed = NonNullable<SeedRows['executions']>[number];
type StepSeed = NonNullable<SeedRows['steps']>[number];
type ApprovalSeed = NonNullable<SeedRows['approvals']>[number];

const event = (id: string, receivedAt: number, over: Partial<EventRow> = {}): EventRow => eventRow({ id, receivedAt, ...over });

// ---- audit ----

const auditEntry = (at: number, actor: string, via: Actor['via'], action: string, target: string, over: Partial<AuditInput> = {}): AuditInput => ({
  actor: { name: actor, via },
  action,
  target,
  now: at,
  ...over,
});

/** Ids 1 to 7, oldest first: the kill switch, flows with look-alike actions and targets (case, '_', '-', 'é'). */
const AUDIT: AuditInput[] = [
  auditEntry(T0, 'alice', 'session', 'flow.update', 'flow-a', { actor: { name: 'alice', via: 'session', address: '198.51.100.7' }, details: { revision: 2 }, before: { name: 'A' }, after: { name: 'B' } }),
  auditEntry(T0 + 1, 'bob', 'token', 'flow.breaker.reset', 'flow-ab'),
  auditEntry(T0 + 2, 'alice', 'cli', 'secret.set', 'PD_KEY'),
  auditEntry(T0 + 3, 'salve', 'system', 'automation.pause', 'automation'),
  auditEntry(T0 + 4, 'alice', 'session', 'flowx.update', 'flow_a'),
  auditEntry(T0 + 5, 'carol', 'token', 'Flow.update', 'FLOW-A'),
  auditEntry(T0 + 6, 'carol', 'token', 'flow.delete', 'flow-é'),
];

/** The rows SQLite's appendAudit writes for AUDIT, by id. */
function auditRows(): Map<number, AuditRow> {
  const rows = new Map<number, AuditRow>();
  let last: { id: number; hash: string } | undefined;
  for (const entry of AUDIT) {
    const row = nextAuditRow(entry, last);
    rows.set(row.id, row);
    last = { id: row.id, hash: row.hash };
  }
  return rows;
}

// ---- outcomes ----

const RANGE = { since: T0 - 1000, until: T0 + 1000 };

/** A run of flow `flowId` created at `createdAt` (optional columns as given). */
const run = (id: string, flowId: string, createdAt: number, over: Partial<ExecutionSeed> = {}): ExecutionSeed => ({
  id,
  flowId,
  flowRevision: 1,
  eventId: `ev-${id}`,
  sourceNodeId: 'am',
  dedupKey: `dk-${id}`,
  alert: JSON.stringify({ status: 'firing', startsAt: '2027-01-15T08:00:00.000Z', name: 'DiskFull', source: 'alertmanager' }),
  status: 'succeeded',
  createdAt,
  updatedAt: createdAt,
  deadlineAt: createdAt + 3_600_000,
  fingerprint: `fp-${id}`,
  ...over,
});

const step = (id: string, executionId: string, seq: number, status: StepSeed['status'], createdAt: number, over: Partial<StepSeed> = {}): StepSeed => ({
  id,
  executionId,
  seq,
  nodeId: `n${seq}`,
  nodeType: 'http.request',
  status,
  createdAt,
  ...over,
});

const approval = (id: string, executionId: string, stepId: string, over: Partial<ApprovalSeed> = {}): ApprovalSeed => ({
  id,
  executionId,
  stepId,
  nodeId: 'ask',
  message: 'Go?',
  status: 'pending',
  createdAt: T0 + 10,
  deadlineAt: T0 + 3_600_000,
  ...over,
});

/** Flows fa, fb and Fc (a capital: byte order puts it first), their runs, failed steps, approvals and deliveries. */
async function seedOutcomes(e: OpenEngine): Promise<void> {
  const flowRow = (id: string, name: string) => ({ id, name, enabled: true, revision: 1, document: '{}', createdAt: T0, updatedAt: T0, teamId: 'default' });
  await e.seed({
    flows: [flowRow('fb', 'Flow B'), flowRow('fa', 'Flow A'), flowRow('Fc', 'Flow C')],
    executions: [
      // Three runs tie at T0, inserted out of byte order (r-B < r-a < r-b).
      run('r-b', 'fa', T0, { eventId: 'ev-1', finishedAt: T0 + 50, alertResolvedAt: T0 + 60, fingerprint: 'disk-1' }),
      // Its event is gone (null path); its alert has none of the fields (nulls); a breaker held it, a person released it.
      run('r-a', 'fa', T0, { eventId: 'ev-gone', status: 'failed', finishedAt: T0 + 20, alert: '{"status":"firing"}', heldLimit: 'breaker', releasedAt: T0 + 5 }),
      // Fields present but null; a name that needs JSON unescaping; started by a person, one call deep.
      run('r-B', 'fb', T0, {
        eventId: 'ev-2',
        status: 'held',
        alert: JSON.stringify({ status: 'firing', startsAt: null, name: 'Disk "full" é\u2028', source: 'schedule' }),
        startedBy: 'user:ana',
        callDepth: 1,
        heldLimit: 'cooldown',
      }),
      // The range is inclusive at both ends.
      run('r-since', 'fb', RANGE.since, { eventId: 'ev-since' }),
      run('r-until', 'Fc', RANGE.until, { eventId: 'ev-until', status: 'running' }),
      run('r-early', 'fa', RANGE.since - 1),
      run('r-late', 'fa', RANGE.until + 1),
    ],
    steps: [
      // Failures by when they ended (or were created, never having ended); ties by run id, then sequence.
      step('st-b1', 'r-b', 1, 'failed', T0 + 1, { endedAt: T0 + 20, error: 'boom b' }),
      step('st-a2', 'r-a', 2, 'unknown', T0 + 20, { error: null }),
      step('st-a1', 'r-a', 1, 'failed', T0 + 1, { endedAt: T0 + 20, error: 'boom a' }),
      step('st-a3', 'r-a', 3, 'succeeded', T0 + 21, { endedAt: T0 + 22 }),
      step('st-B1', 'r-B', 1, 'unknown', T0 + 1, { endedAt: T0 + 5, nodeType: 'script.run' }),
      step('st-e1', 'r-early', 1, 'failed', RANGE.since - 1, { endedAt: RANGE.since }),
    ],
    // By id, ap-1 comes first; by insertion and by step id (st-a1 < st-b1), ap-2.
    approvals: [
      approval('ap-2', 'r-a', 'st-a1'),
      approval('ap-1', 'r-b', 'st-b1', { status: 'approved', decidedAt: T0 + 30, decidedBy: 'user:ana' }),
      approval('ap-e', 'r-early', 'st-e1', { status: 'approved', decidedAt: T0 }),
    ],
    approvalDecisions: [
      { approvalId: 'ap-1', decider: 'user:ana', deciderName: 'ana', decision: 'approve', comment: null, via: 'session', planHash: null, at: T0 + 25 },
      { approvalId: 'ap-1', decider: 'user:bo', deciderName: 'bo', decision: 'approve', comment: null, via: 'session', planHash: null, at: T0 + 30 },
      { approvalId: 'ap-e', decider: 'user:bo', deciderName: 'bo', decision: 'approve', comment: null, via: 'session', planHash: null, at: T0 },
    ],
  });
  await e.run(async (tx) => {
    const flowRefs = (...flows: string[]) => [...flows.map((f) => `flow:${f}`), 'source:alertmanager'];
    // ev-1 and ev-0 tie at T0, inserted out of order.
    await tx.events.insert(event('ev-1', T0, { path: 'hook', alerts: '[{"fingerprint":"disk-1"}]', matches: '[{"flowId":"fa"}]' }), flowRefs('fa'));
    await tx.events.insert(event('ev-0', T0, { path: 'hook', outcome: 'ignored' }), flowRefs('fb'));
    await tx.events.insert(event('ev-2', T0 + 10, { path: 'hook', outcome: 'duplicate' }), flowRefs('fa', 'fb'));
    await tx.events.insert(event('ev-none', T0 + 11, { path: 'nobody' }));
    await tx.events.insert(event('ev-rej', T0 + 12, { outcome: 'rejected' }), flowRefs('fa'));
    await tx.events.insert(event('ev-inv', T0 + 13, { outcome: 'invalid' }), flowRefs('fa'));
    await tx.events.insert(event('ev-since', RANGE.since), flowRefs('fb'));
    await tx.events.insert(event('ev-until', RANGE.until), flowRefs('Fc'));
    await tx.events.insert(event('ev-early', RANGE.since - 1), flowRefs('fa'));
    await tx.events.insert(event('ev-late', RANGE.until + 1), flowRefs('fa'));
  });
}

/** What the report reads of each seeded run in the range. */
const RUN_ROWS = {
  'r-since': {
    id: 'r-since',
    flowId: 'fb',
    status: 'succeeded',
    createdAt: RANGE.since,
    finishedAt: null,
    alertResolvedAt: null,
    callDepth: 0,
    startedBy: null,
    heldLimit: null,
    releasedAt: null,
    eventPath: 'infra',
    fingerprint: 'fp-r-since',
    alertStartsAt: '2027-01-15T08:00:00.000Z',
    alertName: 'DiskFull',
    alertSource: 'alertmanager',
  },
  'r-B': {
    id: 'r-B',
    flowId: 'fb',
    status: 'held',
    createdAt: T0,
    finishedAt: null,
    alertResolvedAt: null,
    callDepth: 1,
    startedBy: 'user:ana',
    heldLimit: 'cooldown',
    releasedAt: null,
    eventPath: 'hook',
    fingerprint: 'fp-r-B',
    alertStartsAt: null,
    alertName: 'Disk "full" é\u2028',
    alertSource: 'schedule',
  },
  'r-a': {
    id: 'r-a',
    flowId: 'fa',
    status: 'failed',
    createdAt: T0,
    finishedAt: T0 + 20,
    alertResolvedAt: null,
    callDepth: 0,
    startedBy: null,
    heldLimit: 'breaker',
    releasedAt: T0 + 5,
    eventPath: null,
    fingerprint: 'fp-r-a',
    alertStartsAt: null,
    alertName: null,
    alertSource: null,
  },
  'r-b': {
    id: 'r-b',
    flowId: 'fa',
    status: 'succeeded',
    createdAt: T0,
    finishedAt: T0 + 50,
    alertResolvedAt: T0 + 60,
    callDepth: 0,
    startedBy: null,
    heldLimit: null,
    releasedAt: null,
    eventPath: 'hook',
    fingerprint: 'disk-1',
    alertStartsAt: '2027-01-15T08:00:00.000Z',
    alertName: 'DiskFull',
    alertSource: 'alertmanager',
  },
  'r-until': {
    id: 'r-until',
    flowId: 'Fc',
    status: 'running',
    createdAt: RANGE.until,
    finishedAt: null,
    alertResolvedAt: null,
    callDepth: 0,
    startedBy: null,
    heldLimit: null,
    releasedAt: null,
    eventPath: 'infra',
    fingerprint: 'fp-r-until',
    alertStartsAt: '2027-01-15T08:00:00.000Z',
    alertName: 'DiskFull',
    alertSource: 'alertmanager',
  },
} as const;

const FAILED_STEPS = {
  'r-B': { executionId: 'r-B', nodeId: 'n1', nodeType: 'script.run', error: null, at: T0 + 5 },
  'r-a#1': { executionId: 'r-a', nodeId: 'n1', nodeType: 'http.request', error: 'boom a', at: T0 + 20 },
  'r-a#2': { executionId: 'r-a', nodeId: 'n2', nodeType: 'http.request', error: null, at: T0 + 20 },
  'r-b': { executionId: 'r-b', nodeId: 'n1', nodeType: 'http.request', error: 'boom b', at: T0 + 20 },
};

const APPROVALS = {
  'ap-1': { executionId: 'r-b', status: 'approved', createdAt: T0 + 10, decidedAt: T0 + 30, decisions: 2 },
  'ap-2': { executionId: 'r-a', status: 'pending', createdAt: T0 + 10, decidedAt: null, decisions: 0 },
};

/** The outcomes rows, with the flow names as a list (a Map's order is not compared by toEqual). */
const plain = (rows: OutcomeRows) => ({
  runs: rows.runs,
  failedSteps: rows.failedSteps,
  approvals: rows.approvals,
  events: rows.events.map((e) => e.id),
  flowNames: [...rows.flowNames],
});

const FLOW_NAMES = [
  ['Fc', 'Flow C'],
  ['fa', 'Flow A'],
  ['fb', 'Flow B'],
];

// ---- replay ----

const REPLAY_RANGE = { since: T0 - 100, until: T0 + 100 };

describe.each(engines)('store contract (reports) on $name', ({ available: runIf, open }) => {
  it.runIf(runIf)('audit.list: newest first, each filter as SQLite applies it (prefixes by case, no wildcards), a page before a cursor', async () => {
    const e = await open();
    for (const entry of AUDIT) await e.run((tx) => tx.audit.append(entry));
    const rows = auditRows();
    const ids = (filter: Partial<Parameters<StoreTx['audit']['list']>[0]>) => e.run(async (tx) => (await tx.audit.list({ limit: 100, ...filter })).map((r) => r.id));

    // Whole rows, as appended: the same ids, summaries and hashes.
    expect(await e.run((tx) => tx.audit.list({ limit: 100 }))).toEqual([7, 6, 5, 4, 3, 2, 1].map((id) => rows.get(id)));
    expect(await ids({ limit: 2 })).toEqual([7, 6]);
    expect(await ids({ limit: 2, before: 6 })).toEqual([5, 4]);
    expect(await ids({ before: 1 })).toEqual([]);
    expect(await ids({ actor: 'alice' })).toEqual([5, 3, 1]);
    expect(await ids({ via: 'token' })).toEqual([7, 6, 2]);
    expect(await ids({ action: 'flow.update' })).toEqual([1]);
    // `flow.*`: actions starting with `flow.`, case and all (not `flowx.update`, not `Flow.update`).
    expect(await ids({ action: 'flow.*' })).toEqual([7, 2, 1]);
    expect(await ids({ action: 'automation.*', targetPrefix: 'automation' })).toEqual([4]);
    expect(await ids({ targetPrefix: 'flow-' })).toEqual([7, 2, 1]);
    // '_' is a character, not LIKE's any-one; 'é' counts as one character on both.
    expect(await ids({ targetPrefix: 'flow_' })).toEqual([5]);
    expect(await ids({ targetPrefix: 'flow-é' })).toEqual([7]);
    expect(await ids({ targetPrefix: 'FLOW' })).toEqual([6]);
    // from and to are inclusive.
    expect(await ids({ from: T0 + 2, to: T0 + 4 })).toEqual([5, 4, 3]);
    expect(await ids({ actor: 'alice', action: 'flow.*', from: T0 })).toEqual([1]);
    expect(await ids({ actor: 'nobody' })).toEqual([]);
  });

  it.runIf(runIf)('events.forReplay: deliveries that got through on the paths, in the range (inclusive), oldest first then by id; none past the limit; visibility by flow', async () => {
    const e = await open();
    const rows = {
      'e-b': event('e-b', T0),
      'e-a': event('e-a', T0, { outcome: 'duplicate', body: '{"alerts":[]}', bodyTruncated: true, remoteAddress: null }),
      'e-B': event('e-B', T0, { outcome: 'ignored' }),
      'e-other': event('e-other', T0, { path: 'other' }),
      'e-since': event('e-since', REPLAY_RANGE.since),
      'e-until': event('e-until', REPLAY_RANGE.until, { deliveryId: 'd-1' }),
    };
    await e.run(async (tx) => {
      // Inserted out of id order where they tie on time.
      await tx.events.insert(rows['e-b'], ['flow:fa']);
      await tx.events.insert(rows['e-a'], ['flow:fa', 'flow:fb']);
      await tx.events.insert(rows['e-B'], ['flow:fb']);
      await tx.events.insert(rows['e-other'], ['flow:fc']);
      await tx.events.insert(rows['e-since'], ['flow:fb']);
      await tx.events.insert(rows['e-until']);
      await tx.events.insert(event('e-rej', T0, { outcome: 'rejected' }), ['flow:fa']);
      await tx.events.insert(event('e-inv', T0, { outcome: 'invalid' }), ['flow:fa']);
      await tx.events.insert(event('e-early', REPLAY_RANGE.since - 1), ['flow:fa']);
      await tx.events.insert(event('e-late', REPLAY_RANGE.until + 1), ['flow:fa']);
    });
    const replay = (f: Partial<Parameters<StoreTx['events']['forReplay']>[0]>) =>
      e.run(async (tx) => {
        const r = await tx.events.forReplay({ paths: ['infra'], ...REPLAY_RANGE, limit: 100, ...f });
        return { ids: r.rows.map((row) => row.id), count: r.count };
      });

    // Whole rows, as inserted.
    const all = await e.run((tx) => tx.events.forReplay({ paths: ['infra'], ...REPLAY_RANGE, limit: 100 }));
    expect(all).toEqual({ rows: [rows['e-since'], rows['e-B'], rows['e-a'], rows['e-b'], rows['e-until']], count: 5 });
    expect(await replay({ paths: ['infra', 'other'] })).toEqual({ ids: ['e-since', 'e-B', 'e-a', 'e-b', 'e-other', 'e-until'], count: 6 });
    expect(await replay({ paths: ['other'] })).toEqual({ ids: ['e-other'], count: 1 });
    expect(await replay({ paths: [] })).toEqual({ ids: [], count: 0 });
    expect(await replay({ paths: ['nowhere'] })).toEqual({ ids: [], count: 0 });
    // More than the limit: no rows, and how many there are; exactly the limit: all of them.
    expect(await replay({ limit: 4 })).toEqual({ ids: [], count: 5 });
    expect(await replay({ limit: 5 })).toEqual({ ids: ['e-since', 'e-B', 'e-a', 'e-b', 'e-until'], count: 5 });
    // Only deliveries to a path one of these flows listens on (a delivery without refs: nobody's).
    expect(await replay({ visibleFlowIds: ['fa'] })).toEqual({ ids: ['e-a', 'e-b'], count: 2 });
    expect(await replay({ visibleFlowIds: ['fb', 'fc'], paths: ['infra', 'other'] })).toEqual({ ids: ['e-since', 'e-B', 'e-a', 'e-other'], count: 4 });
    expect(await replay({ visibleFlowIds: [] })).toEqual({ ids: [], count: 0 });
    expect(await replay({ since: T0, until: T0 })).toEqual({ ids: ['e-B', 'e-a', 'e-b'], count: 3 });
  });

  it.runIf(runIf)('outcomes.rows: runs, failed steps, approvals and deliveries in the range, in a fixed order with ties by id; nulls where SQLite gives them', async () => {
    const e = await open();
    await seedOutcomes(e);
    const rows = async (f: Partial<OutcomeFilter>) => plain(await e.run((tx) => tx.outcomes.rows({ ...RANGE, ...f })));

    expect(await rows({})).toEqual({
      runs: [RUN_ROWS['r-since'], RUN_ROWS['r-B'], RUN_ROWS['r-a'], RUN_ROWS['r-b'], RUN_ROWS['r-until']],
      failedSteps: [FAILED_STEPS['r-B'], FAILED_STEPS['r-a#1'], FAILED_STEPS['r-a#2'], FAILED_STEPS['r-b']],
      approvals: [APPROVALS['ap-1'], APPROVALS['ap-2']],
      events: ['ev-since', 'ev-0', 'ev-1', 'ev-2', 'ev-none', 'ev-until'],
      flowNames: FLOW_NAMES,
    });
    // One flow: its runs and what they hold, and the deliveries to a path it listens on.
    expect(await rows({ flowId: 'fa' })).toEqual({
      runs: [RUN_ROWS['r-a'], RUN_ROWS['r-b']],
      failedSteps: [FAILED_STEPS['r-a#1'], FAILED_STEPS['r-a#2'], FAILED_STEPS['r-b']],
      approvals: [APPROVALS['ap-1'], APPROVALS['ap-2']],
      events: ['ev-1', 'ev-2'],
      flowNames: FLOW_NAMES,
    });
    // A team's view.
    expect(await rows({ flowIds: ['fb', 'Fc'] })).toEqual({
      runs: [RUN_ROWS['r-since'], RUN_ROWS['r-B'], RUN_ROWS['r-until']],
      failedSteps: [FAILED_STEPS['r-B']],
      approvals: [],
      events: ['ev-since', 'ev-0', 'ev-2', 'ev-until'],
      flowNames: FLOW_NAMES,
    });
    expect(await rows({ flowId: 'fb', flowIds: ['fb', 'fa'] })).toMatchObject({ runs: [RUN_ROWS['r-since'], RUN_ROWS['r-B']], events: ['ev-since', 'ev-0', 'ev-2'] });
    // A flow outside the view, and a view of no flows: nothing (the flow names are all there still).
    const nothing = { runs: [], failedSteps: [], approvals: [], events: [], flowNames: FLOW_NAMES };
    expect(await rows({ flowId: 'fa', flowIds: ['fb'] })).toEqual(nothing);
    expect(await rows({ flowIds: [] })).toEqual(nothing);
    expect(await rows({ flowId: 'none' })).toEqual(nothing);
    // A range of one millisecond.
    expect(await rows({ since: T0, until: T0 })).toMatchObject({ runs: [RUN_ROWS['r-B'], RUN_ROWS['r-a'], RUN_ROWS['r-b']], events: ['ev-0', 'ev-1'] });
  });

  it.runIf(runIf)('outcomes.rows: flow names in byte order even where the database compares flow ids linguistically', async () => {
    const e = await open();
    await e.linguisticFlowIds();
    await seedOutcomes(e);
    await e.seed({ flows: ['a-z', 'ab'].map((id) => ({ id, name: id, enabled: true, revision: 1, document: '{}', createdAt: T0, updatedAt: T0, teamId: 'default' })) });
    const rows = await e.run((tx) => tx.outcomes.rows(RANGE));
    expect([...rows.flowNames.keys()]).toEqual(['Fc', 'a-z', 'ab', 'fa', 'fb']);
  });
});
