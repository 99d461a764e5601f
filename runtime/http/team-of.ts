import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../store/db.js';
import { approvals, eventRefs, events, executions, flows, secrets } from '../store/schema.js';

/**
 * Which teams own the resource a request names. `found: false`: there is no such resource (the
 * handler answers 404, or creates it). `teams`: the owners; empty when none is left (a run of a
 * deleted flow, a delivery no flow listened to) — then only admins may touch it.
 */
export type TeamLookup = { found: false } | { found: true; teams: string[] };

const NOT_FOUND: TeamLookup = { found: false };
const owned = (teams: (string | undefined)[]): TeamLookup => ({ found: true, teams: [...new Set(teams.filter((t): t is string => t !== undefined))] });

const teamOfFlow = (db: Db, flowId: string) => db.select({ team: flows.teamId }).from(flows).where(eq(flows.id, flowId)).get()?.team;

export const teamOf = {
  flow(db: Db, id: string): TeamLookup {
    const team = teamOfFlow(db, id);
    return team === undefined ? NOT_FOUND : owned([team]);
  },

  execution(db: Db, id: string): TeamLookup {
    const exec = db.select({ flowId: executions.flowId }).from(executions).where(eq(executions.id, id)).get();
    return exec ? owned([teamOfFlow(db, exec.flowId)]) : NOT_FOUND;
  },

  approval(db: Db, id: string): TeamLookup {
    const row = db.select({ executionId: approvals.executionId }).from(approvals).where(eq(approvals.id, id)).get();
    return row ? teamOf.execution(db, row.executionId) : NOT_FOUND;
  },

  /** A delivery belongs to the teams of the flows that listened on its path (and still exist). */
  event(db: Db, id: string): TeamLookup {
    const refs = db.select({ ref: eventRefs.ref }).from(eventRefs).where(eq(eventRefs.eventId, id)).all();
    const flowIds = refs.filter((r) => r.ref.startsWith('flow:')).map((r) => r.ref.slice('flow:'.length));
    if (refs.length === 0) {
      // No refs at all: the event may still exist (a delivery to a path nobody listens on).
      return db.select({ id: events.id }).from(events).where(eq(events.id, id)).get() ? owned([]) : NOT_FOUND;
    }
    if (flowIds.length === 0) return owned([]);
    return owned(db.select({ team: flows.teamId }).from(flows).where(inArray(flows.id, flowIds)).all().map((r) => r.team));
  },

  secret(db: Db, name: string): TeamLookup {
    const row = db.select({ team: secrets.teamId }).from(secrets).where(eq(secrets.name, name)).get();
    return row ? owned([row.team]) : NOT_FOUND;
  },

  /** The ids of the flows owned by any of `teams`: what team-filtered lists of runs and events read. */
  flowIdsOf(db: Db, teams: string[]): string[] {
    if (teams.length === 0) return [];
    return db.select({ id: flows.id }).from(flows).where(inArray(flows.teamId, teams)).all().map((r) => r.id);
  },
};
