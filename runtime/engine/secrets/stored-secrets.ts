import type { Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../../shared/errors.js';
import type { PutSecretBody, SecretListItem } from '../../../shared/secrets-api.js';
import { DEFAULT_TEAM_ID } from '../../../shared/people.js';
import type { Logger } from '../../log.js';
import { appendAudit } from '../../store/audit-repo.js';
import type { Actor } from '../../../shared/audit.js';
import type { Db, SqliteStore } from '../../store/db.js';
import { secretsRepo, type SecretRow } from '../../store/secrets-repo.js';
import { masterKeyOf, openSecret, rewrapSecret, sealSecret, type MasterKey } from './crypto.js';
import { type Keyring, type KeySource, MasterKeyError, describeSource, openKeyring } from './master-key.js';
import type { FlowUse } from './secret-refs.js';
import { deriveLinkKey } from '../approvals/link-token.js';
import { combineSecretStores, secretEnvName, type SecretStore } from './secrets.js';

/** What the cache holds of one stored secret. */
interface Cached {
  value: string;
  hosts: string[];
  team: string;
}

export interface StoredSecretsOptions {
  store: SqliteStore;
  keyring: Keyring;
  /** The environment's secrets (SALVE_SECRET_*, the secrets file): they win over stored ones. */
  environment: SecretStore;
  now: () => number;
  log?: Logger;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The secret store: secrets kept encrypted in the database (see crypto.ts), managed through
 * `/api/secrets` and `salve secrets`. As a SecretStore it holds the stored secrets only, cached
 * decrypted in memory; the cache is read again after this process writes and whenever another
 * process (the `salve secrets` CLI) changed the table, so a change takes effect for the next
 * step without a restart. `all` adds the environment's secrets, which win on a shared name.
 */
export class StoredSecrets implements SecretStore {
  readonly all: SecretStore;
  private readonly store: SqliteStore;
  private readonly keyring: Keyring;
  private readonly environment: SecretStore;
  private readonly now: () => number;
  private readonly log?: Logger;
  private readonly dataVersion: Statement<[], number>;
  private cache = new Map<string, Cached>();
  private cachedValues: readonly string[] = [];
  private cachedRevision = -1;
  private cachedDataVersion = -1;
  private stale = true;
  private askedThisTurn = false;
  private readonly nextTurn = () => {
    this.askedThisTurn = false;
  };

  constructor(options: StoredSecretsOptions) {
    this.store = options.store;
    this.keyring = options.keyring;
    this.environment = options.environment;
    this.now = options.now;
    this.log = options.log;
    // Changes when another connection (another process) committed: asked once per event-loop turn (fresh).
    this.dataVersion = this.store.sqlite.prepare<[], number>('PRAGMA data_version').pluck();
    this.all = combineSecretStores(this.environment, this);
  }

  /**
   * Reads and decrypts every stored secret now; throws the first that cannot be decrypted (a
   * wrong master key, a changed row), so the server refuses to start rather than run without them.
   */
  load(): void {
    const problems = this.reload();
    if (problems.length > 0) throw new MasterKeyError(problems.join('; '));
  }

  get(name: string): string | undefined {
    return this.fresh().get(name)?.value;
  }

  hosts(name: string): string[] | undefined {
    const hosts = this.fresh().get(name)?.hosts;
    // No hosts: the secret may be sent nowhere, as for an environment secret without _HOSTS.
    return hosts && hosts.length > 0 ? hosts : undefined;
  }

  names(): string[] {
    return [...this.fresh().keys()].sort();
  }

  team(name: string): string | undefined {
    return this.fresh().get(name)?.team;
  }

  values(): readonly string[] {
    this.fresh();
    return this.cachedValues;
  }

  readonly resolve = (name: string): string | undefined => this.get(name);

  /** The cache, read again first when the table changed. */
  private fresh(): Map<string, Cached> {
    // Closed at shutdown: the last log lines are still scrubbed, with what was read last.
    if (!this.store.sqlite.open) return this.cache;
    // Another process's change is looked for once per turn of the event loop: a step reads the
    // store a dozen times (every scrub asks for the values), and nothing orders a commit of
    // another process between reads of one turn anyway. This process's own writes mark the
    // cache stale at once.
    if (!this.askedThisTurn) {
      this.askedThisTurn = true;
      setImmediate(this.nextTurn);
      const version = this.dataVersion.get()!;
      if (version !== this.cachedDataVersion) {
        this.cachedDataVersion = version;
        if (secretsRepo.revision(this.store.db) !== this.cachedRevision) this.stale = true;
      }
    }
    if (this.stale) {
      const problems = this.reload();
      for (const problem of problems) this.log?.error({ problem }, 'a stored secret cannot be decrypted; steps that use it fail');
    }
    return this.cache;
  }

  /** Reads every row and decrypts it; returns what could not be decrypted (those secrets are left out). */
  private reload(): string[] {
    this.stale = false;
    const db = this.store.db;
    this.cachedRevision = secretsRepo.revision(db);
    const cache = new Map<string, Cached>();
    const problems: string[] = [];
    for (const row of secretsRepo.list(db)) {
      try {
        cache.set(row.name, { value: openSecret(this.keyring.require(row.keyId, `secret ${row.name} is`), row.name, row), hosts: row.hosts, team: row.teamId });
      } catch (error) {
        problems.push((error as Error).message);
        // Keep what was read before (the key file may be briefly unreadable): running flows keep working.
        const previous = this.cache.get(row.name);
        if (previous) cache.set(row.name, previous);
      }
    }
    this.cache = cache;
    this.cachedValues = [...cache.values()].map((c) => c.value);
    return problems;
  }

  /**
   * The master key to wrap new data keys with, decided inside the write's transaction: the one
   * the database names (rotation changes it in the same transaction as it re-wraps every row),
   * read from the key file when this process does not hold it yet.
   */
  private writeKey(db: Db, now: number): MasterKey {
    const id = secretsRepo.masterKeyId(db);
    if (id === undefined) {
      secretsRepo.setMasterKeyId(db, this.keyring.current.id, now);
      return this.keyring.current;
    }
    try {
      return this.keyring.require(id, 'the stored secrets are');
    } catch (error) {
      throw new UnavailableError((error as Error).message);
    }
  }

  /**
   * The list `GET /api/secrets` answers: stored secrets of `teams` (every team: `all`) and every
   * environment secret (they belong to no team), by name. No values.
   */
  list(uses: Map<string, FlowUse[]>, teams: 'all' | readonly string[] = 'all'): SecretListItem[] {
    const rows = new Map(
      secretsRepo
        .list(this.store.db)
        .filter((r) => teams === 'all' || teams.includes(r.teamId))
        .map((r) => [r.name, r]),
    );
    const names = [...new Set([...rows.keys(), ...this.environment.names()])].sort();
    return names.map((name) => this.item(name, rows.get(name), uses));
  }

  private item(name: string, row: SecretRow | undefined, uses: Map<string, FlowUse[]>): SecretListItem {
    const usedBy = uses.get(name) ?? [];
    if (!row) {
      return {
        name,
        description: '',
        hosts: [...(this.environment.hosts(name) ?? [])],
        source: 'environment',
        team: null,
        overriddenByEnvironment: false,
        createdAt: null,
        updatedAt: null,
        updatedBy: null,
        usedBy,
      };
    }
    return {
      name,
      description: row.description,
      hosts: row.hosts,
      source: 'store',
      team: row.teamId,
      overriddenByEnvironment: this.environment.get(name) !== undefined,
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
      updatedBy: row.updatedBy,
      usedBy,
    };
  }

  private refuseEnvironment(name: string): void {
    if (this.environment.get(name) !== undefined) {
      throw new ConflictError(`secret ${name} is set by the environment variable ${secretEnvName(name)}: change it there (or unset it to manage ${name} here)`, {
        variable: secretEnvName(name),
      });
    }
  }

  /**
   * Creates (value required) or updates secret `name`; omitted fields stay as they are. Writes
   * an audit record naming what changed, never the value.
   */
  /** `teamId`: the team a new secret belongs to (an existing one stays in its team). */
  async put(
    name: string,
    body: PutSecretBody,
    actor: Actor,
    uses: Map<string, FlowUse[]>,
    teamId: string = DEFAULT_TEAM_ID,
  ): Promise<{ created: boolean; item: SecretListItem }> {
    this.refuseEnvironment(name);
    const now = this.now();
    const result = await this.store.write((db) => {
      const existing = secretsRepo.get(db, name);
      if (!existing && body.value === undefined) {
        throw new ValidationError(`secret ${name} does not exist yet: give its value`, [{ path: ['value'], message: 'value is required to create a secret' }]);
      }
      const sealed = body.value === undefined ? existing! : sealSecret(this.writeKey(db, now), name, body.value);
      const row: SecretRow = {
        name,
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        tag: sealed.tag,
        wrappedKey: sealed.wrappedKey,
        keyId: sealed.keyId,
        description: body.description ?? existing?.description ?? '',
        hosts: body.hosts ?? existing?.hosts ?? [],
        teamId: existing?.teamId ?? teamId,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        updatedBy: actor.name,
      };
      secretsRepo.put(db, row);
      const changed = (['value', 'description', 'hosts'] as const).filter((f) => body[f] !== undefined);
      appendAudit(db, {
        actor,
        action: existing ? 'secret.update' : 'secret.create',
        target: name,
        // Never the value: which fields changed, and where the secret may be sent.
        details: { changed },
        before: existing ? { hosts: existing.hosts, team: existing.teamId } : undefined,
        after: { hosts: row.hosts, team: row.teamId },
        now,
      });
      return { created: !existing, row };
    });
    this.stale = true;
    return { created: result.created, item: this.item(name, result.row, uses) };
  }

  /** Deletes stored secret `name`; refused while a saved flow references it and it would be left unset. */
  async delete(name: string, actor: Actor, uses: Map<string, FlowUse[]>): Promise<void> {
    const now = this.now();
    const usedBy = uses.get(name) ?? [];
    await this.store.write((db) => {
      if (!secretsRepo.get(db, name)) {
        if (this.environment.get(name) !== undefined) this.refuseEnvironment(name);
        throw new NotFoundError(`no stored secret ${name}`);
      }
      // With the environment defining it too, the flows keep working after the stored copy is gone.
      if (usedBy.length > 0 && this.environment.get(name) === undefined) {
        const flows = usedBy.map((u) => `${u.flowId} ("${u.flowName}")`).join(', ');
        throw new ConflictError(`secret ${name} is used by ${usedBy.length === 1 ? 'flow' : 'flows'} ${flows}: remove the references first`, { usedBy });
      }
      const existing = secretsRepo.get(db, name);
      secretsRepo.delete(db, name, now);
      appendAudit(db, { actor, action: 'secret.delete', target: name, before: existing && { hosts: existing.hosts, team: existing.teamId }, now });
    });
    this.stale = true;
  }

  /**
   * Re-wraps every data key with `next` (the values are not touched) and makes it the master key
   * new secrets are wrapped with, in one transaction. Rows are opened with whichever key of the
   * keyring wrapped them. Returns how many rows were re-wrapped.
   */
  rewrapAll(db: Db, next: Buffer, now: number): number {
    const to = masterKeyOf(next);
    let count = 0;
    for (const row of secretsRepo.list(db)) {
      if (row.keyId === to.id) continue;
      const from = this.keyring.require(row.keyId, `secret ${row.name} is`);
      const wrapped = rewrapSecret(from, to, row.name, row);
      secretsRepo.rewrap(db, row.name, { wrappedKey: wrapped.wrappedKey, keyId: wrapped.keyId }, now);
      count++;
    }
    secretsRepo.setMasterKeyId(db, to.id, now);
    secretsRepo.bump(db, now);
    return count;
  }

  /** Where the master key comes from, for messages. */
  get keySource(): string {
    return describeSource(this.keyring.source);
  }

  /** Where the master key comes from: SALVE_MASTER_KEY or which key file. */
  get keySourceKind(): KeySource {
    return this.keyring.source;
  }

  /** The key approval links are signed with: derived from the current master key, never stored. */
  linkKey(): Buffer {
    return deriveLinkKey(this.keyring.current.key);
  }
}

export interface OpenStoredSecretsOptions {
  store: SqliteStore;
  dataDir: string;
  /** SALVE_MASTER_KEY's value, when set (handed over by the launcher). */
  envKey?: string;
  /** Where SALVE_MASTER_KEY_FILE, XDG_CONFIG_HOME and HOME are read. */
  env: NodeJS.ProcessEnv;
  environment: SecretStore;
  now: () => number;
  log?: Logger;
  /**
   * Record the key's id in the database now when it names none yet (the server, at start), so a
   * `salve secrets` run with another key file (another user's) is refused instead of storing
   * secrets the server could not open.
   */
  recordKey?: boolean;
}

/**
 * Opens the secret store of a data directory: its master key (creating the key file when the
 * database holds no secret yet) and every stored secret, decrypted once to check the key.
 * `createdKeyFile` is the key file created now, if one was.
 */
export function openStoredSecrets(options: OpenStoredSecretsOptions): { stored: StoredSecrets; createdKeyFile?: string } {
  const db = options.store.db;
  const dbKeyId = secretsRepo.masterKeyId(db);
  // The server may start with a new key while no secret is stored; `salve secrets` must use the server's.
  const serverWithoutSecrets = options.recordKey === true && secretsRepo.count(db) === 0;
  const mayCreate = serverWithoutSecrets || (dbKeyId === undefined && secretsRepo.count(db) === 0);
  const { keyring, created } = openKeyring({ envKey: options.envKey, env: options.env, dataDir: options.dataDir, mayCreate, expectedKeyId: dbKeyId });
  if (dbKeyId !== undefined && !serverWithoutSecrets) keyring.require(dbKeyId, 'the stored secrets are');
  else if (options.recordKey && dbKeyId !== keyring.current.id) options.store.writeNow((w) => secretsRepo.setMasterKeyId(w, keyring.current.id, options.now()));
  const stored = new StoredSecrets({ store: options.store, keyring, environment: options.environment, now: options.now, log: options.log });
  stored.load();
  return { stored, createdKeyFile: created };
}
