import { runCli } from '../../runtime/cli.js';

/** Runs one `salve` command in this process, as the CLI would: its exit code and what it printed to stdout and stderr. */
export async function runCliCaptured(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runCli(args, { log: (s) => lines.push(s), error: (s) => errors.push(s) });
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}
