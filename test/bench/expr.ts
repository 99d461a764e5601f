// Micro-benchmark of CEL evaluation on the hot path (a typical condition, a template part, a
// webhook mapping), in ns per evaluation. A measurement to compare before/after a change, not a
// test: `npx tsx test/bench/expr.ts [path to shared/expr/index.ts]` (default: this checkout's).
import { pathToFileURL } from 'node:url';

const modulePath = process.argv[2] ?? new URL('../../shared/expr/index.ts', import.meta.url).pathname;
const expr = (await import(pathToFileURL(modulePath).href)) as {
  evaluateCel: (source: string, vars: object) => unknown;
  renderTemplate: (text: string, vars: object) => string;
};

const labels: Record<string, string> = { alertname: 'DiskFull', instance: 'db1:9100', env: 'prod', severity: 'critical', job: 'node', team: 'storage' };
for (let i = 0; i < 6; i++) labels[`extra_${i}`] = `value-${i}`;
const alert = {
  source: 'alertmanager',
  status: 'firing',
  name: 'DiskFull',
  severity: 'critical',
  summary: 'Disk almost full',
  description: '',
  labels,
  annotations: { summary: 'Disk almost full', runbook_url: 'https://runbooks.example/disk' },
  startsAt: '2026-11-24T01:00:00Z',
  endsAt: '',
  fingerprint: 'abc',
  dedupKey: 'abc:firing',
  links: {},
  raw: { labels, values: { B: 93.5 } },
};
const event = { alerts: [{ status: 'firing', labels }], groupKey: 'g', commonLabels: labels };

/** Fastest round, in ns per call, of `rounds` rounds of `n` calls (on a loaded machine the fastest round is the least disturbed). */
function measure(run: () => unknown, n = 10_000, rounds = 15): number {
  for (let i = 0; i < n; i++) run(); // warm up (and fill caches)
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run();
    results.push(Number(process.hrtime.bigint() - started) / n);
  }
  return Math.min(...results);
}

const cases: [string, () => unknown][] = [
  ['condition (typical)', () => expr.evaluateCel('alert.labels.severity == "critical" && alert.labels.exists(k, k.startsWith("team"))', { alert })],
  // The runner parses the stored alert for every step: a fresh object each time.
  ['condition, fresh alert object', () => expr.evaluateCel('alert.labels.severity == "critical" && alert.labels.exists(k, k.startsWith("team"))', { alert: { ...alert, labels: { ...labels } } })],
  ['condition, one comparison', () => expr.evaluateCel('alert.severity == "critical"', { alert })],
  ['template, two parts', () => expr.renderTemplate('{{ alert.name }} on {{ alert.labels.instance }}', { alert })],
  ['webhook mapping over event', () => expr.evaluateCel('event.alerts.exists(a, a.status == "firing")', { event })],
];
for (const [name, run] of cases) console.log(`${name.padEnd(32)} ${measure(run).toFixed(0).padStart(7)} ns/eval`);
