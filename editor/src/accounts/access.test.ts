import { describe, expect, it } from 'vitest';
import type { Me } from '../../../shared/people.js';
import { holdsAnyRole, mayOperateIn, mayWriteAnyFlows, mayWriteFlowsIn, newFlowTeam, rolesSummary, sectionsFor, signedInName, teamName, teamsWithRole } from './access.js';
import { tokenRolesChoice } from './token-roles.js';

const user = { id: 'u1', username: 'ana', displayName: 'Ana Lima', email: null };
const me = (over: Partial<Me>): Me => ({ kind: 'user', user, admin: false, via: 'session', teams: [], ...over });
const allTeams = [
  { id: 'default', name: 'Default' },
  { id: 'payments', name: 'Payments' },
  { id: 'web', name: 'Web' },
];

describe('what the navigation shows', () => {
  it('shows a team member the team sections but not the audit log, people or teams', () => {
    const viewer = me({ teams: [{ id: 'web', name: 'Web', roles: ['viewer'] }] });
    expect(sectionsFor(viewer)).toEqual(['flows', 'runs', 'approvals', 'events', 'dashboard', 'secrets']);
  });

  it('shows an admin everything, People and Teams included, even without a team role', () => {
    const admin = me({ admin: true });
    expect(sectionsFor(admin)).toEqual(['flows', 'runs', 'approvals', 'events', 'dashboard', 'secrets', 'audit', 'people', 'teams']);
    expect(sectionsFor(me({ kind: 'bootstrap-admin', user: undefined, admin: true }))).toContain('people');
  });

  it('shows someone without a role no section at all (the home page explains instead)', () => {
    const nobody = me({ explanation: 'Ask an admin.' });
    expect(holdsAnyRole(nobody)).toBe(false);
    expect(sectionsFor(nobody)).toEqual([]);
    // A team listed with an empty role set gives nothing either.
    expect(sectionsFor(me({ teams: [{ id: 'web', name: 'Web', roles: [] }] }))).toEqual([]);
  });
});

describe('where flows can be created', () => {
  const editorOfTwo = me({
    teams: [
      { id: 'payments', name: 'Payments', roles: ['editor'] },
      { id: 'web', name: 'Web', roles: ['editor', 'approver'] },
      { id: 'default', name: 'Default', roles: ['viewer'] },
    ],
  });

  it('asks which team when the caller edits flows in more than one', () => {
    const writable = teamsWithRole(editorOfTwo, 'editor', allTeams);
    expect(writable.map((t) => t.id)).toEqual(['payments', 'web']);
    expect(newFlowTeam(writable)).toEqual({ ask: true });
  });

  it('uses the one team without asking, and offers nothing to a viewer', () => {
    const oneTeam = me({ teams: [{ id: 'web', name: 'Web', roles: ['editor'] }] });
    expect(newFlowTeam(teamsWithRole(oneTeam, 'editor', allTeams))).toEqual({ ask: false, team: 'web' });
    const viewer = me({ teams: [{ id: 'web', name: 'Web', roles: ['viewer', 'operator'] }] });
    expect(mayWriteAnyFlows(viewer)).toBe(false);
    expect(newFlowTeam(teamsWithRole(viewer, 'editor', allTeams))).toEqual({ ask: false, team: null });
  });

  it('lets an admin write in every team, and an editor only in theirs', () => {
    const admin = me({ admin: true });
    expect(teamsWithRole(admin, 'editor', allTeams).map((t) => t.id)).toEqual(['default', 'payments', 'web']);
    expect(mayWriteFlowsIn(admin, 'anything')).toBe(true);
    expect(mayWriteFlowsIn(editorOfTwo, 'web')).toBe(true);
    expect(mayWriteFlowsIn(editorOfTwo, 'default')).toBe(false);
  });

  it('lets operators of the team and admins release held runs and reset breakers, nobody else', () => {
    expect(mayOperateIn(me({ admin: true }), 'web')).toBe(true);
    expect(mayOperateIn(me({ teams: [{ id: 'web', name: 'Web', roles: ['operator'] }] }), 'web')).toBe(true);
    expect(mayOperateIn(me({ teams: [{ id: 'web', name: 'Web', roles: ['editor', 'approver'] }] }), 'web')).toBe(false);
    expect(mayOperateIn(me({ teams: [{ id: 'payments', name: 'Payments', roles: ['operator'] }] }), 'web')).toBe(false);
  });

  it('lets operators (and admins) switch and run flows of their team only; an editor is not an operator', () => {
    const mixed = me({ teams: [{ id: 'web', name: 'Web', roles: ['operator'] }, { id: 'payments', name: 'Payments', roles: ['editor', 'viewer'] }] });
    expect(mayOperateIn(mixed, 'web')).toBe(true);
    expect(mayOperateIn(mixed, 'payments')).toBe(false);
    expect(mayOperateIn(mixed, 'default')).toBe(false);
    expect(mayOperateIn(me({ admin: true }), 'anything')).toBe(true);
  });
});

describe('who is signed in, in words', () => {
  it('names the admin token as break-glass, never as a person', () => {
    const token = me({ kind: 'bootstrap-admin', user: undefined, admin: true });
    expect(signedInName(token)).toBe('Admin token (break-glass)');
    expect(rolesSummary(token)).toBe('Admin');
  });

  it('names a person and their roles per team', () => {
    const ana = me({ teams: [{ id: 'web', name: 'Web', roles: ['editor', 'approver'] }] });
    expect(signedInName(ana)).toBe('Ana Lima');
    expect(rolesSummary(ana)).toBe('editor, approver in Web');
    expect(rolesSummary(me({}))).toBe('No role yet');
  });

  it('names a team by its name, or its id when the caller cannot see it', () => {
    expect(teamName('payments', allTeams)).toBe('Payments');
    expect(teamName('ops', allTeams)).toBe('ops');
  });
});

describe('what a new API token may carry', () => {
  it('offers only the roles the caller holds in each team; an admin every role', () => {
    const ana = me({ teams: [{ id: 'web', name: 'Web', roles: ['approver', 'viewer'] }, { id: 'x', name: 'X', roles: [] }] });
    expect(tokenRolesChoice(ana, allTeams)).toEqual([{ id: 'web', name: 'Web', roles: ['viewer', 'approver'] }]);
    expect(tokenRolesChoice(me({ admin: true }), allTeams)[0]!.roles).toEqual(['viewer', 'operator', 'editor', 'approver']);
  });
});
