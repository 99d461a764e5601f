import { describe, expect, it } from 'vitest';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import type { EventRow } from '../../runtime/store/events-repo.js';
import type { NewExecution } from '../../runtime/store/executions-repo.js';
import { storeEngines, type SeedRows } from '../kit/store-engines.js';

/**
 * The store contract: every StoreTx operation gives the same answers on SQLite and PostgreSQL.
 * Each case runs on both engines (PostgreSQL when a server answers; `.ci/run` requires it).
 */

const engines = storeEngines();

type StepSeed = NonNullable<SeedRows['steps']>[number];

const T0 = 1_800_000_000_000;

const execution = (id: string, over: Partial<NewExecution> = {}): NewExecution => ({
  id,
  flowId: 'f',
  flowRevision: 1,
  eventId: `ev-${id}`,
  sourceNodeId: 'am',
  dedupKey: `dk-${id}`,
  alert: JSON.stringify({ status: 'firing' }),
  status: 'queued',
  createdAt: T0,
  updatedAt: T0,
  deadlineAt: T0 + 60_000,
  fingerprint: 'fp1',
  ...over,
});

const event = (id: string, over: Partial<EventRow> = {}): EventRow => ({
  id,
  receivedAt: T0,
  path: 'am',
  outcome: 'accepted',
  httpStatus: 202,
  sources: '["alertmanager"]',
  deliveryId: null,
  reason: null,
  remoteAddress: '127.0.0.1',
  headers: '{}',
  body: '{}',
  bodyBytes: 2,
  bodyTruncated: false,
  routes: '[]',
  alerts: '[]',
  matches: '[]',
  error: null,
  alertCount: 0,
  executionCount: 0,
  duplicateCount: 0,
  notStartedCount: 0,
  suppressedBefore: 0,
  ...over,
});

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

describe.each(engines)('store contract on $name', ({ available: runIf, open }) => {
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
});
