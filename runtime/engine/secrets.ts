import type { SecretResolver } from '../../nodes/source-adapter.js';

/** The environment variable that holds secret `name` in this version. */
export function secretEnvName(name: string): string {
  return `SALVE_SECRET_${name}`;
}

/** Resolves `{ "secret": "NAME" }` from `SALVE_SECRET_<NAME>`; empty values count as unset. */
export function envSecretResolver(env: NodeJS.ProcessEnv): SecretResolver {
  return (name) => {
    const value = env[secretEnvName(name)];
    return value === undefined || value === '' ? undefined : value;
  };
}
