import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { approvals, eventRefs, events, executions, flows, secrets } from './schema.js';

/**
 * Which teams own the resource a request names (authorization, runtime/http/authorize.ts).
 * `found: false`: there is no such resource (the handler answers 404, or creates it). `teams`:
 * the owners; empty when none is left (a run of a deleted flow, a delivery no flow listened to)
 * — then only admins may touch it.
 */
export type TeamLookup = { found: false } | { found: true; teams: string[] };

/** The answers both engines build (StoreTx `teams`, runtime/store/pg/tx.ts too). */
export const teamLookup = {
  notFound: { found: false } as TeamLookup,
  /** Owned by these teams, each once, in the order given; undefined ones (a flow gone) left out. */
  owned: (teams: readonly (string | undefined)[]): TeamLookup => ({ found: true, teams: [...new Set(teams.filter((t): t is string => t !== undefined))] }),
};

/** The flow ids an event's refs name (`eventRef.flow(…)`: the flows that listened on its path). */
export const flowIdsOfRefs = (refs: readonly string[]): string[] => refs.filter((r) => r.startsWith('flow:')).map((r) => r.slice('flow:'.length));

const teamOfFlow = (db: Db, flowId: string) => db.select({ team: flows.teamId }).from(flows).where(eq(flows.id, flowId)).get()?.team;

/** The SQLite side of StoreTx `teams`: who owns a flow, run, approval, delivery or secret. The teams themselves are in people-repo.ts. */
export const teamsRepo = {
  ofFlow(db: Db, id: string): TeamLookup {
    const team = teamOfFlow(db, id);
    return team === undefined ? teamLookup.notFound : teamLookup.owned([team]);
  },

  /** A run belongs to the team of its flow (none when the flow was deleted). */
  ofExecution(db: Db, id: string): TeamLookup {
    const exec = db.select({ flowId: executions.flowId }).from(executions).where(eq(executions.id, id)).get();
    return exec ? teamLookup.owned([teamOfFlow(db, exec.flowId)]) : teamLookup.notFound;
  },

  /** An approval belongs to the team of its run's flow. */
  ofApproval(db: Db, id: string): TeamLookup {
    const row = db.select({ executionId: approvals.executionId }).from(approvals).where(eq(approvals.id, id)).get();
    return row ? teamsRepo.ofExecution(db, row.executionId) : teamLookup.notFound;
  },

  /** A delivery belongs to the teams of the flows that listened on its path (and still exist), in order of flow id. */
  ofEvent(db: Db, id: string): TeamLookup {
    const refs = db.select({ ref: eventRefs.ref }).from(eventRefs).where(eq(eventRefs.eventId, id)).all();
    if (refs.length === 0) {
      // No refs at all: the event may still exist (a delivery to a path nobody listens on).
      return db.select({ id: events.id }).from(events).where(eq(events.id, id)).get() ? teamLookup.owned([]) : teamLookup.notFound;
    }
    const flowIds = flowIdsOfRefs(refs.map((r) => r.ref));
    if (flowIds.length === 0) return teamLookup.owned([]);
    return teamLookup.owned(
      db
        .select({ team: flows.teamId })
        .from(flows)
        .where(inArray(flows.id, flowIds))
        .orderBy(asc(flows.id))
        .all()
        .map((r) => r.team),
    );
  },

  ofSecret(db: Db, name: string): TeamLookup {
    const row = db.select({ team: secrets.teamId }).from(secrets).where(eq(secrets.name, name)).get();
    return row ? teamLookup.owned([row.team]) : teamLookup.notFound;
  },

  /** The ids of the flows owned by any of `teams`, ordered by id: what team-filtered lists of runs and events read. */
  flowIdsOf(db: Db, teams: readonly string[]): string[] {
    if (teams.length === 0) return [];
    return db
      .select({ id: flows.id })
      .from(flows)
      .where(inArray(flows.teamId, [...teams]))
      .orderBy(asc(flows.id))
      .all()
      .map((r) => r.id);
  },
};
