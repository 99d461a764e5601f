import pino from 'pino';
import type { Role } from '../../shared/people.js';
import { createApp } from '../../runtime/http/app.js';
import { SessionManager } from '../../runtime/http/sessions.js';
import { approvalsRepo } from '../../runtime/store/approvals-repo.js';
import { peopleRepo } from '../../runtime/store/people-repo.js';
import { Engine } from '../../runtime/engine/engine.js';
import { secretStoreFromEnv } from '../../runtime/engine/secrets/secrets.js';
import { openStoredSecrets } from '../../runtime/engine/secrets/stored-secrets.js';
import { sqliteStore } from '../../runtime/store/store.js';
import { SqliteStore } from '../../runtime/store/db.js';
import { ManualClock } from './engine.js';
import { waitFor } from './wait.js';

const TEAMS_ADMIN_TOKEN = 'the-admin-token-0123456789';
/** The origin the editor page sends with every change (cookie requests need it). */
const TEAMS_ORIGIN = 'http://localhost';

/** A flow that starts by hand and waits for an approval: a run of it leaves an execution, an approval and an event. */
export const approvalFlow = (id: string) => ({
  format: 'salve.flow/v1',
  id,
  name: id,
  enabled: true,
  nodes: [
    { id: 'run', type: 'source.manual', config: {} },
    { id: 'ask', type: 'approval.request', config: { message: 'go on?', timeoutSeconds: 900 } },
  ],
  edges: [{ source: 'run', target: 'ask' }],
});

/** What each team owns in the fixture. */
export interface TeamResources {
  flow: string;
  execution: string;
  approval: string;
  event: string;
  secret: string;
  /** An approval link token for the team's approval. */
  approvalLink: string;
}

export interface FixtureUser {
  roles?: { team: string; role: Role }[];
  admin?: boolean;
}

/**
 * An app over a store holding teams `alpha` and `beta`, each with a flow (`<team>-flow`) that
 * has run up to an approval and a stored secret (`<TEAM>_KEY`); one user per entry of `users`,
 * signed in (`cookie(name)` is its session cookie).
 */
export async function teamsFixture(users: Record<string, FixtureUser>) {
  let t = Date.parse('2026-11-24T00:00:00Z');
  const store = new SqliteStore(':memory:');
  const clock = new ManualClock(t);
  const log = pino({ level: 'silent' });
  // A real secret store, as the server wires it: stored secrets belong to teams.
  const environment = secretStoreFromEnv({});
  const { stored } = await openStoredSecrets({ store: sqliteStore(store), dataDir: '/nonexistent', envKey: Buffer.alloc(32, 5).toString('base64'), env: {}, environment, now: () => t, log });
  const engine = new Engine({ store, clock, log, secrets: stored.all, maxConcurrent: 4, executionDeadlineMs: 3_600_000, tickMs: 3_600_000, scheduleTimers: false, linkKey: stored.linkKey() });
  const app = createApp({ engine, log, adminToken: TEAMS_ADMIN_TOKEN, hookBodyLimitBytes: 64 * 1024, version: 'test', now: () => t, storedSecrets: stored });
  await engine.start();
  const now = t;
  const actor = { name: 'test', via: 'cli' as const };
  const resources = {} as Record<'alpha' | 'beta', TeamResources>;
  await store.write((db) => {
    for (const team of ['alpha', 'beta']) peopleRepo.insertTeam(db, { id: team, name: team, createdAt: now });
  });
  for (const team of ['alpha', 'beta'] as const) {
    const secret = `${team.toUpperCase()}_KEY`;
    await engine.flows.create(approvalFlow(`${team}-flow`), actor, team);
    const run = await engine.runManually(`${team}-flow`, { payload: {} }, actor);
    await stored.put(secret, { value: `${team}-secret-value`, hosts: ['*'] }, actor, new Map(), team);
    const approval = await waitFor(() => approvalsRepo.list(store.db, { executionId: run.executionId, limit: 1 })[0]);
    const approvalLink = (await engine.store.read((tx) => engine.links.tokenFor(tx, { executionId: run.executionId, nodeId: 'ask', scope: null }, 900, now)))!;
    resources[team] = { flow: `${team}-flow`, execution: run.executionId, approval: approval.id, event: run.eventId, secret, approvalLink };
  }
  const sessions = new SessionManager(engine.store, TEAMS_ADMIN_TOKEN, () => now);
  const cookies = new Map<string, string>();
  for (const [name, user] of Object.entries(users)) {
    const id = `us_${name.replace(/\W/g, '_')}`;
    await store.write((db) => {
      peopleRepo.insertUser(db, {
        id,
        kind: 'person',
        username: id,
        displayName: name,
        email: null,
        passwordHash: null,
        oidcIssuer: null,
        oidcSubject: null,
        admin: user.admin ?? false,
        disabled: false,
        createdAt: now,
        updatedAt: now,
        lastSignInAt: null,
      });
      peopleRepo.replaceMemberships(db, id, 'manual', (user.roles ?? []).map((r) => ({ teamId: r.team, role: r.role })));
    });
    const { cookieValue } = await sessions.create({ name: id, via: 'session' }, { userId: id });
    cookies.set(name, `salve_session=${cookieValue}`);
  }
  /** A request as `who` (a user's name, or `admin` for the admin token). */
  const api = async (who: string, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (who === 'admin') headers.authorization = `Bearer ${TEAMS_ADMIN_TOKEN}`;
    else {
      const cookie = cookies.get(who);
      if (!cookie) throw new Error(`no fixture user ${who}`);
      headers.cookie = cookie;
      headers.origin = TEAMS_ORIGIN;
    }
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
  };
  return { app, engine, store, stored, resources, cookies, api, nextMinute: () => (t += 61_000) };
}
