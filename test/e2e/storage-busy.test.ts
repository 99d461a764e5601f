import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';

/** Storage trouble must be a 503 with Retry-After (senders retry), never a 500, and change nothing. */
describe('storage busy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    const flow = {
      format: 'salve.flow/v1',
      id: 'busy',
      name: 'busy',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'busy', auth: { type: 'none' } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'true' } },
      ],
      edges: [{ source: 'am', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('answers 503 with Retry-After while another process holds the write lock, then recovers', async () => {
    const other = new Database(join(server.dataDir, 'salve.db'));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const body = JSON.stringify(amPayload([amAlert({ fingerprint: 'busy-1' })]));
    const post = () => fetch(`${server.url}/hooks/busy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const res = await post();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as any).error.code).toBe('unavailable');
    other.exec('ROLLBACK');
    other.close();

    // The retry goes through, and exactly one execution exists for the alert.
    const retry = await post();
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { executions: string[] }).executions).toHaveLength(1);
    expect((await server.api('GET', '/api/executions?flowId=busy')).body.items).toHaveLength(1);
  });
});
