import type { Me, Role } from '../../../shared/people.js';

/*
 * What the signed-in caller may use, from `GET /api/me`: the navigation shows only these
 * sections, and the flows page offers to create flows only where they could be saved. The server
 * decides every request again; this only keeps people from meeting doors that will not open.
 */

/** The top bar's sections. */
export type Section = 'flows' | 'runs' | 'approvals' | 'events' | 'dashboard' | 'secrets' | 'audit' | 'people' | 'teams';

/** Any role lets one read a team's flows, runs, approvals, events, outcomes and secret names. */
const TEAM_SECTIONS: readonly Section[] = ['flows', 'runs', 'approvals', 'events', 'dashboard', 'secrets'];
/** The audit log, people and teams belong to global admins. */
const ADMIN_SECTIONS: readonly Section[] = ['audit', 'people', 'teams'];

/** True when the caller holds at least one role in some team (an admin holds everything). */
export function holdsAnyRole(me: Me): boolean {
  return me.admin || me.teams.some((t) => t.roles.length > 0);
}

/** The sections the caller can open, in the top bar's order. */
export function sectionsFor(me: Me): Section[] {
  if (me.admin) return [...TEAM_SECTIONS, ...ADMIN_SECTIONS];
  return holdsAnyRole(me) ? [...TEAM_SECTIONS] : [];
}

/** The teams in which the caller holds `role` (an admin: every team in `allTeams`). */
export function teamsWithRole<T extends { id: string; name: string }>(me: Me, role: Role, allTeams: readonly T[]): { id: string; name: string }[] {
  if (me.admin) return allTeams.map((t) => ({ id: t.id, name: t.name }));
  return me.teams.filter((t) => t.roles.includes(role)).map((t) => ({ id: t.id, name: t.name }));
}

/** Whether the caller may create and change flows in `team` (editors of it, and admins). */
export function mayWriteFlowsIn(me: Me, team: string): boolean {
  return me.admin || Boolean(me.teams.find((t) => t.id === team)?.roles.includes('editor'));
}

/**
 * Whether the caller may operate `team`'s flows and runs: run them by hand, cancel runs, enable
 * or disable flows, release held runs and reset tripped breakers (operators of it, and admins).
 */
export function mayOperateIn(me: Me, team: string): boolean {
  return me.admin || Boolean(me.teams.find((t) => t.id === team)?.roles.includes('operator'));
}

/** Whether the caller may create flows anywhere: the flows page offers New flow, From template and Import only then. */
export function mayWriteAnyFlows(me: Me): boolean {
  return me.admin || me.teams.some((t) => t.roles.includes('editor'));
}

/**
 * Which team a new flow goes to: `ask` when there is more than one to choose from, the one team
 * when there is exactly one, `none` when the caller can write in none.
 */
export function newFlowTeam(writable: readonly { id: string }[]): { ask: true } | { ask: false; team: string } | { ask: false; team: null } {
  if (writable.length > 1) return { ask: true };
  return { ask: false, team: writable[0]?.id ?? null };
}

/** The top bar's name for who is signed in. */
export function signedInName(me: Me): string {
  if (me.kind === 'bootstrap-admin') return 'Admin token (break-glass)';
  return me.user?.displayName || me.user?.username || 'Signed in';
}

/** One line under the name: "Admin", or the roles per team ("editor in Payments · viewer in Web"). */
export function rolesSummary(me: Me): string {
  const teams = me.teams.filter((t) => t.roles.length > 0).map((t) => `${t.roles.join(', ')} in ${t.name}`);
  if (me.admin) return teams.length > 0 ? `Admin · ${teams.join(' · ')}` : 'Admin';
  return teams.length > 0 ? teams.join(' · ') : 'No role yet';
}

/** A team's name for a list cell: its name when the caller knows it, else its id. */
export function teamName(team: string, known: readonly { id: string; name: string }[]): string {
  return known.find((t) => t.id === team)?.name ?? team;
}
