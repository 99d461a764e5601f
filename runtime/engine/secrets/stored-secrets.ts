import type { Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../../shared/errors.js';
import type { PutSecretBody, SecretListItem } from '../../../shared/secrets-api.js';
import { DEFAULT_TEAM_ID } from '../../../shared/people.js';
import type { Logger } from '../../log.js';
import type { Actor } from '../../../shared/audit.js';
import type { SqliteStore } from '../../store/db.js';
import { secretsRepo, type SecretRow } from '../../store/secrets-repo.js';
import type { Store } from '../../store/store.js';
import type { StoreTx } from '../../store/tx.js';
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
  store: Store;
  /**
   * SQLite: the connection under `store`, so that a change another process (the `salve secrets`
   * CLI) committed is seen at the next read, synchronously (PRAGMA data_version). Without it
   * (PostgreSQL), another process's changes are read by `refreshIfChanged`.
   */
  sqlite?: SqliteStore;
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
 * decrypted in memory: steps read them synchronously while they render. The cache is read again
 * after each write of this process, and when another process changed the table: on SQLite at the
 * next read (see `sqlite`), on PostgreSQL when `refreshIfChanged` sees a new revision. So a change
 * takes effect without a restart. `all` adds the environment's secrets, which win on a shared name.
 */
export class StoredSecrets implements SecretStore {
  readonly all: SecretStore;
  private readonly store: Store;
  private readonly sqlite?: SqliteStore;
  private readonly keyring: Keyring;
  private readonly environment: SecretStore;
  private readonly now: () => number;
  private readonly log?: Logger;
  private readonly dataVersion?: Statement<[], number>;
  private cache = new Map<string, Cached>();
  private cachedValues: readonly string[] = [];
  /** The secrets revision (`tx.secrets.revision`) the cache was read at; -1 before the first read. */
  private cachedRevision = -1;
  private cachedDataVersion = -1;
  private askedThisTurn = false;
  private readonly nextTurn = () => {
    this.askedThisTurn = false;
  };

  constructor(options: StoredSecretsOptions) {
    this.store = options.store;
    this.sqlite = options.sqlite;
    this.keyring = options.keyring;
    this.environment = options.environment;
    this.now = options.now;
    this.log = options.log;
    // Changes when another connection (another process) committed: asked once per event-loop turn (fresh).
    this.dataVersion = this.sqlite?.sqlite.prepare<[], number>('PRAGMA data_version').pluck();
    this.all = combineSecretStores(this.environment, this);
  }

  /**
   * Reads and decrypts every stored secret now; throws the first that cannot be decrypted (a
   * wrong master key, a changed row), so the server refuses to start rather than run without them.
   */
  async load(): Promise<void> {
    const problems = await this.reload();
    if (problems.length > 0) throw new MasterKeyError(problems.join('; '));
  }

  /**
   * Reads the secrets again when another process changed them since this one last read them (the
   * revision differs); true when it did. One read of one setting otherwise, so it can run often.
   */
  async refreshIfChanged(): Promise<boolean> {
    const revision = await this.store.read((tx) => tx.secrets.revision());
    if (revision === this.cachedRevision) return false;
    this.logProblems(await this.reload());
    return true;
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

  /** The cache; on SQLite read again first when another process changed the table. */
  private fresh(): Map<string, Cached> {
    const sqlite = this.sqlite;
    // PostgreSQL: refreshIfChanged reads other processes' changes. Closed at shutdown: the last
    // log lines are still scrubbed, with what was read last.
    if (!sqlite || !this.dataVersion || !sqlite.sqlite.open) return this.cache;
    // Another process's change is looked for once per turn of the event loop: a step reads the
    // store a dozen times (every scrub asks for the values), and nothing orders a commit of
    // another process between reads of one turn anyway. This process's own writes read the
    // cache again as they finish.
    if (!this.askedThisTurn) {
      this.askedThisTurn = true;
      setImmediate(this.nextTurn);
      const version = this.dataVersion.get()!;
      if (version !== this.cachedDataVersion) {
        this.cachedDataVersion = version;
        // Synchronous (the repos, not the Store): the caller is rendering a step right now.
        const revision = secretsRepo.revision(sqlite.db);
        if (revision !== this.cachedRevision) this.logProblems(this.decryptAll(revision, secretsRepo.list(sqlite.db)));
      }
    }
    return this.cache;
  }

  /** Reads every row and decrypts it; returns what could not be decrypted (those secrets are left out). */
  private async reload(): Promise<string[]> {
    // The revision first: a change committed between the two reads is then read again at the next
    // refresh (PostgreSQL reads each statement at its own moment), never missed.
    const { revision, rows } = await this.store.read(async (tx) => ({ revision: await tx.secrets.revision(), rows: await tx.secrets.list() }));
    // Two reads at once (a write's and a refresh's): the older one must not replace the newer.
    if (revision < this.cachedRevision) return [];
    return this.decryptAll(revision, rows);
  }

  /** Replaces the cache with `rows` decrypted, read at `revision`; returns what could not be decrypted. */
  private decryptAll(revision: number, rows: readonly SecretRow[]): string[] {
    this.cachedRevision = revision;
    const cache = new Map<string, Cached>();
    const problems: string[] = [];
    for (const row of rows) {
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

  private logProblems(problems: readonly string[]): void {
    // The messages name secrets and key ids, never values (crypto.ts, master-key.ts).
    for (const problem of problems) this.log?.error({ problem }, 'a stored secret cannot be decrypted; steps that use it fail');
  }

  /** After a write of this process committed: the cache is read again, so the next step uses the change. */
  private async reloadAfterWrite(): Promise<void> {
    try {
      this.logProblems(await this.reload());
    } catch (error) {
      // The write committed: answer it. The revision this process saw is unchanged, so the next refresh reads it.
      this.log?.error({ err: error }, 'the stored secrets could not be read again after a change; they are read at the next refresh');
    }
  }

  /**
   * The master key to wrap new data keys with, decided inside the write's transaction: the one
   * the database names (rotation changes it in the same transaction as it re-wraps every row),
   * read from the key file when this process does not hold it yet.
   */
  private async writeKey(tx: StoreTx, now: number): Promise<MasterKey> {
    const id = await tx.secrets.masterKeyId();
    if (id === undefined) {
      await tx.secrets.setMasterKeyId(this.keyring.current.id, now);
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
  async list(uses: Map<string, FlowUse[]>, teams: 'all' | readonly string[] = 'all'): Promise<SecretListItem[]> {
    const rows = new Map(
      (await this.store.read((tx) => tx.secrets.list()))
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
    const result = await this.store.write(async (tx) => {
      const existing = await tx.secrets.get(name);
      if (!existing && body.value === undefined) {
        throw new ValidationError(`secret ${name} does not exist yet: give its value`, [{ path: ['value'], message: 'value is required to create a secret' }]);
      }
      const sealed = body.value === undefined ? existing! : sealSecret(await this.writeKey(tx, now), name, body.value);
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
      await tx.secrets.put(row);
      const changed = (['value', 'description', 'hosts'] as const).filter((f) => body[f] !== undefined);
      await tx.audit.append({
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
    await this.reloadAfterWrite();
    return { created: result.created, item: this.item(name, result.row, uses) };
  }

  /** Deletes stored secret `name`; refused while a saved flow references it and it would be left unset. */
  async delete(name: string, actor: Actor, uses: Map<string, FlowUse[]>): Promise<void> {
    const now = this.now();
    const usedBy = uses.get(name) ?? [];
    await this.store.write(async (tx) => {
      const existing = await tx.secrets.get(name);
      if (!existing) {
        if (this.environment.get(name) !== undefined) this.refuseEnvironment(name);
        throw new NotFoundError(`no stored secret ${name}`);
      }
      // With the environment defining it too, the flows keep working after the stored copy is gone.
      if (usedBy.length > 0 && this.environment.get(name) === undefined) {
        const flows = usedBy.map((u) => `${u.flowId} ("${u.flowName}")`).join(', ');
        throw new ConflictError(`secret ${name} is used by ${usedBy.length === 1 ? 'flow' : 'flows'} ${flows}: remove the references first`, { usedBy });
      }
      // False when another process deleted it meanwhile (PostgreSQL): gone either way, and that one wrote the audit.
      if (!(await tx.secrets.delete(name, now))) throw new NotFoundError(`no stored secret ${name}`);
      await tx.audit.append({ actor, action: 'secret.delete', target: name, before: { hosts: existing.hosts, team: existing.teamId }, now });
    });
    await this.reloadAfterWrite();
  }

  /**
   * Re-wraps every data key with `next` (the values are not touched) and makes it the master key
   * new secrets are wrapped with, in one transaction with its audit record. Rows are opened with
   * whichever key of the keyring wrapped them. Returns how many rows were re-wrapped. The cache is
   * left as it is: the values did not change (this process may not hold `next` to read them again).
   */
  async rotateKey(next: Buffer, actor: Actor): Promise<number> {
    const to = masterKeyOf(next);
    const now = this.now();
    return this.store.write(async (tx) => {
      let count = 0;
      for (const row of await tx.secrets.list()) {
        if (row.keyId === to.id) continue;
        const from = this.keyring.require(row.keyId, `secret ${row.name} is`);
        const wrapped = rewrapSecret(from, to, row.name, row);
        await tx.secrets.rewrap(row.name, { wrappedKey: wrapped.wrappedKey, keyId: wrapped.keyId }, now);
        count++;
      }
      await tx.secrets.setMasterKeyId(to.id, now);
      await tx.secrets.bump(now);
      await tx.audit.append({ actor, action: 'secret.rotate_key', target: 'master-key', details: { rewrapped: count, keySource: this.keyring.source.kind }, now });
      return count;
    });
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
  store: Store;
  /** SQLite: the connection under `store` (StoredSecretsOptions.sqlite). */
  sqlite?: SqliteStore;
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
export async function openStoredSecrets(options: OpenStoredSecretsOptions): Promise<{ stored: StoredSecrets; createdKeyFile?: string }> {
  const { dbKeyId, count } = await options.store.read(async (tx) => ({ dbKeyId: await tx.secrets.masterKeyId(), count: await tx.secrets.count() }));
  // The server may start with a new key while no secret is stored; `salve secrets` must use the server's.
  const serverWithoutSecrets = options.recordKey === true && count === 0;
  const mayCreate = serverWithoutSecrets || (dbKeyId === undefined && count === 0);
  const { keyring, created } = openKeyring({ envKey: options.envKey, env: options.env, dataDir: options.dataDir, mayCreate, expectedKeyId: dbKeyId });
  if (dbKeyId !== undefined && !serverWithoutSecrets) keyring.require(dbKeyId, 'the stored secrets are');
  else if (options.recordKey && dbKeyId !== keyring.current.id) {
    const id = keyring.current.id;
    await options.store.write((tx) => tx.secrets.setMasterKeyId(id, options.now()));
  }
  const stored = new StoredSecrets({ store: options.store, sqlite: options.sqlite, keyring, environment: options.environment, now: options.now, log: options.log });
  await stored.load();
  return { stored, createdKeyFile: created };
}
