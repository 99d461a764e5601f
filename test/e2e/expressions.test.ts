import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { flowDoc, type NodeDoc } from '../kit/flow.js';

/** Expressions over sender data, through a real server: odd label names, and the evaluation budget. */
describe('expressions over alert data', () => {
  let server: TestServer;
  const flow = (id: string, source: NodeDoc, expression: string) =>
    flowDoc({ id, source, nodes: [{ id: 'check', type: 'condition.expr', config: { expression } }], edges: [{ source: source.id, target: 'check' }] });

  beforeAll(async () => {
    server = await startServer();
    const created = await Promise.all([
      server.api(
        'POST',
        '/api/flows',
        flow('odd-am', { id: 'am', type: 'source.alertmanager', config: { path: 'odd-am', auth: { type: 'none' } } }, 'alert.labels["__proto__"] == "p" && "constructor" in alert.labels && alert.labels.toString == "t"'),
      ),
      server.api(
        'POST',
        '/api/flows',
        flow('odd-hook', { id: 'hook', type: 'source.webhook', config: { path: 'odd-hook', auth: { type: 'none' }, mapping: { name: 'event.title', labels: 'event.labels' } } }, 'alert.labels.constructor == "c"'),
      ),
      server.api(
        'POST',
        '/api/flows',
        flow('items', { id: 'hook', type: 'source.webhook', config: { path: 'items', auth: { type: 'none' }, mapping: { name: 'event.items.exists(i, i == "needle") ? "found" : "none"' } } }, 'true'),
      ),
    ]);
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const finished = (id: string) =>
    waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'succeeded' || e.status === 'no_action' || e.status === 'failed' ? e : undefined;
    }, 15_000, `execution ${id} to finish`);

  it('refuses (422) a flow whose condition gives no true/false or reads a step that does not run before it, naming the field', async () => {
    const am = { id: 'am', type: 'source.alertmanager', config: { path: 'typed', auth: { type: 'none' } } };
    const issuesOf = (res: { status: number; body: { error: { details: { issues: { path: (string | number)[]; message: string }[] } } } }) => {
      expect(res.status).toBe(422);
      return res.body.error.details.issues;
    };
    expect(issuesOf(await server.api('POST', '/api/flows', flow('typed', am, 'alert.severity')))).toEqual([
      {
        path: ['nodes', 1, 'config', 'expression'],
        message: 'node "check": CEL expression "alert.severity" is invalid: this condition gives a string, not true/false: compare it, e.g. alert.severity == "critical"',
      },
    ]);
    // Saved once valid, then updated to read a step that does not exist: the same check on PUT.
    expect((await server.api('POST', '/api/flows', flow('typed', am, 'alert.severity == "critical"'))).status).toBe(201);
    const [issue] = issuesOf(await server.api('PUT', '/api/flows/typed', { revision: 1, flow: flow('typed', am, 'steps.nosuch.status == 200') }));
    expect(issue).toEqual({ path: ['nodes', 1, 'config', 'expression'], message: expect.stringContaining('no step named "nosuch" in this flow (it can read steps.am)') });
    expect((await server.api('GET', '/api/flows/typed')).body.revision).toBe(1);
  });

  it('ingests Alertmanager labels named __proto__, constructor and toString as labels the condition reads', async () => {
    const payload = amPayload([amAlert({ fingerprint: 'odd-1' })]) as { alerts: { labels: Record<string, string> }[] };
    payload.alerts[0]!.labels = { ...payload.alerts[0]!.labels, constructor: 'c', toString: 't' };
    // A __proto__ key can only be written into JSON text (in an object literal it sets the prototype).
    const body = JSON.stringify(payload).replace('"constructor":"c"', '"__proto__":"p","constructor":"c"');
    const res = await post('odd-am', body);
    expect(res.status).toBe(202);
    const [id] = ((await res.json()) as { executions: string[] }).executions;
    const done = await finished(id!);
    // The flow only has a condition: the run ends without an action, and not failed.
    expect(done.status).toBe('no_action');
    expect(done.steps.find((s: { nodeId: string }) => s.nodeId === 'check')).toMatchObject({ port: 'true', output: true });
    // Stored and served back as plain labels.
    const raw = await (await fetch(`${server.url}/api/executions/${id}`, { headers: { authorization: `Bearer ${server.token}` } })).text();
    expect(raw).toContain('"__proto__":"p","constructor":"c","toString":"t"');
  });

  it('maps a sender event whose keys are named constructor or __proto__ (was a 422 "Unsupported type: object")', async () => {
    const res = await post('odd-hook', '{"title": "Odd", "labels": {"constructor": "c", "__proto__": "p"}}');
    expect(res.status).toBe(202);
    const [id] = ((await res.json()) as { executions: string[] }).executions;
    expect((await finished(id!)).steps.find((s: { nodeId: string }) => s.nodeId === 'check')).toMatchObject({ port: 'true' });
  });

  it('refuses (422) a delivery whose mapping would run past the evaluation budget, and keeps serving', async () => {
    // About 120,000 elements in a 256 KiB body: more loop steps than one delivery may take.
    const res = await post('items', { items: Array.from({ length: 120_000 }, () => 0) });
    expect(res.status).toBe(422);
    const error = ((await res.json()) as { error: { message: string; details: { issues: { path: string[]; message: string }[] } } }).error;
    expect(error.details.issues[0]!.path).toEqual(['mapping', 'name']);
    expect(error.details.issues[0]!.message).toMatch(/expression stopped: it (took more than 100,000 loop steps|ran longer than 50 ms)/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await post('items', { items: ['needle'] })).status).toBe(202);
  });

  it('refuses to save a flow whose expression could explode, naming the node, the field and the loops', async () => {
    const L = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
    const explosive = `${Array.from({ length: 8 }, (_, i) => `${L}.all(x${i}, `).join('')}true${')'.repeat(8)}`;
    const res = await server.api('POST', '/api/flows', flow('boom', { id: 'am', type: 'source.alertmanager', config: { path: 'boom', auth: { type: 'none' } } }, explosive));
    expect(res.status).toBe(422);
    const [issue] = res.body.error.details.issues;
    expect(issue.path).toEqual(['nodes', 1, 'config', 'expression']);
    expect(issue.message).toMatch(/nested loops could run about 111,111,110 steps \(limit 100,000\)/);
  });

  it('refuses (422) an alert whose identity field is beyond the limit every source is held to', async () => {
    const payload = amPayload([amAlert({ fingerprint: 'f'.repeat(17 * 1024) })]);
    const res = await post('odd-am', payload);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { details: { issues: { path: string[] }[] } } }).error.details.issues[0]!.path).toEqual(['alert', 'fingerprint']);
  });
});
