import { isSecretRef } from '../../../shared/flow/schema.js';
import { formatDuration, showArg } from '../../../nodes/format.js';

/**
 * Reading step outputs and rendered configs the way a person would: a command line, an HTTP
 * request line, stdout and stderr, instead of raw JSON. The shapes are what the executors in
 * nodes/action/shell and nodes/action/http record.
 */

/** What an `action.shell` step records (ProcessResult without `aborted`). */
export interface ShellOutput {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** What an `action.http` step records; `status` is null when no answer came (network error, bad URL). */
export interface HttpOutput {
  status: number | null;
  headers?: Record<string, string>;
  body?: unknown;
  truncated?: boolean;
  durationMs?: number;
  error?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function asShellOutput(output: unknown): ShellOutput | null {
  if (!isObject(output)) return null;
  if (typeof output.stdout !== 'string' || typeof output.stderr !== 'string') return null;
  return {
    exitCode: typeof output.exitCode === 'number' ? output.exitCode : null,
    signal: typeof output.signal === 'string' ? output.signal : null,
    stdout: output.stdout,
    stderr: output.stderr,
    durationMs: typeof output.durationMs === 'number' ? output.durationMs : 0,
    timedOut: output.timedOut === true,
  };
}

export function asHttpOutput(output: unknown): HttpOutput | null {
  if (!isObject(output)) return null;
  if (!(typeof output.status === 'number' || output.status === null)) return null;
  if (!('body' in output) && typeof output.error !== 'string') return null;
  const out: HttpOutput = { status: output.status as number | null };
  if (isObject(output.headers)) out.headers = output.headers as Record<string, string>;
  if ('body' in output) out.body = output.body;
  if (typeof output.truncated === 'boolean') out.truncated = output.truncated;
  if (typeof output.durationMs === 'number') out.durationMs = output.durationMs;
  if (typeof output.error === 'string') out.error = output.error;
  return out;
}

/** A secret reference shown by name (`<secret AM_TOKEN>`), clearly not a value. */
function showValue(v: unknown): string {
  if (isSecretRef(v)) return `<secret ${v.secret}>`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The one line that says what a rendered config does, for the node types where that line is
 * obvious: `systemctl restart postgresql`, `POST http://host/cleanup`, `wait 5 min`. Null for
 * other types (the JSON is shown instead).
 */
export function commandLine(nodeType: string, config: unknown): string | null {
  if (!isObject(config)) return null;
  switch (nodeType) {
    case 'action.shell': {
      const argv = config.command;
      if (!Array.isArray(argv) || argv.length === 0) return null;
      return argv.map((a) => (typeof a === 'string' ? showArg(a) : showValue(a))).join(' ');
    }
    case 'action.http': {
      if (typeof config.url !== 'string') return null;
      const method = typeof config.method === 'string' ? config.method : 'POST';
      return `${method} ${config.url}`;
    }
    case 'action.delay': {
      const s = config.seconds;
      return typeof s === 'number' ? `wait ${formatDuration(s, 's')}` : null;
    }
    default:
      return null;
  }
}

/** Text for a pretty-printed JSON block; `undefined` (absent) reads as nothing rather than "undefined". */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
