import { describe, expect, it } from 'vitest';
import { executionsRepo } from '../../store/executions-repo.js';
import { testEngine } from '../../../test/kit/engine.js';

/** Ingest hands the engine's clock to the source: an alert whose payload names no time gets the engine's now. */
describe('ingest and the clock', () => {
  it('stamps an alert whose payload names no time with the engine clock, not the system clock', async () => {
    const kit = testEngine();
    await kit.engine.start();
    await kit.engine.flows.create(
      {
        format: 'salve.flow/v1',
        id: 'backups',
        name: 'Backups',
        enabled: true,
        nodes: [{ id: 'hook', type: 'source.webhook', config: { path: 'backups', auth: { type: 'none' }, mapping: { name: 'event.title' } } }],
        edges: [],
      },
      { name: 'test', via: 'token' },
    );
    kit.clock.advance(-86_400_000 * 365 * 3); // three years before the test kit's default: far from the system clock
    const result = await kit.engine.ingest('backups', {
      headers: { 'content-type': 'application/json' },
      rawBody: new TextEncoder().encode(JSON.stringify({ title: 'Backup failed' })),
    });
    expect(result.executions).toHaveLength(1);
    const alert = JSON.parse(executionsRepo.get(kit.store.db, result.executions[0]!.id)!.alert) as { startsAt: string };
    expect(alert.startsAt).toBe(new Date(kit.clock.now()).toISOString());
    await kit.engine.shutdown(0);
    kit.store.close();
  });
});
