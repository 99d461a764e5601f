import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatIssues } from '../shared/errors.js';
import { describeDifferences, describePath, type ReplayResult } from '../shared/flow/replay-compare.js';
import { parseCommand, UsageError } from './cli-args.js';

/**
 * `salve replay <flow.json> --since 7d`: asks a running server to replay the flow in the file
 * against the deliveries it stored (POST /api/flows/replay) and prints the summary. Through the
 * server rather than the database file: the server authorizes the caller per team, scrubs every
 * secret it holds from the answer, and already has the flows' revisions and the event log open.
 */

export const REPLAY_HELP = `  salve replay <flow.json> --since 7d [--until 2026-11-24T12:00:00Z] [--team ID] [--all] [--url URL] [--token TOKEN] [--data DIR]
                                    replay a draft against the stored deliveries (simulation only) and print what would change`;

type Out = { log: (s: string) => void; error: (s: string) => void };

const OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  team: { type: 'string' },
  all: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
  data: { type: 'string' },
} as const;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `24h`, `90m` (before `now`), or an RFC 3339 time; epoch ms for the API. */
export function parseReplayTime(text: string, flag: string, now: number): number {
  const rel = /^(\d+)([mhd])$/.exec(text.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const t = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(t)) throw new UsageError(`${flag} must be a duration before now (90m, 24h, 7d) or an RFC 3339 time, found "${text}"`);
  return t;
}

function tokenOf(flags: { token?: string; data?: string }): string {
  const token = flags.token ?? process.env.SALVE_ADMIN_TOKEN;
  if (token) return token;
  const file = join(resolve(flags.data ?? process.env.SALVE_DATA ?? './data'), 'admin-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new UsageError(`no admin token: pass --token, set SALVE_ADMIN_TOKEN, or run where ${file} exists`);
  }
}

/** The report: the range, the counts, the summary sentences, then up to 20 differing runs. */
function formatReplay(r: ReplayResult): string[] {
  const lines = [
    `replayed ${r.events.replayed} stored deliver${r.events.replayed === 1 ? 'y' : 'ies'} to flow ${r.flowId} from ${r.since} to ${r.until} (simulation: nothing ran)`,
    `${r.runs.total} alert${r.runs.total === 1 ? '' : 's'}, ${r.runs.changed} would change:`,
    ...r.summary.map((l) => `  ${l.text}`),
  ];
  if (r.events.skipped > 0) lines.push(`skipped ${r.events.skipped} deliveries: ${r.skippedEvents[0]?.reason ?? ''}`);
  if (r.cutShort) lines.push(`CUT SHORT: ${r.cutShort.reason} (${r.cutShort.remainingEvents} deliveries not replayed)`);
  const shown = r.rows.slice(0, 20);
  if (shown.length > 0) {
    lines.push('', 'received                  alert                     saved → draft: what differs');
    for (const row of shown) {
      lines.push(`${row.receivedAt}  ${row.alertName.slice(0, 24).padEnd(24)}  ${describePath(row.saved)} ⇒ ${describePath(row.draft)}: ${describeDifferences(row.differences)}`);
    }
    const more = (r.rowsTruncated ? r.runs.changed : r.rows.length) - shown.length;
    if (more > 0) lines.push(`… and ${more} more (the editor's Replay tab lists them all)`);
  }
  return lines;
}

/** Runs `salve replay …`; exit 0 when replayed (whatever changed), 1 refused, 3 server unreachable. */
export async function cmdReplay(args: string[], out: Out, now = Date.now()): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, OPTIONS);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('salve replay <flow.json> --since 7d');
  if (!flags.since) throw new UsageError('--since is required, e.g. --since 7d');
  let flow: unknown;
  try {
    flow = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read flow file ${file}: ${(error as Error).message}`);
  }
  const body = {
    flow,
    since: parseReplayTime(flags.since, '--since', now),
    ...(flags.until ? { until: parseReplayTime(flags.until, '--until', now) } : {}),
    ...(flags.all ? { show: 'all' } : {}),
  };
  const base = (flags.url ?? process.env.SALVE_URL ?? 'http://127.0.0.1:8470').replace(/\/$/, '');
  const path = `/api/flows/replay${flags.team ? `?team=${encodeURIComponent(flags.team)}` : ''}`;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf(flags)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    out.error(`salve: cannot reach Salve at ${base}: ${(error as Error).cause ?? (error as Error).message}`);
    return 3;
  }
  const json = (await res.json().catch(() => ({}))) as ReplayResult & { error?: { message?: string; details?: { issues?: { path: (string | number)[]; message: string }[] } } };
  if (!res.ok) {
    out.error(`server answered ${res.status}: ${json.error?.message ?? ''}`);
    if (json.error?.details?.issues) out.error(formatIssues(json.error.details.issues));
    return 1;
  }
  for (const line of formatReplay(json)) out.log(line);
  return 0;
}
