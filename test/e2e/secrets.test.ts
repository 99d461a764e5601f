import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';

const SECRET = 'target-secret-value-42';

/** Secrets are resolved only to run a step; what is stored and served never contains them. */
describe('secrets', () => {
  let server: TestServer;
  let target: Target;
  beforeAll(async () => {
    // A careless target that echoes the request headers back.
    target = await startTarget((req) => ({ status: 200, body: JSON.stringify({ youSent: req.headers }) }));
    // The target is on loopback: allowed explicitly, and the secret may be sent there.
    server = await startServer({ env: { SALVE_SECRET_TARGET_TOKEN: SECRET, SALVE_SECRET_TARGET_TOKEN_HOSTS: '127.0.0.1', SALVE_ALLOWED_TARGETS: '127.0.0.1' } });
  });
  afterAll(async () => {
    await server?.stop();
    await target?.close();
    if (server) removeDir(server.dataDir);
  });

  it('sends the secret, stores the reference, and scrubs echoes from the output', async () => {
    const flow = {
      format: 'salve.flow/v1',
      id: 'secrets',
      name: 'secrets',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'sec', auth: { type: 'none' } } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/x`, headers: { 'X-Token': { secret: 'TARGET_TOKEN' } } } },
        { id: 'echo', type: 'action.shell', config: { command: ['printenv', 'TOKEN'], env: { TOKEN: { secret: 'TARGET_TOKEN' } } } },
      ],
      edges: [
        { source: 'am', target: 'call' },
        { source: 'call', sourcePort: 'ok', target: 'echo' },
      ],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/sec`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    const id = ((await res.json()) as { executions: string[] }).executions[0]!;
    const done = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'succeeded' ? e : undefined;
    }, 10_000, 'the execution');

    expect(target.requests[0]!.headers['x-token']).toBe(SECRET); // it was really sent
    const call = done.steps.find((s: any) => s.nodeId === 'call');
    expect(call.config.headers['X-Token']).toEqual({ secret: 'TARGET_TOKEN' });
    expect(call.output.body.youSent['x-token']).toBe('***');
    const echo = done.steps.find((s: any) => s.nodeId === 'echo');
    expect(echo.output.stdout).toBe('***\n');
    expect(JSON.stringify(done)).not.toContain(SECRET);
    expect(server.output()).not.toContain(SECRET);
  });

  it('fails the step clearly when a referenced secret is not set', async () => {
    const flow = {
      format: 'salve.flow/v1',
      id: 'unset',
      name: 'unset',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'unset', auth: { type: 'none' } } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/x`, headers: { 'X-Token': { secret: 'NOPE' } } } },
      ],
      edges: [{ source: 'am', target: 'call' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/unset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    const id = ((await res.json()) as { executions: string[] }).executions[0]!;
    const done = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'failed' ? e : undefined;
    }, 10_000, 'the execution to fail');
    expect(done.error).toContain('secret NOPE is not set (environment variable SALVE_SECRET_NOPE, or store it: Secrets page, salve secrets set NOPE)');
  });

  it('uses a stored secret for the next run: sent only where its host list allows, scrubbed like the others', async () => {
    const STORED = 'stored-target-secret-9d41';
    const flow = {
      format: 'salve.flow/v1',
      id: 'stored',
      name: 'stored',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'stored', auth: { type: 'none' } } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/stored`, headers: { 'X-Token': { secret: 'STORED_TOKEN' } } } },
      ],
      edges: [{ source: 'am', target: 'call' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    let runs = 0;
    const run = async () => {
      const alert = amAlert({ fingerprint: `stored-${++runs}` }); // a new alert each time, not a duplicate
      const res = await fetch(`${server.url}/hooks/stored`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([alert])) });
      const id = ((await res.json()) as { executions: string[] }).executions[0]!;
      return waitFor(async () => {
        const e = (await server.api('GET', `/api/executions/${id}`)).body;
        return ['succeeded', 'failed'].includes(e.status) ? e : undefined;
      }, 10_000, 'the execution to end');
    };
    expect((await server.api('PUT', '/api/secrets/STORED_TOKEN', { value: STORED })).status).toBe(201);
    const refused = await run();
    expect(refused.status).toBe('failed');
    expect(JSON.stringify(refused)).toContain('secret STORED_TOKEN may not be sent to 127.0.0.1 (for http://127.0.0.1');
    expect(JSON.stringify(refused)).toContain('the host list of stored secret STORED_TOKEN is not set');
    expect(target.requests.some((r) => r.url === '/stored')).toBe(false);

    expect((await server.api('PUT', '/api/secrets/STORED_TOKEN', { hosts: ['127.0.0.1'] })).status).toBe(200);
    const sent = await run();
    expect(sent.status).toBe('succeeded');
    expect(target.requests.find((r) => r.url === '/stored')!.headers['x-token']).toBe(STORED);
    expect(sent.steps.find((s: any) => s.nodeId === 'call').output.body.youSent['x-token']).toBe('***');
    expect(JSON.stringify(sent)).not.toContain(STORED);
    expect(server.output()).not.toContain(STORED);
  });
});
