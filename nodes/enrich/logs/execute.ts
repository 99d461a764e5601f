import { truncate, truncateBytes } from '../../../shared/text.js';
import { textAttachment } from '../../attachments.js';
import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { KubeClient, KubeUnreachable, refusal, succeeded } from '../../action/kubernetes/client.js';
import { nameProblem } from '../../action/kubernetes/names.js';
import { MAX_LOG_BYTES, readLog } from '../../action/kubernetes/pods.js';
import { runArgvOverSsh } from '../../action/ssh/run-argv.js';
import { TRUNCATION_MARKER } from '../../action/ssh/run-remote.js';
import { enrichLogs, type LogsConfig } from './definition.js';
import type { LogsOutput } from './output.js';
import { fileNameProblem, filePath, journalArgv, tailArgv, unitProblem } from './remote-logs.js';

/** A log read, or why none could be. */
type Read = { text: string; cut: boolean; target: string; name: string } | { problem: string; target: string };

type From<T extends LogsConfig['from']['type']> = Resolved<Extract<LogsConfig['from'], { type: T }>>;

async function podLog(from: From<'kubernetes'>, lines: number, timeoutSeconds: number, ctx: ExecContext): Promise<Read> {
  const target = `pod ${from.namespace}/${from.pod}${from.container ? ` (container ${from.container})` : ''}${from.previous ? ', previous run,' : ''} on ${from.cluster}`;
  const cluster = ctx.kubernetes ? await ctx.kubernetes.cluster(from.cluster) : 'no Kubernetes clusters are configured: the operator sets SALVE_KUBERNETES_CLUSTERS';
  if (typeof cluster === 'string') return { problem: cluster, target };
  const named =
    nameProblem('namespace', from.namespace, 'label') ??
    nameProblem('pod', from.pod, 'subdomain') ??
    (from.container ? nameProblem('container', from.container, 'label') : undefined);
  if (named) return { problem: `${named}; nothing was sent`, target };
  if (!cluster.namespaces.includes(from.namespace)) {
    return { problem: `namespace ${from.namespace} is not allowed on cluster ${cluster.name} (its namespaces in SALVE_KUBERNETES_CLUSTERS: ${cluster.namespaces.join(', ')}); nothing was sent`, target };
  }
  const client = new KubeClient(ctx, cluster, timeoutSeconds, false);
  try {
    const answer = await readLog(client, from.namespace, from.pod, { tailLines: lines, container: from.container, previous: from.previous });
    if (!succeeded(answer)) return { problem: `could not read the log of ${target}: ${refusal(answer)}`, target };
    const name = [from.pod, from.container, from.previous ? 'previous' : undefined].filter(Boolean).join('-');
    return { text: answer.text, cut: answer.cut, target, name };
  } catch (error) {
    if (error instanceof KubeUnreachable) return { problem: error.message, target };
    throw error;
  }
}

async function remoteLog(from: From<'journal'> | From<'file'>, lines: number, timeoutSeconds: number, ctx: ExecContext): Promise<Read> {
  const host = from.ssh.host.trim();
  const what = from.type === 'journal' ? `journal of ${from.unit}` : filePath(from.directory, from.file);
  const target = `${what} on ${host}`;
  const problem = from.type === 'journal' ? unitProblem(from.unit) : fileNameProblem(from.file);
  if (problem) return { problem: `${problem}; nothing was run`, target };
  const argv = from.type === 'journal' ? journalArgv(from.unit, lines) : tailArgv(filePath(from.directory, from.file), MAX_LOG_BYTES);
  const run = await runArgvOverSsh(from.ssh, argv, timeoutSeconds, ctx);
  if (!run.ran) return { problem: run.problem, target };
  const { result } = run;
  const program = argv[0]!;
  if (result.timedOut) return { problem: `${program} on ${run.place} timed out after ${timeoutSeconds} s`, target };
  if (result.aborted) return { problem: `${program} on ${run.place} was stopped: the execution was cancelled or is shutting down`, target };
  if (result.exitCode !== 0) {
    const said = truncate(result.stderr.trim().split('\n')[0] ?? '', 300);
    const how = result.exitCode === null ? 'ended without an exit code' : `exited with code ${result.exitCode}`;
    return { problem: `${program} on ${run.place} ${how}${said ? `: ${said}` : ''}`, target };
  }
  const stem = from.type === 'journal' ? `${host}-${from.unit}` : `${host}-${from.file.replace(/\.log$/, '')}`;
  const text = result.stdoutTruncated ? result.stdout.slice(0, -TRUNCATION_MARKER.length) : result.stdout;
  if (from.type === 'journal') return { text, cut: result.stdoutTruncated, target, name: stem };
  // tail -c gave the file's newest bytes: when it gave all it may, the first line is only its end.
  const full = Buffer.byteLength(text, 'utf8') >= MAX_LOG_BYTES;
  const whole = full && text.includes('\n') ? text.slice(text.indexOf('\n') + 1) : text;
  return { text: lastLines(whole, lines), cut: full, target, name: stem };
}

/** The last `n` lines of `text` (its final line break kept). */
function lastLines(text: string, n: number): string {
  let at = text.length - (text.endsWith('\n') ? 1 : 0);
  for (let i = 0; i < n; i++) {
    at = text.lastIndexOf('\n', at - 1);
    if (at === -1) return text;
  }
  return text.slice(at + 1);
}

/** The end of `text` within MAX_LOG_BYTES, from a line start: the newest lines matter most. */
function keepEnd(text: string): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_LOG_BYTES) return { text, cut: false };
  const end = bytes.subarray(bytes.length - MAX_LOG_BYTES).toString('utf8');
  const firstLine = end.indexOf('\n');
  return { text: firstLine === -1 ? truncateBytes(end, MAX_LOG_BYTES) : end.slice(firstLine + 1), cut: true };
}

const countLines = (text: string) => (text === '' ? 0 : text.replace(/\n$/, '').split('\n').length);

/**
 * Runs `enrich.logs`: reads the last `lines` of a pod's log, a unit's journal or a file, and keeps
 * it as the step's attachment. Nothing read (a refusal, a missing file, a timeout) goes to `error`.
 */
export const executeLogs = defineExecutor(enrichLogs, async (config, ctx): Promise<StepOutcome<LogsOutput>> => {
  const started = performance.now();
  const { from } = config;
  const read = from.type === 'kubernetes' ? await podLog(from, config.lines, config.timeoutSeconds, ctx) : await remoteLog(from, config.lines, config.timeoutSeconds, ctx);
  const durationMs = Math.round(performance.now() - started);
  if ('problem' in read) {
    return { type: 'fail', port: 'error', error: read.problem, output: { from: from.type, target: read.target, lines: 0, truncated: false, message: read.problem, durationMs } };
  }
  const kept = keepEnd(read.text);
  const truncated = read.cut || kept.cut;
  const lines = countLines(kept.text);
  const attachment = textAttachment(read.name, kept.text);
  const message = `read ${lines} line${lines === 1 ? '' : 's'} of the ${read.target}${truncated ? ' (the log was longer than 256 KiB and was cut)' : ''}`;
  return { type: 'next', port: 'ok', output: { from: from.type, target: read.target, attachment, lines, truncated, message, durationMs } };
});
