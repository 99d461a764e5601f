import { Hono } from 'hono';
import { issuesFromZod, ValidationError, UnavailableError } from '../../shared/errors.js';
import { PutSecretBodySchema, SecretNameSchema, type SecretList, type SecretListItem } from '../../shared/secrets-api.js';
import type { Engine } from '../engine/engine.js';
import { secretUses } from '../engine/secrets/secret-refs.js';
import type { SecretStore } from '../engine/secrets/secrets.js';
import type { StoredSecrets } from '../engine/secrets/stored-secrets.js';
import { actorOf, type AuthEnv } from './auth.js';
import { visibleTeams } from './visibility.js';
import { validJson, validQuery } from './validated.js';
import { z } from 'zod';
import { TeamIdSchema } from '../../shared/people.js';

/** `?team=`: the team a new secret goes to (read and checked by authorization; declared here for the typed client and OpenAPI). */
const SecretTeamQuery = z.object({ team: TeamIdSchema.optional() });

/** A value is at most 64 KiB; JSON escapes can make its text up to six times longer. */
const BODY_LIMIT = 512 * 1024;

/** The `:name` parameter, checked with the flow schema's rule for secret names. */
function secretName(raw: string): string {
  const parsed = SecretNameSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`"${raw}" is not a secret name`, issuesFromZod(parsed.error.issues, ['name']));
  return parsed.data;
}

/**
 * `/api/secrets`: list (names and metadata, never values), create or update, delete. Stored
 * secrets are managed here; environment secrets are listed read-only. `stored` is absent where
 * no secret store was opened (some tests): then the list shows `environment`'s names and
 * changes answer 503.
 */
export function secretRoutes(engine: Engine, environment: SecretStore, stored: StoredSecrets | undefined) {
  const uses = async () => secretUses([...(await engine.flows.enabledRows()), ...(await engine.flows.disabledRows())].map((r) => r.flow));
  const needStore = (): StoredSecrets => {
    if (!stored) throw new UnavailableError('the secret store is not open in this process');
    return stored;
  };
  const environmentOnly = async (): Promise<SecretListItem[]> => {
    const used = await uses();
    return environment.names().map((name) => ({
      name,
      description: '',
      hosts: [...(environment.hosts(name) ?? [])],
      source: 'environment' as const,
      team: null,
      overriddenByEnvironment: false,
      createdAt: null,
      updatedAt: null,
      updatedBy: null,
      usedBy: used.get(name) ?? [],
    }));
  };

  return new Hono<AuthEnv>()
    .get('/', async (c) => c.json({ secrets: stored ? await stored.list(await uses(), visibleTeams(c, 'secrets:read-names')) : await environmentOnly() } satisfies SecretList))
    .put('/:name', validQuery(SecretTeamQuery), validJson(PutSecretBodySchema, BODY_LIMIT, 'secret'), async (c) => {
      const name = secretName(c.req.param('name'));
      // A new secret goes to the team authorization chose (`?team=`); an existing one stays in its team.
      const { created, item } = await needStore().put(name, c.req.valid('json'), actorOf(c), await uses(), c.get('team'));
      return c.json(item satisfies SecretListItem, created ? 201 : 200);
    })
    .delete('/:name', async (c) => {
      await needStore().delete(secretName(c.req.param('name')), actorOf(c), await uses());
      return c.body(null, 204);
    });
}
