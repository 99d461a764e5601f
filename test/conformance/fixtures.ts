import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The team's collection of real deliveries published by the monitoring tools (beside the project,
 * not in it: third-party files are never copied here). Conformance tests run when it exists.
 */
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'alerts');
export const fixturesAvailable = existsSync(FIXTURES_DIR);

// A skipped suite must never pass for a run one: say so plainly, and when the caller knows the
// collection is there (.ci/run sets SALVE_CONFORMANCE=required when ../shared/fixtures/alerts
// exists), a path that does not resolve is an error, not a skip.
if (!fixturesAvailable) {
  if (process.env.SALVE_CONFORMANCE === 'required') {
    throw new Error(`SALVE_CONFORMANCE=required, but the fixture collection is not at ${FIXTURES_DIR}: the conformance suites cannot run`);
  }
  console.warn(`conformance: SKIPPED — the team's fixture collection is not at ${FIXTURES_DIR} (it sits beside the project in the team checkout; this clone has none)`);
}

/** The exact bytes of `<tool>/<file>`. */
export function fixtureBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, path)));
}

/** `<tool>/<file>` parsed as JSON. */
export function fixtureJson(path: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, path), 'utf8'));
}

/** The headers published with a delivery (`<name>.headers.json` beside it), lower-cased; {} when none. */
export function fixtureHeaders(path: string): Record<string, string> {
  const file = join(FIXTURES_DIR, path.replace(/\.json$/, '.headers.json'));
  if (!existsSync(file)) return {};
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const headers = (raw.headers ?? raw) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k.toLowerCase(), v as string]));
}

/** The files of one tool's folder, e.g. `fixtureFiles('grafana')` → `['grafana/v9-firing-valuestring.json', …]`. */
export function fixtureFiles(tool: string): string[] {
  return readdirSync(join(FIXTURES_DIR, tool))
    .filter((f) => !f.endsWith('.headers.json'))
    .sort()
    .map((f) => `${tool}/${f}`);
}
