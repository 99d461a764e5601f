import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * The shipped example examples/page-oncall-pagerduty.json on a real server, with a loopback
 * stand-in for PagerDuty's Events API: a firing critical alert triggers an incident keyed by its
 * fingerprint, its resolved notification resolves the same incident, and the routing key reaches
 * PagerDuty but no stored step, event or API answer.
 */
describe('notify.pagerduty end to end (examples/page-oncall-pagerduty.json)', () => {
  const ROUTING_KEY = 'R0UTINGKEY-e2e-0123456789abcdef';
  let pd: Target;
  let server: TestServer;

  beforeAll(async () => {
    pd = await startTarget((req) => {
      const event = JSON.parse(req.body) as { routing_key: string; dedup_key: string };
      if (event.routing_key !== ROUTING_KEY) return { status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] }) };
      return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }) };
    });
    server = await startServer({
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_AM_TOKEN: 'am-token-0123456789',
        SALVE_SECRET_PD_ROUTING_KEY: ROUTING_KEY,
        SALVE_SECRET_PD_ROUTING_KEY_HOSTS: '127.0.0.1',
        // Where people reach the editor: the incident links to the run there.
        SALVE_PUBLIC_ORIGIN: 'https://salve.example.internal',
      },
    });
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'page-oncall-pagerduty.json'), 'utf8'));
    // The example points at PagerDuty; here both steps talk to the stand-in.
    for (const node of example.nodes) if (node.type === 'notify.pagerduty') node.config.baseUrl = pd.url;
    expect((await server.api('POST', '/api/flows', { ...example, enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await pd?.close();
  });

  const deliver = async (status: 'firing' | 'resolved') => {
    const res = await fetch(`${server.url}/hooks/page`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ status, fingerprint: 'fp-db1-disk' })], status)),
    });
    expect(res.status).toBe(202);
    const { executions } = (await res.json()) as { executions: string[] };
    expect(executions).toHaveLength(1);
    return waitFor(async () => {
      const exec = (await server.api('GET', `/api/executions/${executions[0]}`)).body;
      return exec.status === 'succeeded' ? exec : undefined;
    }, 15_000, `the ${status} run to finish`);
  };

  it('triggers an incident for the firing alert and resolves the same incident when it clears', async () => {
    const fired = await deliver('firing');
    expect(fired.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['am', 'critical', 'firing', 'page_oncall']);
    expect(pd.requests).toHaveLength(1);
    const trigger = JSON.parse(pd.requests[0]!.body);
    expect(pd.requests[0]!.url).toBe('/v2/enqueue');
    expect(trigger).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: 'fp-db1-disk', payload: { severity: 'critical' } });
    expect(trigger.payload.summary).toMatch(/^DiskFull on /);
    expect(trigger.links[0]).toEqual({ href: `https://salve.example.internal/#/runs/${fired.id}`, text: 'Salve run' });

    const cleared = await deliver('resolved');
    expect(cleared.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['am', 'critical', 'firing', 'resolve_page']);
    expect(JSON.parse(pd.requests[1]!.body)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'fp-db1-disk',
      client: 'Salve',
      client_url: `https://salve.example.internal/#/runs/${cleared.id}`,
    });

    // The step records what PagerDuty said, and never the routing key.
    const step = cleared.steps.find((s: { nodeId: string }) => s.nodeId === 'resolve_page');
    expect(step.output).toMatchObject({ action: 'resolve', status: 202, dedupKey: 'fp-db1-disk', message: 'Event processed' });
    const everything = JSON.stringify([fired, cleared, (await server.api('GET', '/api/events')).body]);
    expect(everything).not.toContain(ROUTING_KEY);
  });
});
