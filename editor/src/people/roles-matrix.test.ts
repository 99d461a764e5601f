import { describe, expect, it } from 'vitest';
import type { UserView } from '../../../shared/people.js';
import { hasRole, manualRoles, rolesByTeam, signInText, ssoRoles, toggleRole } from './roles-matrix.js';

const user = (over: Partial<UserView>): UserView => ({
  id: 'u1',
  kind: 'person',
  username: 'ana',
  displayName: 'Ana',
  email: null,
  admin: false,
  disabled: false,
  signIn: ['password'],
  roles: [],
  createdAt: '2026-01-01T00:00:00Z',
  lastSignInAt: null,
  ...over,
});

describe('editing roles per team', () => {
  it('turns roles on and off, keeps their usual order, and drops a team left without any', () => {
    let roles = toggleRole([], 'web', 'editor', true);
    roles = toggleRole(roles, 'web', 'viewer', true);
    expect(roles).toEqual([{ team: 'web', roles: ['viewer', 'editor'] }]);
    expect(hasRole(roles, 'web', 'editor')).toBe(true);
    roles = toggleRole(roles, 'payments', 'approver', true);
    roles = toggleRole(roles, 'web', 'viewer', false);
    roles = toggleRole(roles, 'web', 'editor', false);
    expect(roles).toEqual([{ team: 'payments', roles: ['approver'] }]);
  });

  it('edits only the roles given by hand; single sign-on roles are shown apart', () => {
    const ana = user({
      roles: [
        { team: 'web', roles: ['editor'], origin: 'manual' },
        { team: 'web', roles: ['viewer'], origin: 'oidc' },
        { team: 'ops', roles: [], origin: 'manual' },
      ],
    });
    expect(manualRoles(ana)).toEqual([{ team: 'web', roles: ['editor'] }]);
    expect(ssoRoles(ana)).toEqual([{ team: 'web', roles: ['viewer'] }]);
    expect(rolesByTeam(ana)).toEqual([{ team: 'web', roles: ['viewer', 'editor'], fromSso: true }]);
  });

  it('says how someone signs in', () => {
    expect(signInText(user({ signIn: ['password', 'sso'] }))).toBe('password and single sign-on');
    expect(signInText(user({ kind: 'service', signIn: [] }))).toBe('API tokens only');
    expect(signInText(user({ signIn: [] }))).toContain('cannot sign in');
  });
});
