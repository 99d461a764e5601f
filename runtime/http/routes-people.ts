import { Hono } from 'hono';
import { CreateTeamSchema, CreateUserSchema, PutRolesSchema, UpdateUserSchema, type TeamView, type UserView } from '../../shared/people.js';
import { actorOf, type AuthEnv } from './auth.js';
import type { PeopleService } from './people-service.js';
import { validJson } from './validated.js';

/** Bodies are small: names, an e-mail, a password, a roles list. */
const BODY_LIMIT = 16 * 1024;

/** `PATCH /api/teams/:id`: a team's id never changes (flows, secrets and config name it); its name may. */
export const RenameTeamSchema = CreateTeamSchema.pick({ name: true });

/** `/api/users` (admin only, by the route table): list, create, read, change, set roles. */
export function userRoutes(people: PeopleService) {
  return new Hono<AuthEnv>()
    .get('/', async (c) => c.json({ items: (await people.listUsers()) satisfies UserView[] }))
    .post('/', validJson(CreateUserSchema, BODY_LIMIT), async (c) => c.json((await people.createUser(c.req.valid('json'), actorOf(c))) satisfies UserView, 201))
    .get('/:id', async (c) => c.json((await people.user(c.req.param('id'))) satisfies UserView))
    .patch('/:id', validJson(UpdateUserSchema, BODY_LIMIT), async (c) => {
      const view = await people.updateUser(c.req.param('id'), c.req.valid('json'), actorOf(c), c.get('principal').user?.id);
      return c.json(view satisfies UserView);
    })
    .put('/:id/roles', validJson(PutRolesSchema, BODY_LIMIT), async (c) =>
      c.json((await people.putRoles(c.req.param('id'), c.req.valid('json').roles, actorOf(c))) satisfies UserView),
    );
}

/** `/api/teams`: anyone signed in lists the teams they hold a role in (an admin: all); admins change them. */
export function teamRoutes(people: PeopleService) {
  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      const principal = c.get('principal');
      return c.json({ items: (await people.listTeams(principal.admin ? 'all' : [...principal.teamRoles.keys()])) satisfies TeamView[] });
    })
    .post('/', validJson(CreateTeamSchema, BODY_LIMIT), async (c) => c.json((await people.createTeam(c.req.valid('json'), actorOf(c))) satisfies TeamView, 201))
    .patch('/:id', validJson(RenameTeamSchema, BODY_LIMIT), async (c) =>
      c.json((await people.renameTeam(c.req.param('id'), c.req.valid('json').name, actorOf(c))) satisfies TeamView),
    )
    .delete('/:id', async (c) => {
      await people.deleteTeam(c.req.param('id'), actorOf(c));
      return c.body(null, 204);
    });
}
