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
  output: Record<string, unknown>;
}

/**
 * The shipped example examples/restart-and-verify.json on a real server, with a loopback host
 * agent: the restart is followed by a probe of /health. A healthy answer ends the run there; an
 * unhealthy one takes the check's `fail` port to the escalation, which receives the reason.
 */
describe('check.http end to end (examples/restart-and-verify.json)', () => {
  let health: unknown = { status: 'ok' };
  let agent: Target;
  let server: TestServer;

  beforeAll(async () => {
    agent = await startTarget((req) => (req.url.startsWith('/health') ? { status: 200, body: JSON.stringify(health) } : { status: 200, body: '{"ok":true}' }));
    server = await startServer({ env: { SALVE_ALLOWED_TARGETS: '127.0.0.1', SALVE_SECRET_AM_TOKEN: 'am-token-0123456789' } });
    const text = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'restart-and-verify.json'), 'utf8');
    // The example talks to an agent on 127.0.0.1:9100; here, to the test's own, and waits 1 s rather than 10.
    const example = JSON.parse(text.replaceAll('http://127.0.0.1:9100', agent.url));
    for (const node of example.nodes) if (node.id === 'settle') node.config.seconds = 1;
    expect((await server.api('POST', '/api/flows', { ...example, enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await agent?.close();
  });

  // Each run a different alert: a repeat of the same one would be recognized as a duplicate.
  const deliver = async (fingerprint: string) => {
    const res = await fetch(`${server.url}/hooks/restart`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ alertname: 'ServiceDown', fingerprint })])),
    });
    expect(res.status).toBe(202);
    const { executions } = (await res.json()) as { executions: string[] };
    expect(executions).toHaveLength(1);
    return waitFor(async () => {
      const exec = (await server.api('GET', `/api/executions/${executions[0]}`)).body;
      return exec.status === 'succeeded' || exec.status === 'failed' ? exec : undefined;
    }, 20_000, 'the run to finish');
  };
  const paths = () => agent.requests.map((r) => `${r.method} ${r.url}`);

  it('ends after the check when the restarted service is healthy again', async () => {
    health = { status: 'ok' };
    const before = agent.requests.length;
    const exec = await deliver('fp-healthy');
    expect(exec.status).toBe('succeeded');
    expect(exec.steps.map((s: Step) => s.nodeId)).toEqual(['am', 'restart', 'settle', 'verify_http']);
    const check = exec.steps.find((s: Step) => s.nodeId === 'verify_http') as Step;
    expect(check.status).toBe('succeeded');
    expect(check.output).toMatchObject({ status: 200, passed: true, body: { status: 'ok' }, headers: { 'content-type': 'application/json' } });
    expect(paths().slice(before)).toEqual(['POST /restart?service=postgresql', 'GET /health?service=postgresql']);
  });

  it('escalates with the reason when the check does not pass (the check itself succeeds)', async () => {
    health = { status: 'degraded' };
    const before = agent.requests.length;
    const exec = await deliver('fp-degraded');
    expect(exec.status).toBe('succeeded');
    expect(exec.steps.map((s: Step) => s.nodeId)).toEqual(['am', 'restart', 'settle', 'verify_http', 'escalate']);
    const check = exec.steps.find((s: Step) => s.nodeId === 'verify_http') as Step;
    expect(check.status).toBe('succeeded');
    expect(check.output).toMatchObject({ status: 200, passed: false, body: { status: 'degraded' } });
    expect(paths().slice(before)).toEqual(['POST /restart?service=postgresql', 'GET /health?service=postgresql', 'POST /escalate']);
    const escalation = JSON.parse(agent.requests.at(-1)!.body) as { alert: string; why: string };
    expect(escalation.alert).toMatch(/^ServiceDown on /);
    expect(escalation.why).toMatch(/^the expectation was false: response\.status == 200 && response\.body\.status == "ok" \(GET http:\/\/127\.0\.0\.1:\d+\/health answered 200\)$/);
  });
});
