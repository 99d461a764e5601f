import { sqliteStore } from './store/store.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SalveMetrics } from './metrics.js';
import { SqliteStore } from './store/db.js';

// docs/grafana/salve-dashboard.json is imported into Grafana by operators: every query must name
// series Salve exports (a renamed metric would otherwise leave an empty panel).

const DASHBOARD = new URL('../docs/grafana/salve-dashboard.json', import.meta.url);

/** The series names Salve's /metrics answers: each family, histograms as their _bucket, _sum and _count. */
async function exportedSeries(): Promise<Set<string>> {
  const store = new SqliteStore(':memory:');
  const metrics = new SalveMetrics(sqliteStore(store));
  const text = (await metrics.scrape()).body;
  metrics.close();
  store.close();
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name!);
  }
  return names;
}

/** The metric names an expression selects: every `name{…}` (the dashboard always gives a selector). */
const selectedIn = (expr: string) => [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!);

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { query: string }[] } };

  it('queries only series Salve exports', async () => {
    const exported = await exportedSeries();
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(10);
    for (const { title, expr } of exprs) {
      const names = selectedIn(expr);
      expect(names.length, `${title}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${title}: ${name} is not exported`).toBe(true);
    }
    for (const variable of dashboard.templating.list) {
      const name = /label_values\((\w+),/.exec(variable.query)?.[1];
      expect(name && exported.has(name), variable.query).toBe(true);
    }
  });

  it('has a panel for every salve_* series', async () => {
    const families = [...(await exportedSeries())].filter((n) => n.startsWith('salve_')).map((n) => n.replace(/_(bucket|sum|count)$/, ''));
    const queried = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => selectedIn(t.expr))).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    for (const family of new Set(families)) expect(queried.has(family), family).toBe(true);
  });
});
