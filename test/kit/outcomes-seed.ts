import type { Flow } from '../../shared/flow/schema.js';
import type { EventMatch } from '../../shared/event-log.js';
import type { ExecutionStatus, StepStatus } from '../../shared/statuses.js';
import type { SqliteStore } from '../../runtime/store/db.js';
import { eventRef, eventsRepo } from '../../runtime/store/events-repo.js';
import { flowsRepo } from '../../runtime/store/flows-repo.js';
import { approvalDecisions, approvals, executions, steps } from '../../runtime/store/schema.js';
import { amSource, flowDoc } from './flow.js';

/**
 * A history of deliveries, runs, steps and approvals with chosen timestamps, written straight
 * into a store: what the outcomes report is tested against (runtime/engine/reports/outcomes.test.ts,
 * the API test and the Dashboard's browser test).
 */

interface SeedAlert {
  name: string;
  fingerprint: string;
  startsAt: number;
  /** Resolved alerts: when they ended. */
  endsAt?: number;
  status?: 'firing' | 'resolved';
  source?: string;
}

interface SeedDelivery {
  id: string;
  at: number;
  /** A hook path (default `hook`), or e.g. `api/flows/<id>/run` for a run started by hand. */
  path?: string;
  alert: SeedAlert;
  /** The flows it reached and what each did: `started` needs `executionId`. */
  flows: { flowId: string; result: EventMatch['result']; executionId?: string }[];
}

interface SeedRun {
  id: string;
  flowId: string;
  eventId: string;
  alert: SeedAlert;
  status: ExecutionStatus;
  createdAt: number;
  finishedAt?: number;
  alertResolvedAt?: number;
  startedBy?: string;
  steps?: { nodeId: string; nodeType: string; status: StepStatus; at: number; error?: string }[];
  approvals?: { createdAt: number; status: 'pending' | 'approved' | 'rejected' | 'timeout' | 'cancelled'; decidedAt?: number; deciders?: string[] }[];
}

export interface SeedHistory {
  flows: { id: string; name: string; teamId: string; path?: string }[];
  deliveries: SeedDelivery[];
  runs: SeedRun[];
}

const iso = (t: number) => new Date(t).toISOString();

const alertJson = (a: SeedAlert) => ({
  source: a.source ?? 'alertmanager',
  status: a.status ?? 'firing',
  name: a.name,
  severity: 'critical',
  summary: `${a.name} on ${a.fingerprint}`,
  description: '',
  labels: { alertname: a.name, instance: a.fingerprint },
  annotations: {},
  startsAt: iso(a.startsAt),
  endsAt: a.endsAt === undefined ? '' : iso(a.endsAt),
  fingerprint: a.fingerprint,
  dedupKey: JSON.stringify([a.fingerprint, a.startsAt, a.status ?? 'firing']),
  links: {},
});

/** Writes `h` into `store` in one transaction. */
export async function seedOutcomes(store: SqliteStore, h: SeedHistory): Promise<void> {
  await store.write((db) => {
    for (const f of h.flows) {
      const doc = flowDoc({ id: f.id, name: f.name, source: amSource({ path: f.path ?? 'hook' }) }) as unknown as Flow;
      flowsRepo.insert(db, doc, 0, { teamId: f.teamId, author: null });
    }
    for (const d of h.deliveries) {
      const matches: EventMatch[] = d.flows.map((f) => ({ flowId: f.flowId, nodeId: 'am', alertIndex: 0, result: f.result, ...(f.executionId ? { executionId: f.executionId } : {}) }));
      const body = JSON.stringify({ alerts: [alertJson(d.alert)] });
      eventsRepo.insert(
        db,
        {
          id: d.id,
          receivedAt: d.at,
          path: d.path ?? 'hook',
          outcome: d.flows.some((f) => f.result === 'started') ? 'accepted' : 'ignored',
          httpStatus: 202,
          sources: JSON.stringify(['alertmanager']),
          deliveryId: null,
          reason: null,
          remoteAddress: null,
          headers: '{}',
          body,
          bodyBytes: body.length,
          bodyTruncated: false,
          routes: JSON.stringify(d.flows.map((f) => ({ flowId: f.flowId, nodeId: 'am', source: 'alertmanager', result: 'authenticated' }))),
          alerts: JSON.stringify([alertJson(d.alert)]),
          matches: JSON.stringify(matches),
          error: null,
          alertCount: 1,
          executionCount: matches.filter((m) => m.result === 'started').length,
          duplicateCount: 0,
          notStartedCount: matches.filter((m) => m.result === 'not_started').length,
          suppressedBefore: 0,
        },
        [...d.flows.map((f) => eventRef.flow(f.flowId)), eventRef.source('alertmanager')],
      );
    }
    for (const r of h.runs) {
      db.insert(executions)
        .values({
          id: r.id,
          flowId: r.flowId,
          flowRevision: 1,
          eventId: r.eventId,
          sourceNodeId: 'am',
          dedupKey: r.id,
          alert: JSON.stringify(alertJson(r.alert)),
          status: r.status,
          createdAt: r.createdAt,
          updatedAt: r.finishedAt ?? r.createdAt,
          startedAt: r.status === 'held' ? null : r.createdAt,
          finishedAt: r.finishedAt ?? null,
          deadlineAt: r.createdAt + 3_600_000,
          fingerprint: r.alert.fingerprint,
          alertResolvedAt: r.alertResolvedAt ?? null,
          startedBy: r.startedBy ?? null,
        })
        .run();
      let seq = 0;
      const stepRow = (id: string, s: { nodeId: string; nodeType: string; status: StepStatus; at: number; error?: string }) => ({
        id,
        executionId: r.id,
        seq: ++seq,
        nodeId: s.nodeId,
        nodeType: s.nodeType,
        status: s.status,
        createdAt: s.at,
        startedAt: s.at,
        endedAt: s.status === 'waiting' ? null : s.at,
        error: s.error ?? null,
      });
      db.insert(steps).values(stepRow(`${r.id}-src`, { nodeId: 'am', nodeType: 'source.alertmanager', status: 'succeeded', at: r.createdAt })).run();
      for (const [i, s] of (r.steps ?? []).entries()) db.insert(steps).values(stepRow(`${r.id}-s${i}`, s)).run();
      for (const [i, a] of (r.approvals ?? []).entries()) {
        const stepId = `${r.id}-a${i}`;
        db.insert(steps)
          .values(stepRow(stepId, { nodeId: `ask${i}`, nodeType: 'approval.request', status: a.status === 'pending' ? 'waiting' : 'succeeded', at: a.createdAt }))
          .run();
        const approvalId = `ap_${r.id}_${i}`;
        db.insert(approvals)
          .values({
            id: approvalId,
            executionId: r.id,
            stepId,
            nodeId: `ask${i}`,
            message: 'go on?',
            status: a.status,
            createdAt: a.createdAt,
            deadlineAt: a.createdAt + 900_000,
            decidedAt: a.decidedAt ?? null,
            decidedBy: a.deciders?.[0] ?? null,
          })
          .run();
        for (const decider of a.deciders ?? []) {
          db.insert(approvalDecisions)
            .values({ approvalId, decider, deciderName: decider, decision: a.status === 'rejected' ? 'reject' : 'approve', via: 'session', at: a.decidedAt ?? a.createdAt })
            .run();
        }
      }
    }
  });
}

/** Day 1 of the seeded history (00:00 UTC) unless a test moves it. */
const DAY1 = Date.UTC(2026, 10, 20);

/** Day 1 (2026-11-20 unless `base` says otherwise), day 2 or the day before (0) at hh:mm:ss UTC. */
export const atDay = (day: 1 | 2 | 0, hh: number, mm: number, ss = 0, base = DAY1) => base + (day - 1) * 86_400_000 + ((hh * 60 + mm) * 60 + ss) * 1000;

/**
 * The history the outcomes tests know the answers to (worked out by hand in
 * runtime/engine/reports/outcomes.test.ts), starting on day 1 at `base` (00:00 UTC). Team `alpha` owns `restart` (HighLatency alerts) and
 * `disk` (DiskFull); team `beta` owns `other`. Range: day 1 00:00 to day 2 23:59:59.999.
 */
export function outcomesHistory(base = DAY1): SeedHistory {
  const at = (day: 1 | 2 | 0, hh: number, mm: number, ss = 0) => atDay(day, hh, mm, ss, base);
  const hl = (fingerprint: string, startsAt: number, extra: Partial<SeedAlert> = {}): SeedAlert => ({ name: 'HighLatency', fingerprint, startsAt, ...extra });
  const df = (fingerprint: string, startsAt: number, extra: Partial<SeedAlert> = {}): SeedAlert => ({ name: 'DiskFull', fingerprint, startsAt, ...extra });
  const started = (flowId: string, executionId: string) => [{ flowId, result: 'started' as const, executionId }];
  const notStarted = (flowId: string) => [{ flowId, result: 'not_started' as const }];
  const deliveries: SeedDelivery[] = [
    // restart, day 1
    { id: 'ev_r0', at: at(0, 23, 58), alert: hl('f0', at(0, 23, 57)), flows: started('restart', 'r0') },
    { id: 'ev_r1', at: at(1, 10, 0, 30), alert: hl('f1', at(1, 10, 0)), flows: started('restart', 'r1') },
    // The same alert again (a re-sent group): not a second alert.
    { id: 'ev_r1dup', at: at(1, 10, 4, 30), alert: hl('f1', at(1, 10, 0)), flows: [{ flowId: 'restart', result: 'duplicate', executionId: 'r1' }] },
    { id: 'ev_r1r', at: at(1, 10, 7, 5), alert: hl('f1', at(1, 10, 0), { status: 'resolved', endsAt: at(1, 10, 7) }), flows: notStarted('restart') },
    { id: 'ev_r2', at: at(1, 11, 0, 30), alert: hl('f2', at(1, 11, 0)), flows: started('restart', 'r2') },
    { id: 'ev_r2r', at: at(1, 11, 20, 5), alert: hl('f2', at(1, 11, 0), { status: 'resolved', endsAt: at(1, 11, 20) }), flows: notStarted('restart') },
    { id: 'ev_r3', at: at(1, 12, 0, 30), alert: hl('f3', at(1, 12, 0)), flows: started('restart', 'r3') },
    { id: 'ev_r3r', at: at(1, 12, 40, 5), alert: hl('f3', at(1, 12, 0), { status: 'resolved', endsAt: at(1, 12, 40) }), flows: notStarted('restart') },
    { id: 'ev_r9', at: at(1, 14, 0, 30), alert: hl('f9', at(1, 14, 0)), flows: notStarted('restart') },
    { id: 'ev_r9r', at: at(1, 15, 0, 10), alert: hl('f9', at(1, 14, 0), { status: 'resolved', endsAt: at(1, 15, 0) }), flows: notStarted('restart') },
    { id: 'ev_r10r', at: at(1, 16, 10, 5), alert: df('f10', at(1, 16, 0), { status: 'resolved', endsAt: at(1, 16, 10) }), flows: notStarted('restart') },
    // restart, day 2
    { id: 'ev_r4', at: at(2, 9, 0, 30), alert: hl('f4', at(2, 9, 0)), flows: started('restart', 'r4') },
    { id: 'ev_r4r', at: at(2, 9, 30, 5), alert: hl('f4', at(2, 9, 0), { status: 'resolved', endsAt: at(2, 9, 30) }), flows: notStarted('restart') },
    { id: 'ev_r5', at: at(2, 10, 0, 30), alert: hl('f5', at(2, 10, 0)), flows: started('restart', 'r5') },
    { id: 'ev_r6', at: at(2, 11, 0, 30), alert: hl('f6', at(2, 11, 0)), flows: started('restart', 'r6') },
    { id: 'ev_r7', at: at(2, 12, 0, 30), alert: hl('f7', at(2, 12, 0)), flows: started('restart', 'r7') },
    { id: 'ev_r8', at: at(2, 13, 0), path: 'api/flows/restart/run', alert: { name: 'manual', fingerprint: 'm8', startsAt: at(2, 13, 0), source: 'manual' }, flows: started('restart', 'r8') },
    // disk, day 1
    { id: 'ev_d1', at: at(1, 8, 0, 30), alert: df('g1', at(1, 8, 0)), flows: started('disk', 'd1') },
    { id: 'ev_d1r', at: at(1, 8, 4, 5), alert: df('g1', at(1, 8, 0), { status: 'resolved', endsAt: at(1, 8, 4) }), flows: notStarted('disk') },
    { id: 'ev_d2', at: at(1, 9, 0, 30), alert: df('g2', at(1, 9, 0)), flows: started('disk', 'd2') },
    // other (team beta), day 1
    { id: 'ev_o1', at: at(1, 10, 0, 30), alert: hl('h1', at(1, 10, 0)), flows: started('other', 'o1') },
    { id: 'ev_o1r', at: at(1, 10, 3, 5), alert: hl('h1', at(1, 10, 0), { status: 'resolved', endsAt: at(1, 10, 3) }), flows: notStarted('other') },
  ];
  const alertOf = (id: string) => deliveries.find((d) => d.id === id)!.alert;
  const run = (id: string, flowId: string, rest: Omit<SeedRun, 'id' | 'flowId' | 'eventId' | 'alert'>): SeedRun => ({
    id,
    flowId,
    eventId: `ev_${id}`,
    alert: alertOf(`ev_${id}`),
    ...rest,
  });
  const ssh = 'action.ssh';
  const runs: SeedRun[] = [
    // Before the range: not counted.
    run('r0', 'restart', { status: 'failed', createdAt: at(0, 23, 59), finishedAt: at(0, 23, 59, 30), steps: [{ nodeId: 'restart', nodeType: ssh, status: 'failed', at: at(0, 23, 59, 20), error: 'too early' }] }),
    run('r1', 'restart', { status: 'succeeded', createdAt: at(1, 10, 1), finishedAt: at(1, 10, 5), alertResolvedAt: at(1, 10, 7), steps: [{ nodeId: 'restart', nodeType: ssh, status: 'succeeded', at: at(1, 10, 4) }] }),
    run('r2', 'restart', {
      status: 'succeeded',
      createdAt: at(1, 11, 1),
      finishedAt: at(1, 11, 15),
      alertResolvedAt: at(1, 11, 20),
      approvals: [{ createdAt: at(1, 11, 2), status: 'approved', decidedAt: at(1, 11, 12), deciders: ['user:ana'] }],
    }),
    run('r3', 'restart', {
      status: 'failed',
      createdAt: at(1, 12, 1),
      finishedAt: at(1, 12, 3),
      alertResolvedAt: at(1, 12, 40),
      steps: [{ nodeId: 'restart', nodeType: ssh, status: 'failed', at: at(1, 12, 2), error: 'exit status 1' }],
    }),
    run('r4', 'restart', {
      status: 'succeeded',
      createdAt: at(2, 9, 1),
      finishedAt: at(2, 9, 31),
      alertResolvedAt: at(2, 9, 30),
      approvals: [{ createdAt: at(2, 9, 2), status: 'timeout' }],
    }),
    run('r5', 'restart', { status: 'no_action', createdAt: at(2, 10, 1), finishedAt: at(2, 10, 1, 30) }),
    run('r6', 'restart', { status: 'held', createdAt: at(2, 11, 1) }),
    run('r7', 'restart', {
      status: 'failed',
      createdAt: at(2, 12, 1),
      finishedAt: at(2, 12, 5),
      steps: [{ nodeId: 'restart', nodeType: ssh, status: 'failed', at: at(2, 12, 4), error: "=cmd|' /C calc'!A0" }],
    }),
    run('r8', 'restart', { status: 'succeeded', createdAt: at(2, 13, 0), finishedAt: at(2, 13, 2), startedBy: 'admin' }),
    run('d1', 'disk', {
      status: 'succeeded',
      createdAt: at(1, 8, 1),
      finishedAt: at(1, 8, 3),
      alertResolvedAt: at(1, 8, 4),
      steps: [
        { nodeId: 'clean', nodeType: 'action.http', status: 'retried', at: at(1, 8, 2), error: 'HTTP 503' },
        { nodeId: 'clean', nodeType: 'action.http', status: 'succeeded', at: at(1, 8, 2, 30) },
      ],
    }),
    run('d2', 'disk', {
      status: 'timed_out',
      createdAt: at(1, 9, 1),
      finishedAt: at(1, 10, 1),
      steps: [{ nodeId: 'clean', nodeType: 'action.http', status: 'unknown', at: at(1, 9, 30), error: 'interrupted' }],
    }),
    run('o1', 'other', {
      status: 'succeeded',
      createdAt: at(1, 10, 1),
      finishedAt: at(1, 10, 2),
      alertResolvedAt: at(1, 10, 3),
      steps: [{ nodeId: 'poke', nodeType: 'action.http', status: 'failed', at: at(1, 10, 1, 30), error: 'beta secret failure' }],
    }),
  ];
  return {
    flows: [
      { id: 'restart', name: 'Restart API', teamId: 'alpha', path: 'restart-hook' },
      { id: 'disk', name: '=HYPERLINK("x"), disk', teamId: 'alpha', path: 'disk-hook' },
      { id: 'other', name: 'Other team', teamId: 'beta', path: 'other-hook' },
    ],
    deliveries,
    runs,
  };
}

/** The range outcomesHistory() is reported over. */
export const OUTCOMES_RANGE = { since: atDay(1, 0, 0), until: atDay(2, 23, 59, 59) + 999 };
