import { sqliteStore } from '../../store/store.js';
import { eventRow } from '../../../test/kit/rows.js';
import { describe, expect, it, vi } from 'vitest';
import { eventsRepo } from '../../store/events-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { executionView } from '../../http/views.js';
import { EventRetention } from './retention.js';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import pino from 'pino';

const DAY = 24 * 3600 * 1000;

describe('event retention', () => {
  it('deletes events older than the retention in small batches; their executions stay whole', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(flowDoc(), { name: 'test', via: 'token' });
    const deliver = (fp: string) => engine.ingest('infra', webhookDelivery(amBody(fp)));

    // Seven events a day apart, then a refused one (it has refs too).
    const results = [];
    for (let day = 0; day < 7; day++) {
      results.push(await deliver(`fp-${day}`));
      clock.advance(DAY);
    }
    await expect(engine.ingest('infra', webhookDelivery('x', { 'content-type': 'text/plain' }))).rejects.toMatchObject({ code: 'unsupported_media_type' });
    await engine.idle();
    expect(eventsRepo.list(store.db, { limit: 50 })).toHaveLength(8);

    // Now = day 7; keep 3 days: days 0-3 are older than that (day 4 is exactly 3 days old and stays).
    const batches = vi.spyOn(eventsRepo, 'deleteReceivedBefore');
    const retention = new EventRetention(sqliteStore(store), clock, pino({ level: 'silent' }), { days: 3, batchSize: 2 });
    expect(await retention.runOnce()).toBe(4);
    // Each batch is its own write: 2 + 2 + an empty last look.
    expect(batches.mock.results.map((r) => r.value)).toEqual([2, 2, 0]);
    batches.mockRestore();
    const left = eventsRepo.list(store.db, { limit: 50 });
    expect(left).toHaveLength(4);
    expect(left.every((e) => e.receivedAt >= clock.now() - 3 * DAY)).toBe(true);
    expect(eventsRepo.list(store.db, { limit: 50, flowId: 'f1' })).toHaveLength(4);
    const refs = store.sqlite.prepare('SELECT count(*) AS n FROM event_refs WHERE event_id NOT IN (SELECT id FROM events)').get() as { n: number };
    expect(refs.n).toBe(0);

    // The run of an expired event still has its alert; its eventId names an event that is gone.
    const oldRun = executionsRepo.get(store.db, results[0]!.executions[0]!.id)!;
    expect(eventsRepo.get(store.db, oldRun.eventId)).toBeUndefined();
    expect(executionView(oldRun)).toMatchObject({ eventId: results[0]!.eventId, alert: { fingerprint: 'fp-0', name: 'DiskFull' } });

    // Nothing more to do until time passes.
    expect(await retention.runOnce()).toBe(0);
    clock.advance(DAY);
    expect(await retention.runOnce()).toBe(1);
  });

  it('stops after its batch budget and continues at the next run', async () => {
    const { store, clock } = testEngine();
    store.writeNow((db) => {
      for (let i = 0; i < 9; i++) {
        eventsRepo.insert(db, eventRow({ id: `ev_old${i}`, receivedAt: clock.now() - 30 * DAY, path: 'p', sources: '[]', remoteAddress: null, alertCount: 0, executionCount: 0 }));
      }
    });
    const retention = new EventRetention(sqliteStore(store), clock, pino({ level: 'silent' }), { days: 14, batchSize: 2, maxBatchesPerRun: 3 });
    expect(await retention.runOnce()).toBe(6);
    expect(await retention.runOnce()).toBe(3);
    expect(eventsRepo.list(store.db, { limit: 50 })).toEqual([]);
  });
});
