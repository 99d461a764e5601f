import { afterAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { amSource, flowDoc } from '../kit/flow.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { nextMillisecond, waitFor } from '../kit/wait.js';

const PASSWORD = 'correct horse battery staple';

/**
 * Guard rails through a real server: a flow allowed to act on 2 hosts per 10 minutes gets alerts
 * for three. The third host's run is created held (visible in Runs and in the event's matches,
 * counted in /metrics), nothing runs for it, until an operator releases it: then it runs.
 */
describe('guard rails (e2e)', () => {
  let server: TestServer;
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('blast radius 2 hosts: the third host is held, shown, and runs once an operator releases it', async () => {
    server = await startServer();
    expect((await server.api('POST', '/api/teams', { id: 'ops', name: 'Operations' })).status).toBe(201);
    const flow = {
      ...flowDoc({
        id: 'restart',
        source: amSource({ path: 'infra' }),
        nodes: [{ id: 'echo', type: 'action.shell', config: { command: ['echo', 'restart {{ alert.labels.instance }}'] } }],
        edges: [{ source: 'am', target: 'echo' }],
      }),
      limits: { target: { key: 'alert.labels.instance' }, blastRadius: { targets: 2, window: 600 } },
    };
    expect((await server.api('POST', '/api/flows?team=ops', flow)).status).toBe(201);
    expect((await server.api('POST', '/api/users', { username: 'olga', displayName: 'Olga', password: PASSWORD, roles: [{ team: 'ops', roles: ['viewer', 'operator'] }] })).status).toBe(201);
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, 'user-agent': 'e2e-browser' },
      body: JSON.stringify({ username: 'olga', password: PASSWORD }),
    });
    const cookie = /^(salve_session=[^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const olga = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(server.url + path, { method, headers: { cookie, origin: server.url, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      return { status: res.status, body: (await res.json()) as any };
    };

    const hosts = ['web-1', 'web-2', 'web-3'];
    const ids: string[] = [];
    let lastEvent = '';
    for (const [i, instance] of hosts.entries()) {
      await nextMillisecond();
      const res = await fetch(`${server.url}/hooks/infra`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(amPayload([amAlert({ instance, fingerprint: `fp-${i}` })])),
      });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { eventId: string; executions: string[] };
      ids.push(body.executions[0]!);
      lastEvent = body.eventId;
    }
    const status = async (id: string) => (await server.api('GET', `/api/executions/${id}`)).body.status as string;
    await waitFor(async () => (await status(ids[0]!)) === 'succeeded' && (await status(ids[1]!)) === 'succeeded', 20_000, 'the first two hosts remediated');

    const held = (await server.api('GET', '/api/executions?status=held')).body.items;
    expect(held.map((e: any) => e.id)).toEqual([ids[2]]);
    expect(held[0]).toMatchObject({
      targetKey: 'web-3',
      held: { limit: 'blastRadius', reason: 'blastRadius: 2 targets (web-1, web-2) already acted on in the last 10 min; at most 2 per 10 min, and web-3 would be one more' },
    });
    const event = (await server.api('GET', `/api/events/${lastEvent}`)).body;
    expect(event.outcome).toBe('accepted');
    expect(event.matches).toEqual([expect.objectContaining({ flowId: 'restart', result: 'held', executionId: ids[2], reason: held[0].held.reason })]);
    expect((await server.api('GET', `/api/executions/${ids[2]}`)).body.steps).toEqual([]);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
    expect(metrics).toContain('salve_executions_held_total{flow="restart",limit="blastRadius"} 1');

    const released = await olga('POST', `/api/executions/${ids[2]}/release`, { comment: 'web-3 checked by hand' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'queued', released: { comment: 'web-3 checked by hand' } });
    await waitFor(async () => (await status(ids[2]!)) === 'succeeded', 20_000, 'the released run ran');
    const steps = (await server.api('GET', `/api/executions/${ids[2]}`)).body.steps;
    expect(steps.find((s: any) => s.nodeId === 'echo')?.output?.stdout ?? JSON.stringify(steps)).toContain('restart web-3');
  }, 60_000);
});
