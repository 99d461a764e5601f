import { sqliteStore } from './store/store.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { amBody } from '../test/kit/alertmanager.js';
import { ManualClock, webhookDelivery } from '../test/kit/engine.js';
import { amSource, flowDoc } from '../test/kit/flow.js';
import { Engine } from './engine/engine.js';
import { secretStoreFrom } from './engine/secrets/secrets.js';
import { createApp } from './http/app.js';
import { SalveMetrics } from './metrics.js';
import { SqliteStore } from './store/db.js';

const log = pino({ level: 'silent' });
const ADMIN = 'the-admin-token-0123456789';
const METRICS = 'the-metrics-token-0123456789';
const actor = { name: 'test', via: 'token' } as const;

/** The value of one series in the exposition text (`name{labels}` exactly as printed), undefined when absent. */
function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function setup() {
  const store = new SqliteStore(':memory:');
  const clock = new ManualClock();
  let engine: Engine | undefined;
  const metrics = new SalveMetrics(sqliteStore(store), () => engine?.isPaused ?? false);
  engine = new Engine({
    store,
    clock,
    log,
    secrets: secretStoreFrom({}),
    maxConcurrent: 4,
    executionDeadlineMs: 7_200_000,
    tickMs: 3_600_000,
    scheduleTimers: false,
    metrics,
  });
  await engine.start();
  const app = createApp({ engine, log, adminToken: ADMIN, metricsToken: METRICS, metrics, hookBodyLimitBytes: 64 * 1024, version: 'test' });
  return { store, engine, metrics, app };
}

describe('metrics', () => {
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.shutdown(0);
  });

  it('counts deliveries by source and outcome, ended runs by flow and status, step durations by node type, and reads pending approvals from the database', async () => {
    const { engine, metrics, store } = await setup();
    engines.push(engine);
    await engine.flows.create(flowDoc({ id: 'fix-disk', nodes: [{ id: 'fix', type: 'action.shell', config: { command: ['true'] } }], edges: [{ source: 'am', target: 'fix' }] }), actor);
    await engine.flows.create(
      flowDoc({
        id: 'ask-first',
        source: amSource({ path: 'ask' }),
        nodes: [{ id: 'ask', type: 'approval.request', config: { message: 'ok?', timeoutSeconds: 600 } }],
        edges: [{ source: 'am', target: 'ask' }],
      }),
      actor,
    );
    await engine.ingest('infra', webhookDelivery(amBody('fp1')));
    await engine.ingest('infra', webhookDelivery(amBody('fp1'))); // the same alert again: duplicate
    const asked = await engine.ingest('ask', webhookDelivery(amBody('fp2')));
    await expect(engine.ingest('nowhere', webhookDelivery(amBody('fp3')))).rejects.toThrow(/no enabled flow/);
    await expect(engine.ingest('infra', webhookDelivery('not json'))).rejects.toThrow();
    await engine.idle();

    const text = (await metrics.scrape()).body;
    expect(seriesValue(text, 'salve_deliveries_total{source="alertmanager",outcome="accepted"}')).toBe(2);
    expect(seriesValue(text, 'salve_deliveries_total{source="alertmanager",outcome="duplicate"}')).toBe(1);
    expect(seriesValue(text, 'salve_deliveries_total{source="alertmanager",outcome="invalid"}')).toBe(1);
    expect(seriesValue(text, 'salve_deliveries_total{source="none",outcome="not_found"}')).toBe(1);
    expect(seriesValue(text, 'salve_executions_total{flow="fix-disk",status="succeeded"}')).toBe(1);
    expect(seriesValue(text, 'salve_executions_active{flow="ask-first",status="waiting"}')).toBe(1);
    expect(seriesValue(text, 'salve_approvals_pending')).toBe(1);
    expect(seriesValue(text, 'salve_queue_depth')).toBe(0);
    expect(seriesValue(text, 'salve_automation_paused')).toBe(0);
    expect(seriesValue(text, 'salve_step_duration_seconds_count{node_type="action.shell"}')).toBe(1);
    // Every commit is timed; the process's own metrics are there too.
    expect(seriesValue(text, 'salve_store_commit_duration_seconds_count')).toBe(store.stats.commits);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    // Nothing an alert sender chooses (the path it posted to) becomes a label value.
    expect(text).not.toContain('nowhere');

    await engine.setPaused(true, actor);
    expect(seriesValue((await metrics.scrape()).body, 'salve_automation_paused')).toBe(1);

    // A run ended by a person (not by the dispatcher) is counted too; it is no longer active.
    await engine.cancel(asked.executions[0]!.id, actor);
    const after = (await metrics.scrape()).body;
    expect(seriesValue(after, 'salve_executions_total{flow="ask-first",status="cancelled"}')).toBe(1);
    expect(seriesValue(after, 'salve_executions_active{flow="ask-first",status="waiting"}')).toBeUndefined();
    expect(seriesValue(after, 'salve_approvals_pending')).toBe(0);
  });

  it('keeps apps apart: each has its own registry', async () => {
    const a = await setup();
    const b = await setup();
    engines.push(a.engine, b.engine);
    await a.engine.flows.create(flowDoc({ nodes: [] }), actor);
    await a.engine.ingest('infra', webhookDelivery(amBody('fp1')));
    await a.engine.idle();
    expect(seriesValue((await a.metrics.scrape()).body, 'salve_deliveries_total{source="alertmanager",outcome="accepted"}')).toBe(1);
    expect((await b.metrics.scrape()).body).not.toContain('salve_deliveries_total{');
  });

  it('GET /metrics: 401 without a token, answered for the metrics token or the admin token; the metrics token opens nothing else', async () => {
    const { app, engine } = await setup();
    engines.push(engine);
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
    for (const token of [METRICS, ADMIN]) {
      const res = await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      expect(await res.text()).toContain('# TYPE salve_deliveries_total counter');
    }
    expect((await app.request('/api/automation', { headers: { authorization: `Bearer ${METRICS}` } })).status).toBe(401);
    expect((await app.request('/api/flows', { headers: { authorization: `Bearer ${METRICS}` } })).status).toBe(401);
  });
});
