import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError } from '../../shared/errors.js';
import type { ReplayResult } from '../../shared/flow/replay-compare.js';
import type { Flow } from '../../shared/flow/schema.js';
import type { Engine } from '../engine/engine.js';
import { parseFlowOrThrow } from '../engine/flows/flow-service.js';
import type { TeamLookup } from '../store/teams-repo.js';
import type { AuthEnv } from './auth.js';
import { chosenTeam, requirePermissionIn } from './authorize.js';
import { validJson, validQuery } from './validated.js';
import { TeamIdSchema } from '../../shared/people.js';

const API_BODY_LIMIT = 4 * 1024 * 1024;

/** A time as RFC 3339 text or epoch milliseconds. */
const replayTime = (name: string) =>
  z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))], {
    error: `${name} must be an RFC 3339 time (2026-11-24T09:00:00Z) or epoch milliseconds`,
  });

export const ReplayBodySchema = z
  .strictObject({
    /** A draft flow document (need not be saved). */
    flow: z.unknown().optional(),
    /** Or a saved flow: its current revision, or `revision`, is replayed. */
    flowId: z.string().min(1).max(200).optional(),
    revision: z.number().int().positive().optional(),
    since: replayTime('since'),
    /** Default: now. */
    until: replayTime('until').optional(),
    /** `changed` (default): only runs that differ are listed; `all`: every run. */
    show: z.enum(['changed', 'all'], { error: 'show must be "changed" or "all"' }).optional(),
  })
  .refine((b) => (b.flow === undefined) !== (b.flowId === undefined), {
    message: 'give either flow (a draft document) or flowId (a saved flow), not both',
    path: ['flow'],
  })
  .refine((b) => b.revision === undefined || b.flowId !== undefined, { message: 'revision goes with flowId', path: ['revision'] });

/**
 * `POST /api/flows/replay`: a draft against the stored deliveries of a range, compared with what
 * the saved flow did (runtime/engine/flows/replay.ts). Authorization: the route needs
 * `flows:write` somewhere (route table); here the caller must hold `flows:write` and
 * `events:read` in the team of the flow (a saved flow, or a draft whose id is saved), or, for a
 * draft of a new flow, in the team given by `?team=` (as creating it would). Only deliveries
 * that team may read are replayed.
 */
/** `?team=`: for a draft of a new flow, the team whose deliveries it is replayed against (read by chosenTeam). */
export const ReplayQuerySchema = z.object({ team: TeamIdSchema.optional() });

export function replayRoutes(engine: Engine) {
  const { store } = engine;
  return new Hono<AuthEnv>().post('/replay', validQuery(ReplayQuerySchema), validJson(ReplayBodySchema, API_BODY_LIMIT), async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const what = 'replaying a flow against history';
    let draft: Flow;
    let lookup: TeamLookup;
    let savedFlowId: string | undefined;
    if (body.flowId !== undefined) {
      const flowId = body.flowId;
      lookup = await store.read((tx) => tx.teams.ofFlow(flowId));
      if (!lookup.found) throw new NotFoundError(`flow "${body.flowId}" not found`);
      requirePermissionIn(principal, 'flows:write', lookup, what);
      draft = body.revision === undefined ? (await engine.flows.get(body.flowId)).flow : (await engine.flows.revision(body.flowId, body.revision)).flow;
      savedFlowId = body.flowId;
    } else {
      draft = parseFlowOrThrow(body.flow, ['flow']);
      const draftId = draft.id;
      lookup = await store.read((tx) => tx.teams.ofFlow(draftId));
      if (lookup.found) {
        requirePermissionIn(principal, 'flows:write', lookup, what);
        savedFlowId = draft.id;
      } else {
        // chosenTeam asks synchronously whether the team `?team=` names exists: read it first.
        const asked = c.req.valid('query').team;
        const askedExists = asked !== undefined && (await store.read(async (tx) => (await tx.people.team(asked)) !== undefined));
        lookup = { found: true, teams: [chosenTeam(c, principal, 'flows:write', (id) => id === asked && askedExists)] };
      }
    }
    requirePermissionIn(principal, 'events:read', lookup, what);
    const teams = lookup.found ? lookup.teams : [];
    const visibleFlowIds = principal.admin ? undefined : await store.read((tx) => tx.teams.flowIdsOf(teams));
    const result = await engine.replay({
      draft,
      ...(savedFlowId !== undefined ? { savedFlowId } : {}),
      since: body.since,
      ...(body.until !== undefined ? { until: body.until } : {}),
      ...(body.show ? { show: body.show } : {}),
      ...(visibleFlowIds ? { visibleFlowIds } : {}),
    });
    return c.json(result satisfies ReplayResult);
  });
}
