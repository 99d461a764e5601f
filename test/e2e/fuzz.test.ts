import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';

/**
 * Thousands of malformed deliveries to /hooks: random text, random JSON, wrong shapes, deep
 * nesting, oversized bodies, wrong or missing Content-Type, with and without the token.
 * Every answer must be 2xx or 4xx — never 5xx — and the server must stay up.
 */
const AM_TOKEN = 'fuzz-token-0123456789';

describe('webhook fuzzing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'fuzz',
      name: 'fuzz target',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'fuzz', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
      ],
      edges: [{ source: 'am', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const jsonish = fc.oneof(
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string(),
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.integer({ min: 1000, max: 6000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 1000, max: 6000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    fc.integer({ min: 200_000, max: 400_000 }).map((n) => JSON.stringify({ pad: 'x'.repeat(n) })),
    // Valid-ish Alertmanager payloads with one field broken.
    fc
      .record({
        field: fc.constantFrom('alerts', 'labels', 'status', 'startsAt', 'fingerprint', 'version', 'annotations'),
        value: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.string()), fc.dictionary(fc.string(), fc.jsonValue())),
      })
      .map(({ field, value }) => {
        const p: any = amPayload([amAlert({ fingerprint: `f${Math.random()}` })]);
        if (field in p) p[field] = value;
        else p.alerts[0][field] = value;
        return JSON.stringify(p);
      }),
    // Fully valid payloads, so the accepting path is exercised too.
    fc.string({ minLength: 1, maxLength: 12 }).map((fp) => JSON.stringify(amPayload([amAlert({ fingerprint: fp })]))),
  );

  const request = fc.record({
    body: jsonish,
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/x-www-form-urlencoded', 'APPLICATION/JSON'),
    auth: fc.constantFrom(`Bearer ${AM_TOKEN}`, 'Bearer wrong', '', 'Basic Zm9vOmJhcg==', `bearer ${AM_TOKEN}`),
  });

  it('never answers 5xx and never crashes', async () => {
    const counts = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ body, contentType, auth }) => {
        const headers: Record<string, string> = {};
        if (contentType) headers['content-type'] = contentType;
        if (auth) headers.authorization = auth;
        const res = await fetch(`${server.url}/hooks/fuzz`, { method: 'POST', headers, body });
        await res.arrayBuffer();
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        expect(res.status, `status for a ${body.length}-byte body`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/json');
      }),
      { numRuns: 3000 },
    );
    console.log('fuzz statuses:', JSON.stringify(Object.fromEntries([...counts].sort())));
    expect(counts.get(202) ?? 0).toBeGreaterThan(0);
    expect(counts.get(401) ?? 0).toBeGreaterThan(0);
    expect(counts.get(415) ?? 0).toBeGreaterThan(0);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  }, 180_000);
});
