import { SecretRefSchema } from '../../shared/flow/schema.js';
import type { SecretResolver } from '../../nodes/source-adapter.js';

const SECRET_PREFIX = 'SALVE_SECRET_';

/** The environment variable that holds secret `name` in this version. */
export function secretEnvName(name: string): string {
  return `${SECRET_PREFIX}${name}`;
}

/** Resolves `{ "secret": "NAME" }` from `SALVE_SECRET_<NAME>`; empty values count as unset. */
export function envSecretResolver(env: NodeJS.ProcessEnv): SecretResolver {
  return (name) => {
    const value = env[secretEnvName(name)];
    return value === undefined || value === '' ? undefined : value;
  };
}

/**
 * The names of the secrets `envSecretResolver(env)` can resolve, sorted: `SALVE_SECRET_<NAME>`
 * with a non-empty value and a name a flow can reference. Never the values.
 */
export function listSecretNames(env: NodeJS.ProcessEnv): string[] {
  const resolve = envSecretResolver(env);
  return Object.keys(env)
    .filter((key) => key.startsWith(SECRET_PREFIX))
    .map((key) => key.slice(SECRET_PREFIX.length))
    .filter((name) => SecretRefSchema.safeParse({ secret: name }).success && resolve(name) !== undefined)
    .sort();
}
