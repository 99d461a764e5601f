import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaSamples } from '../../nodes/source/grafana/samples.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { hmacSha256Hex } from '../kit/hmac.js';

const SECRET = 'grafana-e2e-hmac-secret';

/** A Grafana contact point signing with HMAC and a timestamp header, through a real server. */
describe('source.grafana end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_GRAFANA_HMAC: SECRET } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'grafana-disk',
      name: 'Grafana disk full',
      enabled: true,
      nodes: [
        {
          id: 'grafana',
          type: 'source.grafana',
          config: { path: 'grafana', auth: { type: 'hmac', secret: { secret: 'GRAFANA_HMAC' }, timestampHeader: 'X-Grafana-Alerting-Timestamp' } },
        },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
      ],
      edges: [{ source: 'grafana', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  /** Posts `body` as Grafana does, signed over `signedBody` (the same bytes unless a test tampers). */
  const send = (body: string, opts: { signedBody?: string; contentType?: string; at?: number } = {}) => {
    const ts = String(opts.at ?? Math.floor(Date.now() / 1000));
    const signature = hmacSha256Hex(SECRET, `${ts}:${opts.signedBody ?? body}`);
    return fetch(`${server.url}/hooks/grafana`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        'user-agent': 'Grafana',
        'x-grafana-alerting-timestamp': ts,
        'x-grafana-alerting-signature': signature,
      },
      body,
    });
  };
  const executions = async () => (await server.api('GET', '/api/executions?flowId=grafana-disk&limit=200')).body.items as { id: string }[];
  const firing = JSON.stringify(grafanaSamples[0]!.payload);

  it('a signed delivery is accepted (202) and starts one execution with the normalized alert', async () => {
    const res = await send(firing);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[]; alerts: number; duplicates: number };
    expect(body).toMatchObject({ alerts: 1, duplicates: 0 });
    expect(body.executions).toHaveLength(1);
    const run = (await server.api('GET', `/api/executions/${body.executions[0]}`)).body;
    expect(run.alert).toMatchObject({
      source: 'grafana',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      fingerprint: '3f1c9a27d4e8b650',
      links: { dashboard: 'https://grafana.example.internal/d/node-disk/node-disk?orgId=1' },
    });
  });

  it('the same alert delivered again (a new signature, a later timestamp) starts nothing', async () => {
    const before = (await executions()).length;
    const res = await send(firing, { at: Math.floor(Date.now() / 1000) + 2 });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ executions: [], duplicates: 1 });
    expect((await executions()).length).toBe(before);
  });

  it('a tampered body is refused with 401 without detail, and nothing runs', async () => {
    const before = (await executions()).length;
    const other = grafanaSamples[0]!.payload as any;
    const tampered = JSON.stringify({ ...other, alerts: [{ ...other.alerts[0], fingerprint: 'tampered00000001' }] });
    const res = await send(tampered, { signedBody: firing });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('invalid or missing credentials');
    // Expired signature: same.
    expect((await send(tampered, { at: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await executions()).length).toBe(before);
  });

  it('415 for anything but application/json', async () => {
    const res = await send(firing, { contentType: 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('the resolved delivery is recorded but starts nothing (the source says on: firing)', async () => {
    const before = (await executions()).length;
    const res = await send(JSON.stringify(grafanaSamples[1]!.payload));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ alerts: 1, executions: [] });
    expect((await executions()).length).toBe(before);
  });
});
