import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import { PeopleService } from '../../runtime/http/people-service.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';
import { sessionRow } from '../kit/rows.js';

/**
 * Users and teams on PostgreSQL with several processes: what one changes the others read at once,
 * and two processes taking the same username or team id at the same moment end with one of them
 * refused (409), as on SQLite where the second finds the first.
 */

const T0 = Date.parse('2026-11-24T00:00:00Z');
const admin = { name: 'admin', via: 'token' as const, identity: 'admin' };

describe.runIf(postgresAvailable)('people shared by several processes on PostgreSQL', () => {
  const processes = postgresProcesses();

  /** One process: its Store and the people service over it. */
  const openProcess = async (url: string) => {
    const { store } = await processes.open(url);
    return { store, people: new PeopleService(store, () => T0) };
  };

  const setup = async () => {
    const database = await processes.database();
    return { a: await openProcess(database.url), b: await openProcess(database.url) };
  };

  it('a user and team made through one process are read by the other, with roles and audit rows', async () => {
    const { a, b } = await setup();
    await a.people.createTeam({ id: 'ops', name: 'Ops' }, admin);
    const ana = await a.people.createUser({ kind: 'person', username: 'ana', displayName: 'Ana', admin: false, roles: [{ team: 'ops', roles: ['viewer'] }] }, admin);
    expect(await b.people.user(ana.id)).toEqual(ana);
    expect((await b.people.listTeams('all')).map((t) => ({ id: t.id, members: t.members.map((m) => m.username) }))).toEqual([{ id: 'ops', members: ['ana'] }]);

    const roles = await b.people.putRoles(ana.id, [{ team: 'ops', roles: ['approver', 'viewer'] }], admin);
    expect(roles.roles).toEqual([{ team: 'ops', roles: ['viewer', 'approver'], origin: 'manual' }]);
    expect((await a.people.userByUsername('ana'))?.roles).toEqual(roles.roles);
    const actions = await a.store.read((tx) => tx.audit.list({ limit: 10 }));
    expect(actions.map((r) => r.action).reverse()).toEqual(['team.create', 'user.create', 'user.roles']);
  });

  it('two processes creating the same username or team id at once: one succeeds, the other is a ConflictError', async () => {
    const { a, b } = await setup();
    const input = { kind: 'person' as const, username: 'ana', displayName: 'Ana', admin: false, roles: [] };
    const users = await Promise.allSettled([a.people.createUser(input, admin), b.people.createUser(input, admin)]);
    expect(users.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = users.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(ConflictError);
    expect(refused[0]?.message).toBe('username "ana" is taken');
    expect((await a.people.listUsers()).map((u) => u.username)).toEqual(['ana']);

    const teams = await Promise.allSettled([a.people.createTeam({ id: 'ops', name: 'Ops A' }, admin), b.people.createTeam({ id: 'ops', name: 'Ops B' }, admin)]);
    expect(teams.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(teams.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ConflictError);
    expect((await b.people.listTeams('all')).map((t) => t.id)).toEqual(['ops']);
  });

  it('disabling a user and deleting a team through one process end access for all', async () => {
    const { a, b } = await setup();
    await a.people.createTeam({ id: 'ops', name: 'Ops' }, admin);
    const ana = await a.people.createUser({ kind: 'person', username: 'ana', displayName: 'Ana', admin: false, roles: [{ team: 'ops', roles: ['viewer'] }] }, admin);
    await a.store.write((tx) => tx.sessions.insert(sessionRow(T0, 's1', ana.id, { tokenHash: 'h1' })));
    const disabled = await b.people.updateUser(ana.id, { disabled: true }, admin);
    expect(disabled.disabled).toBe(true);
    expect(await a.store.read((tx) => tx.sessions.forUser(ana.id))).toEqual([]);

    await b.people.deleteTeam('ops', admin);
    expect(await a.people.listTeams('all')).toEqual([]);
    expect((await a.people.user(ana.id)).roles).toEqual([]);
  });
});
