import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--disallow-code-generation-from-strings'];

/** Runs the built boot checks in a fresh Node process with the given flags. */
function bootChecks(flags: string[]) {
  const script = `import { runBootChecks } from ${JSON.stringify(join(ROOT, 'dist', 'runtime', 'boot-checks.js'))}; console.log(JSON.stringify(runBootChecks()));`;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(r.stdout.trim()) as { ok: boolean; problems?: string[] };
}

describe('boot checks', () => {
  it('pass when Node runs with both flags', () => {
    expect(bootChecks(FLAGS)).toEqual({ ok: true });
  });

  it('refuse a process that allows eval', () => {
    const result = bootChecks([FLAGS[0]!]);
    expect(result.ok).toBe(false);
    expect(result.problems!.join(' ')).toContain('--disallow-code-generation-from-strings');
  });

  it('refuse a process where a catastrophic regex backtracks', () => {
    const result = bootChecks([FLAGS[1]!]);
    expect(result.ok).toBe(false);
    expect(result.problems!.join(' ')).toContain('--enable-experimental-regexp-engine-on-excessive-backtracks');
  });
});
