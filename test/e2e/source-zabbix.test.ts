import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zabbixSamples } from '../../nodes/source/zabbix/samples.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { hmacSha256Hex } from '../kit/hmac.js';

const SECRET = 'zabbix-e2e-media-secret';
const OLD_SECRET = 'zabbix-e2e-old-secret';

/** Salve's Zabbix media type deliveries (X-Salve-Timestamp, X-Salve-Signature), through a real server. */
describe('source.zabbix end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_ZABBIX_HMAC: SECRET, SALVE_SECRET_ZABBIX_HMAC_OLD: OLD_SECRET } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'zabbix-disk',
      name: 'Zabbix disk full',
      enabled: true,
      nodes: [
        {
          id: 'zabbix',
          type: 'source.zabbix',
          config: { path: 'zabbix', auth: { type: 'hmac', secret: [{ secret: 'ZABBIX_HMAC' }, { secret: 'ZABBIX_HMAC_OLD' }] } },
        },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.name == "DiskFull"' } },
      ],
      edges: [{ source: 'zabbix', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const send = (body: string, opts: { signedBody?: string; contentType?: string; at?: number; secret?: string } = {}) => {
    const ts = String(opts.at ?? Math.floor(Date.now() / 1000));
    const signature = hmacSha256Hex(opts.secret ?? SECRET, `${ts}:${opts.signedBody ?? body}`);
    return fetch(`${server.url}/hooks/zabbix`, {
      method: 'POST',
      headers: { 'content-type': opts.contentType ?? 'application/json', 'x-salve-timestamp': ts, 'x-salve-signature': signature },
      body,
    });
  };
  const executions = async () => (await server.api('GET', '/api/executions?flowId=zabbix-disk&limit=200')).body.items as { id: string }[];
  const problem = JSON.stringify(zabbixSamples[0]!.payload);

  it('a signed problem is accepted (202) and starts one execution with the normalized alert', async () => {
    const res = await send(problem);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[]; alerts: number };
    expect(body.alerts).toBe(1);
    expect(body.executions).toHaveLength(1);
    const run = (await server.api('GET', `/api/executions/${body.executions[0]}`)).body;
    expect(run.alert).toMatchObject({
      source: 'zabbix',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      fingerprint: '23811:40127',
      labels: { host: 'db1.example.internal', service: 'postgresql' },
      links: { source: 'https://zabbix.example.internal/tr_events.php?triggerid=23811&eventid=40127' },
    });
  });

  it('a redelivery (Zabbix retrying, re-signed) and a problem update start nothing new', async () => {
    const before = (await executions()).length;
    const again = await send(problem, { at: Math.floor(Date.now() / 1000) + 1 });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ executions: [], duplicates: 1 });
    const update = JSON.stringify({ ...(zabbixSamples[0]!.payload as object), eventUpdate: true, updateAction: 'acknowledged' });
    expect(await (await send(update)).json()).toMatchObject({ executions: [], duplicates: 1 });
    expect((await executions()).length).toBe(before);
  });

  it('a tampered body, an old timestamp or an unknown secret is refused with 401, and nothing runs', async () => {
    const before = (await executions()).length;
    const tampered = problem.replace('"severity":5', '"severity":1').replace('40127', '40128');
    for (const res of [
      await send(tampered, { signedBody: problem }),
      await send(tampered, { at: Math.floor(Date.now() / 1000) - 301 }),
      await send(tampered, { secret: 'not-the-secret' }),
    ]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('invalid or missing credentials');
    }
    expect((await executions()).length).toBe(before);
  });

  it('the previous secret still works while rotating', async () => {
    const other = JSON.stringify({ ...(zabbixSamples[0]!.payload as object), eventId: '40200', eventTimestamp: 1795520000 });
    const res = await send(other, { secret: OLD_SECRET });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { executions: string[] }).executions).toHaveLength(1);
  });

  it('415 for anything but application/json', async () => {
    expect((await send(problem, { contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
  });

  it('the recovery is recorded and starts nothing; 422 names a field the media type did not fill', async () => {
    const before = (await executions()).length;
    const res = await send(JSON.stringify(zabbixSamples[1]!.payload));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ alerts: 1, executions: [] });
    const bad = await send(JSON.stringify({ ...(zabbixSamples[0]!.payload as object), triggerId: '' }));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('triggerId');
    expect((await executions()).length).toBe(before);
  });
});
