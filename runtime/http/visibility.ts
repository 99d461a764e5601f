import type { Context } from 'hono';
import type { StoreTx } from '../store/tx.js';
import type { AuthEnv } from './auth.js';
import { teamsWith } from './roles.js';
import type { Permission } from './route-table.js';

/**
 * For list routes (team source `list`): the teams whose items the caller may see with
 * `permission` — `all` for an admin. Authorization let the request through because the caller
 * holds the permission somewhere; this narrows the answer to where.
 */
export function visibleTeams(c: Context<AuthEnv>, permission: Permission): 'all' | string[] {
  return teamsWith(c.get('principal'), permission);
}

/** The flows whose runs, approvals and events the caller may see, read in the caller's transaction; undefined: all of them. */
export async function visibleFlowIds(c: Context<AuthEnv>, tx: StoreTx, permission: Permission): Promise<string[] | undefined> {
  const teams = visibleTeams(c, permission);
  return teams === 'all' ? undefined : tx.teams.flowIdsOf(teams);
}
