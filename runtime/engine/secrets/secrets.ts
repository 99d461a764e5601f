import { SecretRefSchema } from '../../../shared/flow/schema.js';
import type { SecretResolver } from '../../../nodes/source-adapter.js';

const SECRET_PREFIX = 'SALVE_SECRET_';
/** `SALVE_SECRET_<NAME>_HOSTS`: where secret NAME may be sent (not a secret of its own). */
const HOSTS_SUFFIX = '_HOSTS';

/** The environment variable that holds secret `name` in this version. */
export function secretEnvName(name: string): string {
  return `${SECRET_PREFIX}${name}`;
}

/** The environment variable that lists the hosts secret `name` may be sent to. */
export function secretHostsEnvName(name: string): string {
  return `${SECRET_PREFIX}${name}${HOSTS_SUFFIX}`;
}

/**
 * Every secret Salve knows: the environment's (read once at start) and the secret store's (read
 * again when it changes). Flows reference secrets by name (`{ "secret": "NAME" }`); values never
 * leave the process except to where a step sends them.
 */
export interface SecretStore {
  /** The value of secret `name`; undefined when unset (an empty value counts as unset). */
  get(name: string): string | undefined;
  /**
   * The destinations secret `name` may be sent to, as written in `SALVE_SECRET_<NAME>_HOSTS`
   * (host names, `*.domain`, IP literals, CIDRs, or `*` for anywhere), or undefined when the
   * secret has no such list: then no step may send it anywhere (sources may still check it).
   */
  hosts(name: string): string[] | undefined;
  /**
   * How messages name where secret `name`'s host list is set, when not `SALVE_SECRET_<NAME>_HOSTS`
   * (a stored secret's list); undefined for the variable.
   */
  hostsSetting?(name: string): string | undefined;
  /** The names a flow can reference, sorted. Never the values. */
  names(): string[];
  /**
   * The team that owns stored secret `name`: only that team's flows may use it. Undefined for an
   * environment secret (set by the operator on the host: any flow may use it) or an unknown name.
   */
  team?(name: string): string | undefined;
  /**
   * Every secret value, so outputs can be scrubbed of all of them, referenced or not. The same
   * array is returned until a value changes (scrubberFor rebuilds its scrubber when it does).
   */
  values(): readonly string[];
  /** The resolver sources use to check credentials. */
  readonly resolve: SecretResolver;
}

/** Splits a `_HOSTS` list: comma or whitespace separated, empty entries dropped. */
export function parseHostList(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter((h) => h !== '');
}

/** A store over name → value (and name → raw host list). */
export function secretStoreFrom(values: Record<string, string>, hosts: Record<string, string> = {}): SecretStore {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    if (value !== '' && SecretRefSchema.safeParse({ secret: name }).success) map.set(name, value);
  }
  const hostMap = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(hosts)) hostMap.set(name, parseHostList(raw));
  const get = (name: string) => map.get(name);
  const all = [...map.values()];
  return {
    get,
    hosts: (name) => hostMap.get(name),
    names: () => [...map.keys()].sort(),
    values: () => all,
    resolve: get,
  };
}

/**
 * The environment's secrets and the secret store's together. When both define a name, the
 * environment's value and host list win (the operator who set the variable decides; the secrets
 * list shows the stored one as overridden). Both sets of values are scrubbed.
 */
export function combineSecretStores(environment: SecretStore, stored: SecretStore): SecretStore {
  let seen: [readonly string[], readonly string[]] | undefined;
  let all: readonly string[] = [];
  const get = (name: string) => environment.get(name) ?? stored.get(name);
  return {
    get,
    hosts: (name) => (environment.get(name) !== undefined ? environment.hosts(name) : stored.hosts(name)),
    hostsSetting: (name) => (environment.get(name) === undefined && stored.get(name) !== undefined ? `the host list of stored secret ${name}` : undefined),
    // The environment's value wins, and it belongs to no team.
    team: (name) => (environment.get(name) !== undefined ? undefined : stored.team?.(name)),
    names: () => [...new Set([...environment.names(), ...stored.names()])].sort(),
    values: () => {
      const e = environment.values();
      const s = stored.values();
      if (!seen || seen[0] !== e || seen[1] !== s) {
        seen = [e, s];
        all = [...e, ...s];
      }
      return all;
    },
    resolve: get,
  };
}

/**
 * `store` whose `values()` also lists `extra` (e.g. the admin token), so outputs are scrubbed of
 * them too; flows still cannot reference them.
 */
export function withScrubbedExtras(store: SecretStore, extra: (string | undefined)[]): SecretStore {
  const more = extra.filter((v): v is string => v !== undefined && v !== '');
  if (more.length === 0) return store;
  let seen: readonly string[] | undefined;
  let all: readonly string[] = [];
  return {
    ...store,
    values: () => {
      const inner = store.values();
      if (inner !== seen) {
        seen = inner;
        all = [...inner, ...more];
      }
      return all;
    },
  };
}

/**
 * Reads `SALVE_SECRET_<NAME>` (the secret) and `SALVE_SECRET_<NAME>_HOSTS` (where it may be
 * sent) from an environment. A variable ending in `_HOSTS` is always a host list, so no secret
 * can be named `…_HOSTS`.
 */
export function secretStoreFromEnv(env: NodeJS.ProcessEnv): SecretStore {
  const values: Record<string, string> = {};
  const hosts: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(SECRET_PREFIX) || value === undefined) continue;
    const name = key.slice(SECRET_PREFIX.length);
    if (name.endsWith(HOSTS_SUFFIX) && name.length > HOSTS_SUFFIX.length) hosts[name.slice(0, -HOSTS_SUFFIX.length)] = value;
    else values[name] = value;
  }
  return secretStoreFrom(values, hosts);
}
