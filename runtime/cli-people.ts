import { randomBytes } from 'node:crypto';
import { noDatabaseIn } from './cli-args.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI_ACTOR } from '../shared/audit.js';
import { ValidationError, issuesFromZod } from '../shared/errors.js';
import { CreateTeamSchema, CreateUserSchema, ROLES, type Role, type TeamRoles } from '../shared/people.js';
import { parseCommand, UsageError } from './cli-args.js';
import { PeopleService } from './http/people-service.js';
import { openStore } from './store/db.js';
import { sqliteStore } from './store/store.js';

/**
 * `salve users …` and `salve teams …`: manage accounts directly in the data directory's database
 * (safe beside a running server, like `salve secrets`), audited as the CLI. Creating the first
 * admin account this way needs no running server and no admin token.
 */

export const PEOPLE_HELP = `  salve users add <username> --display-name "Ana Lima" [--email e] [--admin] [--team t --role r[,r2] …] [--password-stdin] [--data DIR]
                                    without --password-stdin a strong password is made and printed once
  salve users list [--data DIR]
  salve users disable <username> [--data DIR]   ends their sessions and revokes their API tokens
  salve teams add <id> --name "Payments" [--data DIR]
  salve teams list [--data DIR]`;

type Out = { log: (s: string) => void; error: (s: string) => void };

/** The data directory's store with the people service on it; `fn` runs, then the store closes. */
async function withPeople<T>(dataDir: string, fn: (people: PeopleService) => Promise<T>): Promise<T> {
  if (!existsSync(join(dataDir, 'salve.db'))) throw new UsageError(noDatabaseIn(dataDir));
  // Beside a running server: never migrate its database from here (schema-version.ts).
  const store = openStore(dataDir, { applyMigrations: false });
  try {
    return await fn(new PeopleService(sqliteStore(store)));
  } finally {
    store.close();
  }
}

/** `--team a --role editor,approver --team b --role viewer`: each --team takes the --role after it. */
function teamRolesOf(teams: string[], roles: string[]): TeamRoles {
  if (teams.length !== roles.length) throw new UsageError('give one --role (a role, or several joined by ",") after each --team');
  return teams.map((team, i) => {
    const list = roles[i]!.split(',').map((r) => r.trim());
    const unknown = list.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length > 0) throw new UsageError(`unknown role ${unknown.join(', ')}: a role is one of ${ROLES.join(', ')}`);
    return { team, roles: list as Role[] };
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function usersAdd(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    data: { type: 'string' },
    'display-name': { type: 'string' },
    email: { type: 'string' },
    admin: { type: 'boolean' },
    team: { type: 'string', multiple: true },
    role: { type: 'string', multiple: true },
    'password-stdin': { type: 'boolean' },
  });
  const username = positionals[0];
  if (!username || !values['display-name']) throw new UsageError('salve users add <username> --display-name "…" [--email e] [--admin] [--team t --role r …] [--password-stdin]');
  const generated = values['password-stdin'] ? undefined : randomBytes(18).toString('base64url');
  const password = generated ?? (await readStdin());
  const parsed = CreateUserSchema.safeParse({
    username,
    displayName: values['display-name'],
    email: values.email,
    password,
    admin: values.admin ?? false,
    roles: teamRolesOf(values.team ?? [], values.role ?? []),
  });
  if (!parsed.success) throw new ValidationError('invalid user', issuesFromZod(parsed.error.issues));
  return withPeople(dataDir, async (people) => {
    const user = await people.createUser(parsed.data, CLI_ACTOR);
    const roles = user.roles.map((r) => `${r.team}: ${r.roles.join(',')}`).join('; ');
    out.log(`created user ${user.username} (${user.id})${user.admin ? ', admin' : ''}${roles ? `, roles ${roles}` : ''}`);
    if (generated) out.log(`password (shown once; the user can change it under My account):\n  ${generated}`);
    return 0;
  });
}

async function usersList(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals } = parseCommand(args, { data: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return withPeople(dataDir, async (people) => {
    const users = await people.listUsers();
    if (users.length === 0) out.log('no users (the admin token signs in as the bootstrap admin)');
    for (const u of users) {
      const flags = [u.kind === 'service' ? 'service' : '', u.admin ? 'admin' : '', u.disabled ? 'DISABLED' : ''].filter(Boolean).join(',');
      const roles = u.roles.map((r) => `${r.team}:${r.roles.join('+')}${r.origin === 'oidc' ? '(sso)' : ''}`).join(' ');
      out.log(`${u.username}\t${u.displayName}${flags ? `\t[${flags}]` : ''}\t${roles || '(no roles)'}\tlast sign-in ${u.lastSignInAt ?? 'never'}`);
    }
    return 0;
  });
}

async function usersDisable(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals } = parseCommand(args, { data: { type: 'string' } });
  const username = positionals[0];
  if (!username) throw new UsageError('salve users disable <username>');
  return withPeople(dataDir, async (people) => {
    const user = await people.userByUsername(username);
    if (!user) throw new UsageError(`no user "${username}"`);
    await people.updateUser(user.id, { disabled: true }, CLI_ACTOR);
    out.log(`disabled ${username}: their sessions ended and their API tokens were revoked`);
    return 0;
  });
}

async function teamsAdd(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals, values } = parseCommand(args, { data: { type: 'string' }, name: { type: 'string' } });
  if (!positionals[0] || !values.name) throw new UsageError('salve teams add <id> --name "…"');
  const parsed = CreateTeamSchema.safeParse({ id: positionals[0], name: values.name });
  if (!parsed.success) throw new ValidationError('invalid team', issuesFromZod(parsed.error.issues));
  return withPeople(dataDir, async (people) => {
    const team = await people.createTeam(parsed.data, CLI_ACTOR);
    out.log(`created team ${team.id} (${team.name})`);
    return 0;
  });
}

async function teamsList(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals } = parseCommand(args, { data: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return withPeople(dataDir, async (people) => {
    for (const t of await people.listTeams('all')) out.log(`${t.id}\t${t.name}\t${t.members.length} member(s)\t${t.flowCount} flow(s)`);
    return 0;
  });
}

const dataDirOf = (rest: string[]) => {
  // --data may come anywhere; each subcommand parses it again with its own options.
  const i = rest.findIndex((a) => a === '--data' || a.startsWith('--data='));
  const given = i < 0 ? undefined : rest[i]!.includes('=') ? rest[i]!.slice('--data='.length) : rest[i + 1];
  return resolve(given ?? process.env.SALVE_DATA ?? './data');
};

/** Runs `salve users <subcommand> …`. */
export async function cmdUsers(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return await usersAdd(rest, dataDirOf(rest), out);
    case 'list':
      return await usersList(rest, dataDirOf(rest), out);
    case 'disable':
      return await usersDisable(rest, dataDirOf(rest), out);
    default:
      throw new UsageError(sub ? `unknown users command "${sub}"` : `salve users add|list|disable\n${PEOPLE_HELP}`);
  }
}

/** Runs `salve teams <subcommand> …`. */
export async function cmdTeams(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return await teamsAdd(rest, dataDirOf(rest), out);
    case 'list':
      return await teamsList(rest, dataDirOf(rest), out);
    default:
      throw new UsageError(sub ? `unknown teams command "${sub}"` : `salve teams add|list\n${PEOPLE_HELP}`);
  }
}
