import { describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../../test/kit/alertmanager.js';
import { flowDoc } from '../../test/kit/flow.js';
import { JSON_TYPE, TEST_TOKEN, testApp } from '../../test/kit/http.js';

describe('POST /api/flows/simulate', () => {
  it("runs at the engine's time, not the wall clock (an alert without a start time starts at the engine's now)", async () => {
    const { app, clock } = testApp();
    clock.advance(3 * 60 * 60 * 1000);
    const flow = flowDoc({ id: 'by-hand', source: { id: 'by_hand', type: 'source.manual', config: {} } });
    const res = await app.request('/api/flows/simulate', {
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify({ flow, source: 'manual', payload: { name: 'Disk full' } }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { alerts: { alert: { startsAt: string } }[] };
    expect(body.alerts[0]!.alert.startsAt).toBe(new Date(clock.now()).toISOString());
    expect(body.alerts[0]!.alert.startsAt).toBe('2026-11-24T03:00:00.000Z');
  });

  it('sends the payload to the source node named, when the flow has two of that type', async () => {
    const { app } = testApp();
    const flow = flowDoc({
      id: 'two-paths',
      nodes: [
        { id: 'am_db', type: 'source.alertmanager', config: { path: 'db', auth: { type: 'none' }, on: 'both' } },
      ],
    });
    const simulate = (extra: Record<string, unknown>) =>
      app.request('/api/flows/simulate', {
        method: 'POST',
        headers: { ...JSON_TYPE, authorization: `Bearer ${TEST_TOKEN}` },
        body: JSON.stringify({ flow, source: 'alertmanager', payload: amPayload([amAlert({ status: 'resolved' })]), ...extra }),
      });
    const first = (await (await simulate({})).json()) as { alerts: { sourceNodeId: string; starts: boolean }[] };
    expect(first.alerts[0]).toMatchObject({ sourceNodeId: 'am', starts: false });
    const named = (await (await simulate({ sourceNodeId: 'am_db' })).json()) as { alerts: { sourceNodeId: string; starts: boolean }[] };
    // The second node's own config (on: both) decides: the resolved alert starts a run there.
    expect(named.alerts[0]).toMatchObject({ sourceNodeId: 'am_db', starts: true });

    const wrong = await simulate({ sourceNodeId: 'nosuch' });
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(await wrong.json())).toContain('sourceNodeId');
  });
});

describe('flows that call flows (flow.call)', () => {
  const procedure = flowDoc({ id: 'restart-procedure', enabled: false, source: { id: 'start', type: 'source.manual', config: {} } });
  const caller = (flow: string) =>
    flowDoc({ id: 'caller', nodes: [{ id: 'call', type: 'flow.call', config: { flow } }], edges: [{ source: 'am', target: 'call' }] });

  it('answers 422 naming nodes[i].config.flow for a missing called flow, and 409 naming the callers when deleting a called one', async () => {
    const { app } = testApp();
    const send = (method: string, path: string, body?: unknown) =>
      app.request(path, { method, headers: { ...JSON_TYPE, authorization: `Bearer ${TEST_TOKEN}` }, ...(body ? { body: JSON.stringify(body) } : {}) });

    const missing = await send('POST', '/api/flows', caller('restart-procedure'));
    expect(missing.status).toBe(422);
    const issues = ((await missing.json()) as { error: { details: { issues: { path: unknown[]; message: string }[] } } }).error.details.issues;
    expect(issues).toEqual([{ path: ['nodes', 1, 'config', 'flow'], message: 'flow "restart-procedure" does not exist: save it first (a called flow must exist)' }]);

    expect((await send('POST', '/api/flows', procedure)).status).toBe(201);
    expect((await send('POST', '/api/flows', caller('restart-procedure'))).status).toBe(201);
    const del = await send('DELETE', '/api/flows/restart-procedure');
    expect(del.status).toBe(409);
    expect(JSON.stringify(await del.json())).toContain('flow \\"restart-procedure\\" is called by \\"caller\\"');
    expect((await send('DELETE', '/api/flows/caller')).status).toBe(204);
    expect((await send('DELETE', '/api/flows/restart-procedure')).status).toBe(204);
  });
});
