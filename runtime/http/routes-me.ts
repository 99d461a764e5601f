import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { ChangePasswordSchema, ROLES, type Me, type Role, type SessionView } from '../../shared/people.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';
import { actorOf, type AuthEnv } from './auth.js';
import { clientAddress, limitKeyOf } from './client-address.js';
import type { PeopleService } from './people-service.js';
import type { FailureLimiter } from './rate-limit.js';
import type { Principal } from './roles.js';
import { tooManyPasswordFailures } from './routes-session.js';
import { clearSessionCookie, isHttpsRequest, SESSION_COOKIE } from './session-cookie.js';
import type { SessionManager } from './sessions.js';
import { teamRolesOf } from './user-principal.js';
import { validJson } from './validated.js';

/** What a signed-in user without any role is told (the editor shows it instead of empty pages). */
export const NO_ROLE_EXPLANATION = 'You are signed in, but hold no role in any team yet. Ask an admin to add you to a team.';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Who the principal is and what they hold. An admin is listed in every team (with the roles they
 * were also given by hand, often none): they may act in all of them. A token lists its one team
 * with the roles it gives now.
 */
async function meOf(tx: StoreTx, principal: Principal, via: Me['via']): Promise<Me> {
  const names = new Map((await tx.people.listTeams()).map((t) => [t.id, t.name]));
  const user = principal.user ? await tx.people.user(principal.user.id) : undefined;
  let held: ReadonlyMap<string, ReadonlySet<Role>> = principal.teamRoles;
  if (principal.admin) {
    const own = user ? await teamRolesOf(tx, user.id) : new Map<string, Set<Role>>();
    held = new Map([...names.keys()].map((id) => [id, own.get(id) ?? new Set<Role>()]));
  }
  const teams = [...held.entries()]
    .filter(([id]) => names.has(id))
    .map(([id, roles]) => ({ id, name: names.get(id)!, roles: ROLES.filter((r) => roles.has(r)) }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const holdsAny = principal.admin || teams.some((t) => t.roles.length > 0);
  return {
    ...(user ? { user: { id: user.id, username: user.username, displayName: user.displayName, email: user.email } } : {}),
    kind: !principal.user ? 'bootstrap-admin' : principal.user.kind === 'service' ? 'service' : 'user',
    admin: principal.admin,
    via,
    teams,
    ...(holdsAny ? {} : { explanation: NO_ROLE_EXPLANATION }),
  };
}

export interface MeRouteOptions {
  store: Store;
  sessions: SessionManager;
  people: PeopleService;
  /** Wrong current passwords count here, as failed sign-ins do. */
  passwordLimiter: FailureLimiter;
  publicOrigin?: string;
  log: Logger;
}

/** `/api/me`: the caller, their own sessions, their own password. */
export function meRoutes(opts: MeRouteOptions) {
  /** The session this request came with (cookie requests only). */
  const currentSession = async (c: Context<AuthEnv>) => {
    const cookie = c.get('authVia') === 'cookie' ? getCookie(c, SESSION_COOKIE) : undefined;
    return cookie === undefined ? undefined : (await opts.sessions.peek(cookie))?.id;
  };

  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      const me = await opts.store.read((tx) => meOf(tx, c.get('principal'), c.get('authVia') === 'cookie' ? 'session' : 'token'));
      return c.json(me satisfies Me);
    })
    .get('/sessions', async (c) => {
      const user = c.get('principal').user;
      if (!user) return c.json({ items: [] as SessionView[] });
      const current = await currentSession(c);
      const items = (await opts.sessions.listForUser(user.id)).map(
        (s): SessionView => ({
          id: s.id,
          createdAt: iso(s.createdAt),
          lastUsedAt: iso(s.lastUsedAt),
          expiresAt: iso(s.expiresAt),
          address: s.address,
          userAgent: s.userAgent,
          current: s.id === current,
        }),
      );
      return c.json({ items });
    })
    .delete('/sessions/:id', async (c) => {
      const user = c.get('principal').user;
      const id = c.req.param('id');
      const current = await currentSession(c); // read before it may end
      if (!user || !(await opts.sessions.endForUser(user.id, id, actorOf(c)))) throw new NotFoundError(`no session "${id}" of yours`);
      // Ending the session this request came with is signing out.
      if (id === current) clearSessionCookie(c, isHttpsRequest(c, opts.publicOrigin));
      return c.body(null, 204);
    })
    .put('/password', validJson(ChangePasswordSchema, 4096), async (c) => {
      const principal = c.get('principal');
      if (!principal.user) throw new ConflictError('the admin token has no password: it is SALVE_ADMIN_TOKEN or the admin-token file');
      if (principal.kind === 'api-token') throw new ForbiddenError('an API token cannot change a password: sign in to change it');
      const key = limitKeyOf(clientAddress(c));
      const reqId = c.get('requestId');
      const wait = opts.passwordLimiter.retryAfterSeconds(key);
      if (wait > 0) throw tooManyPasswordFailures(wait);
      const body = c.req.valid('json');
      const result = await opts.people.changeOwnPassword(principal.user.id, body.current, body.password, actorOf(c), await currentSession(c));
      if (result === 'wrong') {
        await opts.passwordLimiter.fail(key, reqId);
        opts.log.warn({ reqId, user: principal.user.id }, 'password change refused: wrong current password');
        throw new ForbiddenError('current: that is not your current password');
      }
      await opts.passwordLimiter.reset(key, reqId);
      return c.body(null, 204);
    });
}
