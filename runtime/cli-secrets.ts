import { existsSync } from 'node:fs';
import { noDatabaseIn } from './cli-args.js';
import { join, resolve } from 'node:path';
import { CLI_ACTOR } from '../shared/audit.js';
import { ValidationError, issuesFromZod } from '../shared/errors.js';
import { SecretHostsSchema, SecretNameSchema, SecretValueSchema, SECRET_DESCRIPTION_MAX_LENGTH } from '../shared/secrets-api.js';
import { parseCommand, UsageError } from './cli-args.js';
import { generateMasterKey, MASTER_KEY_FILE_VAR, MASTER_KEY_VAR, MasterKeyError, readKeyFile, writeKeyFile } from './engine/secrets/master-key.js';
import { secretUses } from './engine/secrets/secret-refs.js';
import { secretStoreFrom } from './engine/secrets/secrets.js';
import { openStoredSecrets, type StoredSecrets } from './engine/secrets/stored-secrets.js';
import { dataDirHolder } from './lockfile.js';
import { openStore, type SqliteStore } from './store/db.js';
import { flowsRepo } from './store/flows-repo.js';
import { sqliteStore } from './store/store.js';

/**
 * `salve secrets …`: manages the secret store directly in the data directory's database (SQLite
 * in WAL mode: safe beside a running server, which sees each change before its next step). The
 * master key is SALVE_MASTER_KEY or the key file, found as the server finds it. The CLI does not
 * see the server's environment: it lists and changes stored secrets only.
 */

export const SECRETS_HELP = `  salve secrets list [--data DIR]
  salve secrets set NAME [--description TEXT] [--hosts host1,host2] [--data DIR]   (value read from stdin)
  salve secrets delete NAME [--data DIR]
  salve secrets rotate-key [--data DIR]`;

type Out = { log: (s: string) => void; error: (s: string) => void };

/** The data directory's store, with the secret store opened on it; `fn` runs, then both close. */
async function withSecrets<T>(dataDir: string, fn: (s: { store: SqliteStore; stored: StoredSecrets; createdKeyFile?: string }) => Promise<T>): Promise<T> {
  if (!existsSync(join(dataDir, 'salve.db'))) throw new UsageError(noDatabaseIn(dataDir));
  // Beside a running server: never migrate its database from here (schema-version.ts).
  const store = openStore(dataDir, { applyMigrations: false });
  try {
    // A short run: it reads the table when it opens and writes once, so no `sqlite` change watch.
    const { stored, createdKeyFile } = await openStoredSecrets({
      store: sqliteStore(store),
      dataDir,
      envKey: process.env[MASTER_KEY_VAR],
      env: process.env,
      environment: secretStoreFrom({}),
      now: Date.now,
    });
    return await fn({ store, stored, createdKeyFile });
  } finally {
    store.close();
  }
}

const uses = (store: SqliteStore) => secretUses([...flowsRepo.listEnabled(store.db), ...flowsRepo.listDisabled(store.db)].map((r) => r.flow));

function checkName(raw: string | undefined, usage: string): string {
  if (!raw) throw new UsageError(usage);
  const parsed = SecretNameSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`"${raw}" is not a secret name`, issuesFromZod(parsed.error.issues, ['name']));
  return parsed.data;
}

/** Reads the value from stdin: typed without echo on a terminal, else the whole input; one trailing newline dropped. */
async function readValue(out: Out): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    out.error('Value (not shown; Enter to finish):');
    return new Promise((resolveValue, reject) => {
      let value = '';
      stdin.setRawMode(true);
      stdin.setEncoding('utf8');
      const done = (error?: Error) => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
        if (error) reject(error);
        else resolveValue(value);
      };
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') return done();
          if (ch === '\u0003') return done(new UsageError('cancelled'));
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
      stdin.resume();
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function cmdSet(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals, values } = parseCommand(args, { data: { type: 'string' }, description: { type: 'string' }, hosts: { type: 'string' } });
  const name = checkName(positionals[0], 'salve secrets set NAME [--description TEXT] [--hosts a,b] (value on stdin)');
  const issues = [];
  if (values.description !== undefined && values.description.length > SECRET_DESCRIPTION_MAX_LENGTH) {
    issues.push({ path: ['description'], message: `at most ${SECRET_DESCRIPTION_MAX_LENGTH} characters` });
  }
  const hosts = values.hosts === undefined ? undefined : values.hosts.split(/[\s,]+/).filter((h) => h !== '');
  const parsedHosts = hosts && SecretHostsSchema.safeParse(hosts);
  if (parsedHosts && !parsedHosts.success) issues.push(...issuesFromZod(parsedHosts.error.issues, ['hosts']));
  if (issues.length > 0) throw new ValidationError('invalid options', issues);
  const value = SecretValueSchema.safeParse(await readValue(out));
  if (!value.success) throw new ValidationError('invalid value (read from stdin)', issuesFromZod(value.error.issues));
  return withSecrets(dataDir, async ({ store, stored, createdKeyFile }) => {
    if (createdKeyFile) out.error(`created master key file ${createdKeyFile} (mode 0600): back it up apart from the data directory`);
    const { created } = await stored.put(name, { value: value.data, description: values.description, hosts }, CLI_ACTOR, uses(store));
    out.log(`${created ? 'created' : 'updated'} secret ${name}`);
    return 0;
  });
}

async function cmdList(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals } = parseCommand(args, { data: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return withSecrets(dataDir, async ({ store, stored }) => {
    const items = await stored.list(uses(store));
    if (items.length === 0) out.log('no stored secrets');
    for (const s of items) {
      const hosts = s.hosts.length ? s.hosts.join(',') : '(sent nowhere)';
      const used = s.usedBy.length ? ` used by ${s.usedBy.map((u) => u.flowId).join(',')}` : '';
      out.log(`${s.name}\thosts ${hosts}\tupdated ${s.updatedAt} by ${s.updatedBy}${used}${s.description ? `\t${s.description}` : ''}`);
    }
    return 0;
  });
}

async function cmdDelete(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals } = parseCommand(args, { data: { type: 'string' } });
  const name = checkName(positionals[0], 'salve secrets delete NAME');
  return withSecrets(dataDir, async ({ store, stored }) => {
    await stored.delete(name, CLI_ACTOR, uses(store));
    out.log(`deleted secret ${name}`);
    return 0;
  });
}

/**
 * A new master key. With a key file: the file first gets the new key AND the old ones, then
 * every data key is re-wrapped in one transaction (which also names the new key as the one new
 * secrets are wrapped with), then the file keeps only the new key. A server running meanwhile
 * meets rows wrapped by a key id it does not know and reads the key file again, which holds the
 * new key by then; its writes take the key the database names inside their transaction. A crash
 * between the steps leaves a file that opens every row; running rotate-key again finishes.
 */
async function cmdRotate(args: string[], dataDir: string, out: Out): Promise<number> {
  const { positionals } = parseCommand(args, { data: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const envKey = process.env[MASTER_KEY_VAR];
  if (envKey) {
    const pid = dataDirHolder(dataDir);
    if (pid !== undefined) {
      throw new MasterKeyError(
        `${MASTER_KEY_VAR} is set and Salve (process ${pid}) is running on ${dataDir}: a server given its key in ${MASTER_KEY_VAR} cannot pick up a new one; stop it first, or keep the key in a key file (${MASTER_KEY_FILE_VAR})`,
      );
    }
  }
  return withSecrets(dataDir, async ({ stored }) => {
    const next = generateMasterKey();
    const source = stored.keySourceKind;
    if (source.kind === 'file') writeKeyFile(source.file, [next, ...readKeyFile(source.file)]);
    const count = await stored.rotateKey(next, CLI_ACTOR);
    if (source.kind === 'file') {
      writeKeyFile(source.file, [next]);
      out.log(`re-wrapped ${count} secret${count === 1 ? '' : 's'} with a new master key; ${source.file} holds only the new key now`);
    } else {
      out.error(`re-wrapped ${count} secret${count === 1 ? '' : 's'} with a new master key. Set ${MASTER_KEY_VAR} to the key below before starting Salve again; the old key no longer opens them:`);
      out.log(next.toString('base64'));
    }
    return 0;
  });
}

/** Runs `salve secrets <subcommand> …`. */
export async function cmdSecrets(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  // --data is parsed by each subcommand too (so it may come anywhere); read it here for the store.
  const { values } = parseCommand(rest, { data: { type: 'string' }, description: { type: 'string' }, hosts: { type: 'string' } });
  const dataDir = resolve(values.data ?? process.env.SALVE_DATA ?? './data');
  switch (sub) {
    case 'set':
      return await cmdSet(rest, dataDir, out);
    case 'list':
      return await cmdList(rest, dataDir, out);
    case 'delete':
      return await cmdDelete(rest, dataDir, out);
    case 'rotate-key':
      return await cmdRotate(rest, dataDir, out);
    default:
      throw new UsageError(sub ? `unknown secrets command "${sub}"` : `salve secrets list|set|delete|rotate-key\n${SECRETS_HELP}`);
  }
}
