import { z } from 'zod';
import type { OutputBlock, OutputView } from '../../output-view.js';

/** What an `action.ssh` step records as its output (once the command was sent). */
export const SshOutputSchema = z.object({
  /** `host:port` as configured (rendered), and the address connected to. */
  host: z.string(),
  address: z.string(),
  /** Null when a signal ended it, or Salve stopped it before it exited. */
  exitCode: z.int().nullable(),
  /** The signal the server says ended the command (`KILL`, `TERM`…), without `SIG`. */
  signal: z.string().nullable(),
  /** At most 1 MiB each; a marker line says when it was cut. */
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  durationMs: z.number(),
  timedOut: z.boolean(),
});
export type SshOutput = z.infer<typeof SshOutputSchema>;

function outcomeOf(output: SshOutput): string {
  if (output.timedOut) return 'timed out';
  if (output.exitCode !== null) return `exit code ${output.exitCode}`;
  if (output.signal) return `killed by SIG${output.signal}`;
  return 'stopped before it exited';
}

/** The run view's reading of a remote command: where, how it ended, how long, stdout and stderr. */
export function presentSshOutput(output: SshOutput): OutputView {
  const ok = output.exitCode === 0 && !output.timedOut;
  const blocks: OutputBlock[] = [{ kind: 'text', title: 'stdout', text: output.stdout }];
  if (output.stderr || !ok) {
    blocks.push({ kind: 'text', title: 'stderr', text: output.stderr, ...(output.stderr ? { tone: 'error' as const } : {}) });
  }
  if (output.stdoutTruncated || output.stderrTruncated) {
    const which = [output.stdoutTruncated && 'stdout', output.stderrTruncated && 'stderr'].filter(Boolean).join(' and ');
    blocks.push({ kind: 'note', tone: 'muted', text: `${which} cut at 1 MiB` });
  }
  const where = output.host.startsWith(`${output.address}:`) || output.host.startsWith(`[${output.address}]:`) ? output.host : `${output.host} (${output.address})`;
  return {
    facts: [
      { label: 'Host', text: where, mono: true },
      { label: 'Result', text: outcomeOf(output), tone: ok ? 'ok' : 'error' },
      { label: 'Took', durationMs: output.durationMs },
    ],
    blocks,
  };
}
