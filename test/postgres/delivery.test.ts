import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/errors.js';
import { FlowSchema } from '../../shared/flow/schema.js';
import { getNodeDefinition } from '../../nodes/catalog.js';
import type { IngestRequest } from '../../nodes/source-adapter.js';
import { authenticateDelivery } from '../../runtime/engine/ingest/delivery-auth.js';
import { deliveryTransaction } from '../../runtime/engine/ingest/delivery-commit.js';
import { planDelivery } from '../../runtime/engine/ingest/delivery-plan.js';
import { routeEntry, type DeliveryTrace } from '../../runtime/engine/ingest/event-rows.js';
import type { IngestResult } from '../../runtime/engine/ingest/ingest.js';
import { HookRouter } from '../../runtime/engine/ingest/hook-router.js';
import { QueueCap } from '../../runtime/engine/ingest/queue-cap.js';
import { createScrubber } from '../../runtime/engine/secrets/scrub.js';
import { newId } from '../../runtime/store/ids.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { flowDoc } from '../kit/flow.js';
import { storeEngines, type OpenEngine } from '../kit/store-engines.js';

/**
 * A webhook delivery's commit (deliveryTransaction), written once over StoreTx, gives the same
 * answer on SQLite and PostgreSQL: runs started, duplicates, guard rails, resolutions, the queue
 * cap. The delivery is a real Alertmanager payload authenticated and planned as ingest does.
 */

const engines = storeEngines();
const TOKEN = 'am-token-value-1234';
const T0 = Date.parse('2026-11-24T00:00:00Z');

/** Flow `id` on /hooks/infra (bearer AM_TOKEN); `limits` and `settings` as given. */
const flow = (id: string, extra: { limits?: unknown; settings?: Record<string, unknown> } = {}) =>
  FlowSchema.parse({
    ...flowDoc({
      id,
      // Parsed as a saved flow's is: the schema fills in the defaults (which alerts start runs).
      source: { id: 'src', type: 'source.alertmanager', config: getNodeDefinition('source.alertmanager')!.configSchema.parse({ path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }) as Record<string, unknown> },
      nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'true' } }],
      edges: [{ source: 'src', target: 'check' }],
      ...(extra.settings ? { settings: extra.settings } : {}),
    }),
    ...(extra.limits ? { limits: extra.limits } : {}),
  });

/** Authenticates, plans and commits one delivery on `engine`, as ingestDelivery does. */
async function deliver(engine: OpenEngine, flows: ReturnType<typeof flow>[], payload: unknown, cap: QueueCap, now: number): Promise<IngestResult> {
  const router = new HookRouter();
  router.rebuild(flows.map((f) => ({ id: f.id, name: f.name, enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'default', flow: f })));
  const routes = router.routes('infra');
  const request: IngestRequest = {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    rawBody: new TextEncoder().encode(JSON.stringify(payload)),
    remoteAddress: '192.0.2.7',
  };
  const trace: DeliveryTrace = { routes: routes.map((r) => routeEntry(r, 'skipped', 'not checked')) };
  const ctx = { secrets: (name: string) => (name === 'AM_TOKEN' ? TOKEN : undefined), now, fetch };
  const scrubber = createScrubber([]);
  const authenticated = await authenticateDelivery(routes, request, ctx, trace);
  const base = { id: newId('ev', now), now, path: 'infra', request, routes, trace, scrubber };
  const plan = await planDelivery(authenticated, payload, request, ctx, { eventId: base.id, executionDeadlineMs: 60_000, scrubber }, trace);
  if (plan.kind !== 'runs') throw new Error('expected a delivery that starts runs');
  return engine.run((tx) => deliveryTransaction(tx, cap, base, plan));
}

const firing = (...fps: string[]) => amPayload(fps.map((fp, i) => amAlert({ fingerprint: fp, instance: `web-${i + 1}:9100` })));

describe.each(engines)('a delivery’s commit on $name', ({ available, open }) => {
  it.runIf(available)('starts one run per alert, and the same alerts again are duplicates naming the first runs', async () => {
    const e = await open();
    const cap = new QueueCap(e.sqlite, 100);
    const first = await deliver(e, [flow('f')], firing('fp1', 'fp2'), cap, T0);
    expect(first).toMatchObject({ outcome: 'accepted', alerts: 2, duplicates: 0 });
    expect(first.executions).toHaveLength(2);
    const again = await deliver(e, [flow('f')], firing('fp1', 'fp2'), cap, T0 + 1000);
    expect(again).toMatchObject({ outcome: 'duplicate', executions: [], duplicates: 2 });
    expect(await e.run((tx) => tx.executions.countByStatus('queued'))).toBe(2);
    // Each started run is in the run queue once (PostgreSQL: one pg-boss job each, none for the duplicates).
    expect(await e.runQueue()).toEqual(first.executions.map((x) => x.id).sort());
  });

  it.runIf(available)('holds a run a cooldown forbids, and counts the held run apart from the queue', async () => {
    const e = await open();
    const cap = new QueueCap(e.sqlite, 100);
    const limits = { target: { key: 'alert.labels.instance', cooldown: 600 } };
    await deliver(e, [flow('f', { limits })], firing('fp1'), cap, T0);
    // Another fingerprint on the same instance (web-1) within the cooldown.
    const held = await deliver(e, [flow('f', { limits })], firing('fp9'), cap, T0 + 60_000);
    expect(held.outcome).toBe('accepted');
    expect(await e.run((tx) => tx.executions.countByStatus('held'))).toBe(1);
    expect(await e.run((tx) => tx.executions.countByStatus('queued'))).toBe(1);
    expect(await e.runQueue()).toHaveLength(1); // a held run waits for a person, not in the queue
  });

  it.runIf(available)('a resolution marks the run of its fingerprint; within the flap window the same alert firing again starts nothing', async () => {
    const e = await open();
    const cap = new QueueCap(e.sqlite, 100);
    const f = flow('f', { settings: { flapWindow: 600 } });
    const [run] = (await deliver(e, [f], firing('fp1'), cap, T0)).executions;
    const resolved = amPayload([amAlert({ fingerprint: 'fp1', instance: 'web-1:9100', status: 'resolved', endsAt: '2026-11-24T00:05:00Z' })], 'resolved');
    await deliver(e, [f], resolved, cap, T0 + 300_000);
    const [marked] = await e.run((tx) => tx.executions.latestAlertRuns('f', 'fp1', 1));
    expect(marked).toMatchObject({ id: run!.id, alertResolvedAt: Date.parse('2026-11-24T00:05:00Z') });
    const refire = await deliver(e, [f], amPayload([amAlert({ fingerprint: 'fp1', instance: 'web-1:9100', startsAt: '2026-11-24T00:06:00Z' })]), cap, T0 + 360_000);
    expect(refire).toMatchObject({ outcome: 'duplicate', executions: [] });
  });

  it.runIf(available)('over the queue cap the whole delivery is refused with 503 and nothing of it is kept', async () => {
    const e = await open();
    const cap = new QueueCap(e.sqlite, 2);
    await deliver(e, [flow('f')], firing('fp1'), cap, T0);
    await expect(deliver(e, [flow('f')], firing('fp2', 'fp3'), cap, T0 + 1000)).rejects.toBeInstanceOf(UnavailableError);
    expect(await e.run((tx) => tx.executions.countByStatus('queued'))).toBe(1);
    expect(await e.runQueue()).toHaveLength(1); // the refused delivery left no job behind
    // A delivery that fits still goes through.
    expect((await deliver(e, [flow('f')], firing('fp4'), cap, T0 + 2000)).executions).toHaveLength(1);
  });
});
