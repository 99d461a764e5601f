import { describe, expect, it } from 'vitest';
import { displayNameFor, groupsOf, mapGroups, RoleMapSchema, usernameFor, verifiedEmailOf } from './oidc-mapping.js';

const MAP = RoleMapSchema.parse({
  'salve-admins': 'admin',
  'payments-oncall': [{ team: 'payments', roles: ['operator', 'approver'] }],
  'payments-dev': [
    { team: 'payments', roles: ['editor', 'operator'] },
    { team: 'default', roles: ['viewer'] },
  ],
});

describe('mapping groups to teams and roles', () => {
  it('gives the union of what every mapped group gives, once each, and ignores unmapped groups', () => {
    expect(mapGroups(['payments-oncall', 'payments-dev', 'marketing'], MAP)).toEqual({
      admin: false,
      memberships: [
        { teamId: 'default', role: 'viewer' },
        { teamId: 'payments', role: 'approver' },
        { teamId: 'payments', role: 'editor' },
        { teamId: 'payments', role: 'operator' },
      ],
    });
  });

  it('makes an admin only from a group mapped to "admin"', () => {
    expect(mapGroups(['salve-admins'], MAP)).toEqual({ admin: true, memberships: [] });
    expect(mapGroups(['Salve-Admins', 'salve-admins '], MAP).admin).toBe(false);
  });

  it('gives nothing for no groups, or for names that are properties of every object', () => {
    expect(mapGroups([], MAP)).toEqual({ admin: false, memberships: [] });
    expect(mapGroups(['__proto__', 'constructor', 'toString'], MAP)).toEqual({ admin: false, memberships: [] });
  });

  it('reads a groups claim that is a list or one string, and nothing else', () => {
    expect(groupsOf(['a', 2, 'b', null])).toEqual(['a', 'b']);
    expect(groupsOf('a')).toEqual(['a']);
    expect(groupsOf({ a: true })).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('refuses a role map that names an unknown role or a bad team id', () => {
    expect(RoleMapSchema.safeParse({ g: [{ team: 'payments', roles: ['owner'] }] }).success).toBe(false);
    expect(RoleMapSchema.safeParse({ g: [{ team: 'Payments!', roles: ['viewer'] }] }).success).toBe(false);
    expect(RoleMapSchema.safeParse({ g: 'root' }).success).toBe(false);
  });
});

describe('a new single sign-on user', () => {
  const none = async () => false;

  it('is named from preferred_username, else the verified e-mail, else the subject', async () => {
    expect(await usernameFor({ sub: '1', preferred_username: 'Ana.Lima', email: 'x@example.com', email_verified: true }, none)).toBe('ana.lima');
    expect(await usernameFor({ sub: '1', email: 'Ana@Example.com', email_verified: true }, none)).toBe('ana@example.com');
    // An unverified address is not a name Salve shows as who did something.
    expect(await usernameFor({ sub: '1', email: 'ceo@example.com', email_verified: false }, none)).toMatch(/^sso-[0-9a-f]{12}$/);
  });

  it('gets a name usernames allow, never a reserved one, and unique', async () => {
    expect(await usernameFor({ sub: '1', preferred_username: '  -Ana Lima (Ops)' }, none)).toBe('ana-lima-ops-');
    expect(await usernameFor({ sub: '1', preferred_username: 'admin' }, none)).toBe('admin-sso');
    const taken = new Set(['ana', 'ana-2']);
    expect(await usernameFor({ sub: '1', preferred_username: 'ana' }, async (u) => taken.has(u))).toBe('ana-3');
  });

  it('keeps the e-mail only when the provider verified it', () => {
    expect(verifiedEmailOf({ sub: '1', email: 'Ana@Example.com', email_verified: true })).toBe('ana@example.com');
    expect(verifiedEmailOf({ sub: '1', email: 'ana@example.com', email_verified: 'true' })).toBeUndefined();
    expect(verifiedEmailOf({ sub: '1', email: 'ana@example.com' })).toBeUndefined();
    expect(verifiedEmailOf({ sub: '1', email: 'not an address', email_verified: true })).toBeUndefined();
  });

  it('is shown by name, else given and family name, else username', () => {
    expect(displayNameFor({ sub: '1', name: 'Ana Lima' }, 'ana')).toBe('Ana Lima');
    expect(displayNameFor({ sub: '1', given_name: 'Ana', family_name: 'Lima' }, 'ana')).toBe('Ana Lima');
    expect(displayNameFor({ sub: '1', name: ' ' }, 'ana')).toBe('ana');
  });
});
