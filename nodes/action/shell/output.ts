import { z } from 'zod';
import type { OutputBlock, OutputView } from '../../output-view.js';

/** What an `action.shell` step records as its output (when the program started at all). */
export const ShellOutputSchema = z.object({
  /** Null when a signal ended it. */
  exitCode: z.int().nullable(),
  signal: z.string().nullable(),
  /** At most 1 MiB each; a marker line says when it was cut. */
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
  timedOut: z.boolean(),
});
export type ShellOutput = z.infer<typeof ShellOutputSchema>;

/** The run view's reading of a command: how it ended, how long it took, stdout, and stderr when there is any (or it failed). */
export function presentShellOutput(output: ShellOutput): OutputView {
  const outcome = output.timedOut
    ? 'timed out'
    : output.exitCode === null
      ? `killed by ${output.signal ?? 'a signal'}`
      : `exit code ${output.exitCode}`;
  const blocks: OutputBlock[] = [{ kind: 'text', title: 'stdout', text: output.stdout }];
  if (output.stderr || output.exitCode !== 0) {
    blocks.push({ kind: 'text', title: 'stderr', text: output.stderr, ...(output.stderr ? { tone: 'error' as const } : {}) });
  }
  return {
    facts: [
      { label: 'Result', text: outcome, tone: output.exitCode === 0 && !output.timedOut ? 'ok' : 'error' },
      { label: 'Took', durationMs: output.durationMs },
    ],
    blocks,
  };
}
