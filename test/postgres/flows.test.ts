import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import { FlowService } from '../../runtime/engine/flows/flow-service.js';
import { ManualClock } from '../kit/engine.js';
import { flowDoc } from '../kit/flow.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';

/**
 * The flow service on PostgreSQL with several processes: what one saves, another notices at its
 * next look (and rebuilds its routes), and two saves of the same flow at once cannot both win.
 */

const actor = { name: 'ana', via: 'session' as const, identity: 'user:ana' };

describe.runIf(postgresAvailable)('flows shared by several processes on PostgreSQL', () => {
  const processes = postgresProcesses();

  /** One process's flow service; `changes` counts its onChange calls (its route rebuilds). */
  const openProcess = async (url: string) => {
    const { store } = await processes.open(url);
    const process = { changes: 0, flows: undefined as unknown as FlowService };
    process.flows = new FlowService(store, new ManualClock(), async () => {
      process.changes++;
    });
    return process;
  };

  const setup = async () => {
    const database = await processes.database();
    const a = await openProcess(database.url);
    const b = await openProcess(database.url);
    // Each looks once at start (as the engine builds its routes).
    await a.flows.refreshIfChanged();
    await b.flows.refreshIfChanged();
    a.changes = 0;
    b.changes = 0;
    return { a, b };
  };

  it('a flow saved, changed or deleted through one process is noticed by the other at its next look, once', async () => {
    const { a, b } = await setup();
    expect(await b.flows.refreshIfChanged()).toBe(false);

    await a.flows.create(flowDoc({ id: 'disk-full' }), actor);
    expect(a.changes).toBe(1);
    // The saving process rebuilt already: nothing new for it.
    expect(await a.flows.refreshIfChanged()).toBe(false);
    expect(await b.flows.refreshIfChanged()).toBe(true);
    expect(b.changes).toBe(1);
    expect((await b.flows.enabledRows()).map((r) => r.id)).toEqual(['disk-full']);
    expect(await b.flows.refreshIfChanged()).toBe(false);

    await a.flows.setEnabled('disk-full', false, actor);
    expect(await b.flows.refreshIfChanged()).toBe(true);
    expect(await b.flows.enabledRows()).toEqual([]);

    await b.flows.delete('disk-full', actor);
    expect(await a.flows.refreshIfChanged()).toBe(true);
    expect(await a.flows.list()).toEqual([]);
    expect([a.changes, b.changes]).toEqual([3, 3]);
  });

  it('a refused save changes nothing and is not a change; two edits of the same revision at once: one wins, the other is a 409', async () => {
    const { a, b } = await setup();
    const saved = await a.flows.create(flowDoc({ id: 'disk-full' }), actor);
    await b.flows.refreshIfChanged();
    await expect(a.flows.create(flowDoc({ id: 'disk-full' }), actor)).rejects.toBeInstanceOf(ConflictError);
    expect(await b.flows.refreshIfChanged()).toBe(false);

    const edits = await Promise.allSettled([
      a.flows.update('disk-full', flowDoc({ id: 'disk-full', name: 'From a' }), saved.revision, actor),
      b.flows.update('disk-full', flowDoc({ id: 'disk-full', name: 'From b' }), saved.revision, actor),
    ]);
    expect(edits.map((e) => e.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = edits.find((e) => e.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    const winner = edits.find((e) => e.status === 'fulfilled') as PromiseFulfilledResult<{ revision: number; flow: { name: string } }>;
    const current = await b.flows.get('disk-full');
    expect(current).toMatchObject({ revision: saved.revision + 1, flow: { name: winner.value.flow.name } });
    expect((await a.flows.revisions('disk-full')).map((r) => r.revision)).toEqual([saved.revision + 1, saved.revision]);
  });
});
