/** Parsed command line: positional words and `--flag value` / `--flag=value` / `--switch`. */
export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | undefined>;
}

/** Parses argv; `switches` are flags that take no value. Unknown flags are kept for the caller to reject. */
export function parseArgs(argv: string[], switches: ReadonlySet<string> = new Set()): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg === '-h') flags.help = 'true';
      else positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (eq !== -1) flags[name] = arg.slice(eq + 1);
    else if (switches.has(name)) flags[name] = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags[name] = next;
      i++;
    }
  }
  return { positional, flags };
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {}

/** Throws UsageError naming any flag not in `allowed`. */
export function rejectUnknownFlags(flags: Record<string, string | undefined>, allowed: string[]): void {
  const unknown = Object.keys(flags).filter((f) => !allowed.includes(f) && f !== 'help');
  if (unknown.length) throw new UsageError(`unknown option ${unknown.map((f) => `--${f}`).join(', ')}`);
}
