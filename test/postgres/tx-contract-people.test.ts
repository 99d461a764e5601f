import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import type { MembershipRow, TeamRow, UserRow } from '../../runtime/store/people-repo.js';
import type { StoreTx } from '../../runtime/store/tx.js';
import { apiTokenRow, secretRow, sessionRow, userRow } from '../kit/rows.js';
import { storeEngines, type OpenEngine, type SeedRows } from '../kit/store-engines.js';

/**
 * The store contract of people: users, teams and their roles (what /api/users, /api/teams,
 * /api/me, single sign-on and Slack buttons read and write) give the same answers on SQLite and
 * PostgreSQL, including the ConflictError of a taken name and the byte order of lists.
 */

const engines = storeEngines();

const T0 = 1_800_000_000_000;

/** A user row with every column given (a person with no password, e-mail or SSO unless told). */
const user = (id: string, username: string, over: Partial<UserRow> = {}): UserRow => userRow(T0, id, username, over);

const team = (id: string, name = id): TeamRow => ({ id, name, createdAt: T0 });

const role = (userId: string, teamId: string, r: MembershipRow['role'], origin: MembershipRow['origin'] = 'manual'): MembershipRow => ({ userId, teamId, role: r, origin });

type FlowSeed = NonNullable<SeedRows['flows']>[number];

const flowOf = (id: string, teamId: string): FlowSeed => {
  const flow = FlowSchema.parse({ format: FLOW_FORMAT, id, name: id, enabled: true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });
  return { id, name: id, enabled: true, revision: 1, document: JSON.stringify(flow), createdAt: T0, updatedAt: T0, teamId };
};

/**
 * Opens the engine with no teams: SQLite's migrations create the `default` team, PostgreSQL's do
 * not (a PostgreSQL database gets its rows from `salve copy`, which wants it empty).
 */
async function withoutTeams(open: () => Promise<OpenEngine>): Promise<OpenEngine> {
  const e = await open();
  await e.run((tx) => tx.people.deleteTeam('default'));
  return e;
}

/** What `run` threw (undefined when it did not). */
async function failure(e: OpenEngine, fn: (tx: StoreTx) => Promise<unknown>): Promise<unknown> {
  try {
    await e.run(fn);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Text in a deliberately mixed order: bytes put capitals first and '-' before letters; a linguistic collation would not. */
const MIXED = ['ana', 'Bob', 'a-z', 'ab', '_x', 'Zed', 'carl'];
const BYTE_ORDER = ['Bob', 'Zed', '_x', 'a-z', 'ab', 'ana', 'carl'];

describe.each(engines)('store contract (people) on $name', ({ available: runIf, open }) => {
  it.runIf(runIf)('users: inserted rows read back whole by id and by single sign-on identity; unknown ones are undefined', async () => {
    const e = await open();
    const ana = user('u1', 'ana', { kind: 'service', email: 'ana@example.org', passwordHash: 'scrypt$x', admin: true, lastSignInAt: T0 + 5 });
    const sso = user('u2', 'bo', { oidcIssuer: 'https://idp.example', oidcSubject: 'sub-1', disabled: true });
    await e.run(async (tx) => {
      await tx.people.insertUser(ana);
      await tx.people.insertUser(sso);
    });
    expect(await e.run((tx) => tx.people.user('u1'))).toEqual(ana);
    expect(await e.run((tx) => tx.people.userByOidc('https://idp.example', 'sub-1'))).toEqual(sso);
    expect(await e.run((tx) => tx.people.userByOidc('https://other.example', 'sub-1'))).toBeUndefined();
    expect(await e.run((tx) => tx.people.userByOidc('https://idp.example', 'sub-2'))).toBeUndefined();
  });

  it.runIf(runIf)('users: a taken username, sign-in identity or id is a ConflictError and nothing is written; users without SSO never clash', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.people.insertUser(user('u1', 'ana', { oidcIssuer: 'https://idp.example', oidcSubject: 'sub-1' }));
      // Two users without single sign-on (null issuer and subject) are not the same identity.
      await tx.people.insertUser(user('u2', 'bo'));
      await tx.people.insertUser(user('u3', 'cy'));
    });
    const byName = await failure(e, (tx) => tx.people.insertUser(user('u4', 'ana')));
    expect(byName).toBeInstanceOf(ConflictError);
    expect((byName as Error).message).toBe('username "ana" is taken');
    const byIdentity = await failure(e, (tx) => tx.people.insertUser(user('u5', 'dee', { oidcIssuer: 'https://idp.example', oidcSubject: 'sub-1' })));
    expect(byIdentity).toBeInstanceOf(ConflictError);
    expect((byIdentity as Error).message).toBe('a user already signs in as "sub-1" of https://idp.example');
    const byId = await failure(e, (tx) => tx.people.insertUser(user('u1', 'eve')));
    expect(byId).toBeInstanceOf(ConflictError);
    expect((byId as Error).message).toBe('user id "u1" is taken');
    // The refused transactions wrote nothing, also not what they did before the refusal.
    await failure(e, async (tx) => {
      await tx.people.insertUser(user('u6', 'fay'));
      await tx.people.insertUser(user('u7', 'ana'));
    });
    expect((await e.run((tx) => tx.people.listUsers())).map((u) => u.id)).toEqual(['u1', 'u2', 'u3']);
  });

  it.runIf(runIf)('users: listUsers orders by username as bytes (SQLite BINARY), also where the column compares linguistically', async () => {
    const e = await open();
    await e.linguisticColumns(['users.username']);
    await e.run(async (tx) => {
      for (const [i, name] of MIXED.entries()) await tx.people.insertUser(user(`u${i}`, name));
    });
    expect((await e.run((tx) => tx.people.listUsers())).map((u) => u.username)).toEqual(BYTE_ORDER);
    expect(await e.run((tx) => tx.people.user('u1'))).toEqual(user('u1', 'Bob'));
  });

  it.runIf(runIf)('users: usersByEmail compares without case (ASCII letters, as SQLite lower()), by username; no email never matches', async () => {
    const e = await open();
    await e.linguisticColumns(['users.username', 'users.email']);
    await e.run(async (tx) => {
      await tx.people.insertUser(user('u1', 'zoe', { email: 'Ana@Example.ORG' }));
      await tx.people.insertUser(user('u2', 'ana', { email: 'ana@example.org' }));
      await tx.people.insertUser(user('u3', 'Ana-2', { email: 'ana@example.org' }));
      await tx.people.insertUser(user('u4', 'bo', { email: 'bo@example.org' }));
      await tx.people.insertUser(user('u5', 'nobody'));
      await tx.people.insertUser(user('u6', 'eve', { email: 'ÉVE@example.org' }));
    });
    const found = await e.run((tx) => tx.people.usersByEmail('ANA@example.org'));
    expect(found.map((u) => u.username)).toEqual(['Ana-2', 'ana', 'zoe']);
    expect(found[0]).toEqual(user('u3', 'Ana-2', { email: 'ana@example.org' }));
    expect(await e.run((tx) => tx.people.usersByEmail('carl@example.org'))).toEqual([]);
    expect(await e.run((tx) => tx.people.usersByEmail(''))).toEqual([]);
    // SQLite's lower() leaves 'É' as it is: the stored address never equals the lowered 'éve@…'.
    expect(await e.run((tx) => tx.people.usersByEmail('éve@example.org'))).toEqual([]);
  });

  it.runIf(runIf)('users: updateUser changes the given columns and answers the row after; unknown id: undefined; a taken username is a ConflictError', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.people.insertUser(user('u1', 'ana', { email: 'ana@example.org' }));
      await tx.people.insertUser(user('u2', 'bo'));
    });
    const after = await e.run((tx) => tx.people.updateUser('u1', { displayName: 'Ana Lima', email: null, admin: true, lastSignInAt: T0 + 9, updatedAt: T0 + 9 }));
    const expected = user('u1', 'ana', { displayName: 'Ana Lima', email: null, admin: true, lastSignInAt: T0 + 9, updatedAt: T0 + 9 });
    expect(after).toEqual(expected);
    expect(await e.run((tx) => tx.people.user('u1'))).toEqual(expected);
    expect(await e.run((tx) => tx.people.updateUser('nobody', { disabled: true, updatedAt: T0 }))).toBeUndefined();
    const taken = await failure(e, (tx) => tx.people.updateUser('u2', { username: 'ana', updatedAt: T0 + 10 }));
    expect(taken).toBeInstanceOf(ConflictError);
    expect((taken as Error).message).toBe('username "ana" is taken');
    expect(await e.run((tx) => tx.people.user('u2'))).toEqual(user('u2', 'bo'));
  });

  it.runIf(runIf)('roles: replaceMemberships replaces one origin only; a role held from the other origin is not doubled', async () => {
    const e = await open();
    await e.seed({ memberships: [role('u1', 'ops', 'viewer'), role('u1', 'ops', 'editor', 'oidc'), role('u2', 'ops', 'viewer')] });
    await e.run((tx) =>
      tx.people.replaceMemberships('u1', 'oidc', [
        { teamId: 'ops', role: 'viewer' }, // held by hand already: stays manual, once
        { teamId: 'web', role: 'approver' },
      ]),
    );
    const sorted = (rows: MembershipRow[]) => [...rows].sort((a, b) => `${a.teamId}/${a.role}`.localeCompare(`${b.teamId}/${b.role}`));
    expect(sorted(await e.run((tx) => tx.people.membershipsOf('u1')))).toEqual([role('u1', 'ops', 'viewer'), role('u1', 'web', 'approver', 'oidc')]);
    await e.run((tx) => tx.people.replaceMemberships('u1', 'manual', [{ teamId: 'web', role: 'operator' }]));
    expect(sorted(await e.run((tx) => tx.people.membershipsOf('u1')))).toEqual([role('u1', 'web', 'approver', 'oidc'), role('u1', 'web', 'operator')]);
    await e.run((tx) => tx.people.replaceMemberships('u1', 'oidc', []));
    expect(await e.run((tx) => tx.people.membershipsOf('u1'))).toEqual([role('u1', 'web', 'operator')]);
    // Another user's roles are untouched.
    expect(await e.run((tx) => tx.people.membershipsOf('u2'))).toEqual([role('u2', 'ops', 'viewer')]);
  });

  it.runIf(runIf)('roles: allMemberships orders by user, team and role as bytes; membersOf lists one team by user and role', async () => {
    const e = await open();
    await e.linguisticColumns(['memberships.user_id', 'memberships.team_id', 'memberships.role']);
    const rows = [
      role('ab', 'ops', 'viewer'),
      role('a-z', 'ops', 'viewer'),
      role('Bob', 'web', 'viewer'),
      role('Bob', 'Ops', 'viewer'),
      role('Bob', 'ops', 'viewer'),
      role('Bob', 'ops', 'approver'),
      role('Bob', 'ops', 'editor', 'oidc'),
      role('ab', 'a-b', 'operator'),
    ];
    await e.seed({ memberships: rows });
    expect(await e.run((tx) => tx.people.allMemberships())).toEqual([
      role('Bob', 'Ops', 'viewer'),
      role('Bob', 'ops', 'approver'),
      role('Bob', 'ops', 'editor', 'oidc'),
      role('Bob', 'ops', 'viewer'),
      role('Bob', 'web', 'viewer'),
      role('a-z', 'ops', 'viewer'),
      role('ab', 'a-b', 'operator'),
      role('ab', 'ops', 'viewer'),
    ]);
    expect(await e.run((tx) => tx.people.membersOf('ops'))).toEqual([
      role('Bob', 'ops', 'approver'),
      role('Bob', 'ops', 'editor', 'oidc'),
      role('Bob', 'ops', 'viewer'),
      role('a-z', 'ops', 'viewer'),
      role('ab', 'ops', 'viewer'),
    ]);
    expect(await e.run((tx) => tx.people.membersOf('nobody'))).toEqual([]);
  });

  it.runIf(runIf)('access: endAccessOf ends every session and revokes the live tokens of one user, counting them; others keep theirs', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.sessions.insert(sessionRow(T0, 's1', 'u1'));
      await tx.sessions.insert(sessionRow(T0, 's2', 'u1'));
      await tx.sessions.insert(sessionRow(T0, 's3', 'u2'));
      await tx.apiTokens.insert(apiTokenRow(T0, 't1', 'u1'));
      await tx.apiTokens.insert(apiTokenRow(T0, 't2', 'u1', { revokedAt: T0 + 1 })); // revoked before: keeps its time, not counted
      await tx.apiTokens.insert(apiTokenRow(T0, 't3', 'u2'));
    });
    expect(await e.run((tx) => tx.people.endAccessOf('u1', T0 + 50))).toEqual({ sessions: 2, tokens: 1 });
    expect(await e.run((tx) => tx.sessions.forUser('u1'))).toEqual([]);
    expect((await e.run((tx) => tx.sessions.forUser('u2'))).map((s) => s.id)).toEqual(['s3']);
    expect((await e.run((tx) => tx.apiTokens.byId('t1')))?.revokedAt).toBe(T0 + 50);
    expect((await e.run((tx) => tx.apiTokens.byId('t2')))?.revokedAt).toBe(T0 + 1);
    expect((await e.run((tx) => tx.apiTokens.byId('t3')))?.revokedAt).toBeNull();
    expect(await e.run((tx) => tx.people.endAccessOf('u1', T0 + 60))).toEqual({ sessions: 0, tokens: 0 });
  });

  it.runIf(runIf)('teams: inserted, read, listed by id as bytes, renamed; unknown ones are undefined or false', async () => {
    const e = await withoutTeams(open);
    await e.linguisticColumns(['teams.id']);
    await e.run(async (tx) => {
      for (const id of MIXED) await tx.people.insertTeam(team(id, `Team ${id}`));
    });
    expect(await e.run((tx) => tx.people.team('ab'))).toEqual(team('ab', 'Team ab'));
    expect(await e.run((tx) => tx.people.team('AB'))).toBeUndefined();
    expect((await e.run((tx) => tx.people.listTeams())).map((t) => t.id)).toEqual(BYTE_ORDER);
    expect(await e.run((tx) => tx.people.renameTeam('ab', 'Alpha Beta'))).toBe(true);
    expect(await e.run((tx) => tx.people.team('ab'))).toEqual(team('ab', 'Alpha Beta'));
    expect(await e.run((tx) => tx.people.renameTeam('nobody', 'x'))).toBe(false);
  });

  it.runIf(runIf)('teams: a taken id is a ConflictError and nothing is written', async () => {
    const e = await withoutTeams(open);
    await e.run((tx) => tx.people.insertTeam(team('ops', 'Ops')));
    const taken = await failure(e, async (tx) => {
      await tx.people.insertTeam(team('web'));
      await tx.people.insertTeam(team('ops', 'Other'));
    });
    expect(taken).toBeInstanceOf(ConflictError);
    expect((taken as Error).message).toBe('team id "ops" is taken');
    expect(await e.run((tx) => tx.people.listTeams())).toEqual([team('ops', 'Ops')]);
  });

  it.runIf(runIf)('teams: deleteTeam removes the team and every role held in it, nothing else; false for an unknown team', async () => {
    const e = await withoutTeams(open);
    await e.run(async (tx) => {
      await tx.people.insertTeam(team('ops'));
      await tx.people.insertTeam(team('web'));
    });
    await e.seed({ memberships: [role('u1', 'ops', 'viewer'), role('u2', 'ops', 'editor', 'oidc'), role('u1', 'web', 'viewer')] });
    expect(await e.run((tx) => tx.people.deleteTeam('ops'))).toBe(true);
    expect(await e.run((tx) => tx.people.team('ops'))).toBeUndefined();
    expect(await e.run((tx) => tx.people.allMemberships())).toEqual([role('u1', 'web', 'viewer')]);
    expect(await e.run((tx) => tx.people.deleteTeam('ops'))).toBe(false);
    expect(await e.run((tx) => tx.people.listTeams())).toEqual([team('web')]);
  });

  it.runIf(runIf)('teams: teamHoldings counts a team’s flows and secrets; flowCounts gives flows per team, teams without flows absent', async () => {
    const e = await open();
    await e.seed({ flows: [flowOf('f1', 'ops'), flowOf('f2', 'ops'), flowOf('f3', 'web')] });
    await e.run(async (tx) => {
      await tx.secrets.put(secretRow(T0, 'OPS_KEY', { teamId: 'ops' }));
      await tx.secrets.put(secretRow(T0, 'DB_KEY', { teamId: 'db' }));
    });
    expect(await e.run((tx) => tx.people.teamHoldings('ops'))).toEqual({ flows: 2, secrets: 1 });
    expect(await e.run((tx) => tx.people.teamHoldings('db'))).toEqual({ flows: 0, secrets: 1 });
    expect(await e.run((tx) => tx.people.teamHoldings('empty'))).toEqual({ flows: 0, secrets: 0 });
    expect(await e.run((tx) => tx.people.flowCounts())).toEqual(new Map([['ops', 2], ['web', 1]]));
  });
});
