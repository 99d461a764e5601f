import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ProvisioningDiff } from '../shared/api-views.js';
import { formatIssues } from '../shared/errors.js';
import { parseCommand, UsageError } from './cli-args.js';
import { listFlowFiles } from './engine/flows/provision.js';

/** `salve diff <dir>`: what applying a flows directory to a running Salve would change (nothing is changed). */
export const DIFF_HELP = `  salve diff <flows-dir> [--json] [--url URL] [--token TOKEN] [--data DIR]
                                    what applying a flows directory would change (exit 0 nothing, 1 changes, 2 invalid files)`;

type Out = { log: (s: string) => void; error: (s: string) => void };

/** How diff talks to the server: cli.ts's request helper (token, URL, unreachable server → exit 3). */
type Call = (flags: Record<string, string | boolean | undefined>, method: string, path: string, body: unknown) => Promise<{ status: number; json: unknown }>;

/**
 * Sends the directory's files to the server (`POST /api/provisioning/diff`), which plans them
 * exactly as `salve serve --flows` applies them — same validation, its node types, its teams and
 * flows — and prints the plan. Exit code: 0 nothing would change, 1 something would, 2 a file is
 * invalid (the same code as a usage error: either way the input must be fixed first).
 */
export async function cmdDiff(args: string[], out: Out, call: Call, reportApiError: (res: { status: number; json: unknown }) => number): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, { url: { type: 'string' }, token: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw new UsageError('salve diff <flows-dir>');
  let files: { path: string; content: string }[];
  try {
    files = listFlowFiles(resolve(dir)).map(([, abs, , path]) => ({ path, content: readFileSync(abs, 'utf8') }));
  } catch (error) {
    throw new UsageError(`cannot read the flows directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const res = await call(flags, 'POST', '/api/provisioning/diff', { name: basename(resolve(dir)), files });
  if (res.status !== 200) return reportApiError(res);
  const plan = res.json as ProvisioningDiff;
  const invalid = plan.files.filter((f) => f.status === 'invalid');
  const changing = plan.changes.filter((c) => c.kind !== 'unchanged');
  const code = invalid.length ? 2 : changing.length ? 1 : 0;
  if (flags.json) {
    out.log(JSON.stringify(plan, null, 2));
    return code;
  }
  const verb = { added: 'would be added', changed: 'would change', unchanged: 'unchanged', disabled: 'would be disabled (no longer in the directory; kept with its runs and history)' };
  for (const c of plan.changes) {
    out.log(`${c.kind === 'unchanged' ? ' ' : c.kind === 'added' ? '+' : c.kind === 'disabled' ? '-' : '~'} ${c.flowId} (${c.file}, team ${c.team}): ${verb[c.kind]}${c.summary && c.kind === 'changed' ? `: ${c.summary}` : ''}`);
  }
  for (const f of invalid) {
    out.error(`! ${f.file}: invalid, nothing of it would be applied (${f.errors?.length ?? 0} problem(s))\n${formatIssues(f.errors ?? []).replace(/^/gm, '    ')}`);
  }
  const count = (kind: string) => plan.changes.filter((c) => c.kind === kind).length;
  out.log(
    `${plan.files.length} file(s): ${count('added')} added, ${count('changed')} changed, ${count('unchanged')} unchanged, ${count('disabled')} disabled, ${invalid.length} invalid file(s)`,
  );
  return code;
}
