import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

interface Step {
  nodeId: string;
  status: string;
  port: string | null;
  output: Record<string, unknown>;
}

/** An example file, pointed at the test's agent instead of 127.0.0.1:9100, waiting 1 s rather than 10. */
function example(name: string, agentUrl: string) {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'examples', name), 'utf8');
  const flow = JSON.parse(text.replaceAll('http://127.0.0.1:9100', agentUrl));
  for (const node of flow.nodes) if (node.type === 'action.delay') node.config.seconds = 1;
  return flow;
}

/**
 * The shipped pair examples/call-procedure.json and examples/call-procedure-restart.json on a real
 * server: the caller runs the procedure as a child run, waits for it, and escalates when it failed
 * or its health check did not pass.
 */
describe('flow.call end to end (examples/call-procedure*.json)', () => {
  let health: unknown = { status: 'ok' };
  let restartStatus = 200;
  let agent: Target;
  let server: TestServer;

  beforeAll(async () => {
    agent = await startTarget((req) =>
      req.url.startsWith('/health') ? { status: 200, body: JSON.stringify(health) } : req.url.startsWith('/restart') ? { status: restartStatus, body: '{}' } : { status: 200, body: '{"ok":true}' },
    );
    server = await startServer({ env: { SALVE_ALLOWED_TARGETS: '127.0.0.1', SALVE_SECRET_AM_TOKEN: 'am-token-0123456789' } });
    // The procedure first: a call to a flow that does not exist is refused when saved.
    expect((await server.api('POST', '/api/flows', example('call-procedure-restart.json', agent.url))).status).toBe(201);
    expect((await server.api('POST', '/api/flows', { ...example('call-procedure.json', agent.url), enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await agent?.close();
  });

  const deliver = async (fingerprint: string) => {
    const res = await fetch(`${server.url}/hooks/service-down`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ alertname: 'ServiceDown', fingerprint })])),
    });
    expect(res.status).toBe(202);
    const { executions } = (await res.json()) as { executions: string[] };
    return waitFor(async () => {
      const exec = (await server.api('GET', `/api/executions/${executions[0]}`)).body;
      return ['succeeded', 'failed', 'no_action'].includes(exec.status) ? exec : undefined;
    }, 20_000, 'the calling run to finish');
  };
  const escalations = () => agent.requests.filter((r) => r.url === '/escalate').map((r) => JSON.parse(r.body) as { why: string; run: string });

  it('calls the procedure with the alert’s service and ends there when the service is healthy again', async () => {
    health = { status: 'ok' };
    restartStatus = 200;
    const exec = await deliver('fp-healthy');
    expect(exec.steps.map((s: Step) => [s.nodeId, s.port])).toEqual([
      ['am', 'out'],
      ['call_restart', 'ok'],
      ['healthy', 'true'],
    ]);
    const child = (await server.api('GET', `/api/executions/${exec.children[0].id}`)).body;
    expect(child).toMatchObject({ flowId: 'restart-service-procedure', status: 'succeeded', parentExecutionId: exec.id, callDepth: 1 });
    expect(child.steps.map((s: Step) => s.nodeId)).toEqual(['start', 'restart', 'settle', 'verify_http']);
    expect(agent.requests.find((r) => r.url.startsWith('/restart'))?.url).toBe('/restart?service=postgresql');
    expect(escalations()).toEqual([]);
  });

  it('escalates with the reason when the procedure failed', async () => {
    restartStatus = 500;
    const exec = await deliver('fp-broken');
    const call = exec.steps.find((s: Step) => s.nodeId === 'call_restart') as Step;
    expect([call.status, call.port]).toEqual(['failed', 'error']);
    expect(exec.status).toBe('succeeded');
    expect(escalations().at(-1)).toEqual({ alert: 'ServiceDown on db1.example.internal:9100', why: 'the restart procedure ended failed', run: exec.children[0].id });
  });

  it('escalates when the procedure ran but the service is still unhealthy', async () => {
    restartStatus = 200;
    health = { status: 'degraded' };
    const exec = await deliver('fp-degraded');
    expect(exec.steps.map((s: Step) => [s.nodeId, s.port])).toEqual([
      ['am', 'out'],
      ['call_restart', 'ok'],
      ['healthy', 'false'],
      ['escalate', 'ok'],
    ]);
    expect(escalations().at(-1)!.why).toBe('the service is not healthy after the restart');
  });
});
