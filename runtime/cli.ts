import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SalveError, ValidationError, formatIssues } from '../shared/errors.js';
import { validateFlow } from '../shared/flow/validate.js';
import { lookupNodeSpec } from '../nodes/catalog.js';
import { enableRegexBacktrackFallback } from './boot-checks.js';
import { HelpRequested, parseCommand, UsageError, type OptionValues } from './cli-args.js';
import { AUDIT_HELP, cmdAudit } from './cli-audit.js';
import { cmdDiff, DIFF_HELP } from './cli-diff.js';
import { cmdCopy, COPY_HELP } from './cli-copy.js';
import { cmdMigrate, MIGRATE_HELP } from './cli-migrate.js';
import { cmdSecrets, SECRETS_HELP } from './cli-secrets.js';
import { cmdReplay, REPLAY_HELP } from './cli-replay.js';
import { cmdTeams, cmdUsers, PEOPLE_HELP } from './cli-people.js';
import { checkDataDir } from './doctor.js';
import { simulateFlow } from './engine/flows/simulate.js';
import { launchServer, rerunWithFlags, SERVER_COMMAND } from './launcher.js';
import { lacksRequiredFlags } from './node-flags.js';
import { SecretsFileError } from './secrets-file.js';
import { MasterKeyError } from './engine/secrets/master-key.js';
import { runServerProcess, serveFlags } from './server-process.js';
import { salveVersion } from './server.js';

const HELP = `salve — alert-driven auto-remediation

Usage:
  salve serve [--port 8470] [--host 127.0.0.1] [--data ./data] [--event-retention-days 14] [--flows DIR]
              [--database postgres://…]   several processes on one PostgreSQL database (also SALVE_DATABASE_URL;
                                          needs SALVE_ADMIN_TOKEN and SALVE_MASTER_KEY, the same in each)
  salve validate <flow.json>
  salve simulate <flow.json> --source alertmanager --payload <payload.json> [--json]
  salve import <flow-or-bundle.json> [--url URL] [--token TOKEN] [--data DIR]
  salve export <flow-id>|--all [--out file.json] [--url URL] [--token TOKEN] [--data DIR]
${DIFF_HELP}
  salve doctor [--data ./data]      check the database (read-only; safe while Salve runs)
${MIGRATE_HELP}
${COPY_HELP}
${SECRETS_HELP}
${PEOPLE_HELP}
${AUDIT_HELP}
${REPLAY_HELP}
  salve --version
  salve help                        this text (also: salve <command> --help)

serve reads the secrets (SALVE_SECRET_*, SALVE_ADMIN_TOKEN, SALVE_MASTER_KEY, SALVE_DATABASE_URL, SALVE_SECRETS_FILE)
and starts the server as a child process whose environment does not hold them.

secrets, users and teams work on the data directory's database directly (safe while Salve runs); set reads the
value from stdin. The master key is SALVE_MASTER_KEY or the key file (SALVE_MASTER_KEY_FILE,
default ~/.config/salve/master.key).

import/export/diff talk to a running server (default http://127.0.0.1:8470). The token comes from
--token, else SALVE_ADMIN_TOKEN, else <data>/admin-token.

Exit codes: 0 ok, 1 the flow or request was rejected, 2 usage error, 3 server unreachable.`;

type Out = { log: (s: string) => void; error: (s: string) => void };

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

async function cmdValidate(args: string[], out: Out): Promise<number> {
  const { positionals } = parseCommand(args, {});
  const file = positionals[0];
  if (!file) throw new UsageError('salve validate <flow.json>');
  const result = validateFlow(readJsonFile(file, 'flow file'), lookupNodeSpec);
  if (result.ok) {
    out.log(`${file}: valid (flow "${result.flow.id}", ${result.flow.nodes.length} nodes, ${result.flow.edges.length} edges)`);
    return 0;
  }
  out.error(`${file}: ${result.issues.length} problem(s)\n${formatIssues(result.issues)}`);
  return 1;
}

async function cmdSimulate(args: string[], out: Out): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, { source: { type: 'string' }, payload: { type: 'string' }, json: { type: 'boolean' } });
  const file = positionals[0];
  if (!file || !flags.source || !flags.payload) {
    throw new UsageError('salve simulate <flow.json> --source alertmanager --payload <payload.json>');
  }
  const result = validateFlow(readJsonFile(file, 'flow file'), lookupNodeSpec);
  if (!result.ok) {
    out.error(`${file}: ${result.issues.length} problem(s)\n${formatIssues(result.issues)}`);
    return 1;
  }
  const alerts = await simulateFlow(result.flow, flags.source, readJsonFile(flags.payload, 'payload file'));
  if (flags.json) {
    out.log(JSON.stringify({ flowId: result.flow.id, alerts }, null, 2));
    return 0;
  }
  for (const a of alerts) {
    out.log(`alert ${a.alert.name} [${a.alert.status}, ${a.alert.severity}] ${JSON.stringify(a.alert.labels)}`);
    if (!a.starts) {
      out.log(`  not started: source "${a.sourceNodeId}" does not start flows for ${a.alert.status} alerts`);
      continue;
    }
    for (const s of a.steps) {
      const port = s.port ? ` → ${s.port}${s.assumed ? ' (assumed)' : ''}` : '';
      const detail = s.error ? `  ERROR ${s.error}` : s.rendered !== undefined ? `  ${JSON.stringify(s.rendered)}` : '';
      out.log(`  ${s.nodeId} (${s.type})${port}${detail}`);
    }
    if (a.skipped.length) out.log(`  not reached: ${a.skipped.join(', ')}`);
  }
  return 0;
}

/** The options of the commands that talk to a running server. */
const SERVER_OPTIONS = { url: { type: 'string' }, token: { type: 'string' }, data: { type: 'string' } } as const;

/** Token and URL for talking to a running server. */
function serverTarget(flags: OptionValues<typeof SERVER_OPTIONS>): { url: string; token: string } {
  const url = (flags.url ?? process.env.SALVE_URL ?? 'http://127.0.0.1:8470').replace(/\/$/, '');
  let token = flags.token ?? process.env.SALVE_ADMIN_TOKEN;
  if (!token) {
    const file = join(resolve(flags.data ?? process.env.SALVE_DATA ?? './data'), 'admin-token');
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      throw new UsageError(`no admin token: pass --token, set SALVE_ADMIN_TOKEN, or run where ${file} exists`);
    }
  }
  return { url, token };
}

class ServerUnreachable extends Error {}

async function call(target: { url: string; token: string }, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ServerUnreachable(`cannot reach Salve at ${target.url}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, json };
}

function reportApiError(res: { status: number; json: unknown }, out: Out): number {
  const err = (res.json as { error?: { message?: string; details?: { issues?: [] } } }).error;
  out.error(`server answered ${res.status}: ${err?.message ?? JSON.stringify(res.json)}`);
  if (err?.details?.issues) out.error(formatIssues(err.details.issues));
  return 1;
}

async function cmdImport(args: string[], out: Out): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, SERVER_OPTIONS);
  const file = positionals[0];
  if (!file) throw new UsageError('salve import <flow-or-bundle.json>');
  const body = readJsonFile(file, 'import file');
  const res = await call(serverTarget(flags), 'POST', '/api/flows/import', body);
  if (res.status !== 200) return reportApiError(res, out);
  for (const item of (res.json as { items: { flow: { id: string }; revision: number }[] }).items) {
    out.log(`imported ${item.flow.id} (revision ${item.revision}, disabled: enable it with "POST /api/flows/${item.flow.id}/enable")`);
  }
  return 0;
}

async function cmdExport(args: string[], out: Out): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, { ...SERVER_OPTIONS, all: { type: 'boolean' }, out: { type: 'string' } });
  const id = positionals[0];
  if (!id && !flags.all) throw new UsageError('salve export <flow-id> | --all');
  const target = serverTarget(flags);
  let doc: unknown;
  if (id) {
    const res = await call(target, 'GET', `/api/flows/${encodeURIComponent(id)}/export`);
    if (res.status !== 200) return reportApiError(res, out);
    doc = res.json;
  } else {
    const list = await call(target, 'GET', '/api/flows');
    if (list.status !== 200) return reportApiError(list, out);
    const flows = [];
    for (const f of (list.json as { items: { id: string }[] }).items) {
      const res = await call(target, 'GET', `/api/flows/${encodeURIComponent(f.id)}/export`);
      if (res.status !== 200) return reportApiError(res, out);
      flows.push(res.json);
    }
    doc = { flows };
  }
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (flags.out) {
    writeFileSync(flags.out, text);
    out.error(`wrote ${flags.out}`);
  } else out.log(text.trimEnd());
  return 0;
}

function cmdDoctor(args: string[], out: Out): number {
  const { positionals, values: flags } = parseCommand(args, { data: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const report = checkDataDir(resolve(flags.data ?? process.env.SALVE_DATA ?? './data'));
  for (const line of report.lines) (report.ok ? out.log : out.error)(line);
  return report.ok ? 0 : 1;
}

/** Runs one CLI command and returns its exit code. */
export async function runCli(argv: string[], out: Out = { log: console.log, error: console.error }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        serveFlags(rest);
        return await launchServer(rest);
      case SERVER_COMMAND:
        return await runServerProcess(rest, out.log);
      case 'validate':
        return await cmdValidate(rest, out);
      case 'simulate':
        return await cmdSimulate(rest, out);
      case 'import':
        return await cmdImport(rest, out);
      case 'export':
        return await cmdExport(rest, out);
      case 'diff':
        return await cmdDiff(rest, out, (flags, method, path, body) => call(serverTarget(flags), method, path, body), (res) => reportApiError(res, out));
      case 'doctor':
        return cmdDoctor(rest, out);
      case 'migrate':
        return await cmdMigrate(rest, out);
      case 'copy':
        return await cmdCopy(rest, out);
      case 'secrets':
        return await cmdSecrets(rest, out);
      case 'users':
        return await cmdUsers(rest, out);
      case 'teams':
        return await cmdTeams(rest, out);
      case 'audit':
        return await cmdAudit(rest, out);
      case 'replay':
        return await cmdReplay(rest, out);
      case '--version':
      case 'version':
        out.log(salveVersion());
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.log(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof HelpRequested) {
      out.log(HELP);
      return 0;
    }
    if (error instanceof UsageError) {
      out.error(`salve: ${error.message}\nRun "salve help" for usage.`);
      return 2;
    }
    if (error instanceof ServerUnreachable) {
      out.error(`salve: ${error.message}`);
      return 3;
    }
    if (error instanceof ValidationError) {
      out.error(`salve: ${error.message}\n${formatIssues(error.issues)}`);
      return 1;
    }
    if (error instanceof SalveError || error instanceof SecretsFileError || error instanceof MasterKeyError) {
      out.error(`salve: ${error.message}`);
      return 1;
    }
    out.error(`salve: ${(error as Error).message}`);
    return 1;
  }
}

/**
 * Runs the CLI as the program and exits with its code (bin/salve.js calls this). `serve` starts
 * the server with the V8 flags Salve needs (launcher.ts); any other command lacking them is re-run
 * with them.
 */
export async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  if (command !== 'serve' && command !== SERVER_COMMAND && lacksRequiredFlags(process.execArgv)) {
    process.exit(await rerunWithFlags(argv));
  }
  enableRegexBacktrackFallback();
  process.exit(await runCli(argv));
}

// Also runnable directly: `node <flags> dist/runtime/cli.js serve` (tests do this).
if (process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href) {
  void main(process.argv.slice(2));
}
