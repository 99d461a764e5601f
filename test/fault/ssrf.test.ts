import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';
import { amSource, flowDoc } from '../kit/flow.js';

/**
 * The SSRF matrix, against real server processes and loopback listeners that count requests.
 * Alert labels choose where `action.http` connects (`http://{{ alert.labels.instance }}/…`), as
 * in the shipped example. Without SALVE_ALLOWED_TARGETS every loopback form is refused and no
 * request reaches a listener; with it, the listed destination is reached and nothing else.
 *
 * Names that resolve to loopback through a test resolver (no network) are covered in-process by
 * runtime/engine/destinations.test.ts; here `localhost` goes through the system resolver.
 */

const AGENT_TOKEN = 'agent-token-for-ssrf-tests-0123';

/** Answers `GET /to?next=<url>` with a 302 to that URL; counts what it receives. */
async function startRedirector(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const next = new URL(req.url ?? '/', 'http://x').searchParams.get('next') ?? '/';
    res.writeHead(302, { location: next });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, hits, close: () => new Promise((r) => server.close(() => r())) };
}

const flow = (id: string, path: string, config: Record<string, unknown>) =>
  flowDoc({
    id,
    source: amSource({ path }),
    nodes: [{ id: 'call', type: 'action.http', config: { method: 'GET', timeoutSeconds: 5, ...config } }],
    edges: [{ source: 'am', target: 'call' }],
  });

const FLOWS = [
  flow('host-from-alert', 'ssrf', { url: 'http://{{ alert.labels.instance }}/cleanup' }),
  flow('follow', 'follow', { url: 'http://{{ alert.labels.instance }}/to?next={{ alert.labels.next }}', followRedirects: true }),
  flow('with-secret', 'secret', {
    url: 'http://{{ alert.labels.instance }}/to?next={{ alert.labels.next }}',
    headers: { 'X-Token': { secret: 'AGENT_TOKEN' } },
    followRedirects: true,
  }),
];

interface CallResult {
  status: string;
  error: string | null;
  output: any;
}

let seq = 0;
/** Posts one alert per labels set to `/hooks/<path>` and returns each `call` step once finished, in order. */
async function run(server: TestServer, path: string, labelSets: Record<string, string>[]): Promise<CallResult[]> {
  const alerts = labelSets.map((labels) => {
    const a = amAlert({ fingerprint: `ssrf-${++seq}` });
    return { ...a, labels: { ...a.labels, ...labels } };
  });
  const res = await fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload(alerts)) });
  expect(res.status).toBe(202);
  const ids = ((await res.json()) as { executions: string[] }).executions;
  expect(ids).toHaveLength(labelSets.length);
  return Promise.all(
    ids.map((id) =>
      waitFor(async () => {
        const e = (await server.api('GET', `/api/executions/${id}`)).body;
        if (!['succeeded', 'failed'].includes(e.status)) return undefined;
        const call = e.steps.find((s: any) => s.nodeId === 'call');
        return { status: call.status, error: call.error, output: call.output } as CallResult;
      }, 20_000, `execution ${id}`),
    ),
  );
}

describe('SSRF matrix', () => {
  let target: Target; // the loopback service alert data tries to reach
  let hidden: Target; // a second loopback service no setting ever lists
  let redirector: Awaited<ReturnType<typeof startRedirector>>;
  let strict: TestServer; // no SALVE_ALLOWED_TARGETS
  let allowed: TestServer; // SALVE_ALLOWED_TARGETS lists the target and the redirector
  let T = 0;
  let F = 0;
  let R = 0;

  beforeAll(async () => {
    [target, hidden, redirector] = await Promise.all([startTarget(), startTarget(), startRedirector()]);
    T = Number(new URL(target.url).port);
    F = Number(new URL(hidden.url).port);
    R = redirector.port;
    const secretEnv = { SALVE_SECRET_AGENT_TOKEN: AGENT_TOKEN };
    [strict, allowed] = await Promise.all([
      startServer({ env: { ...secretEnv, SALVE_SECRET_AGENT_TOKEN_HOSTS: 'agent.example.internal' } }),
      startServer({ env: { ...secretEnv, SALVE_SECRET_AGENT_TOKEN_HOSTS: `127.0.0.1:${R}`, SALVE_ALLOWED_TARGETS: `127.0.0.1:${T}, 127.0.0.1:${R}` } }),
    ]);
    for (const s of [strict, allowed]) {
      for (const f of FLOWS) expect((await s.api('POST', '/api/flows', f)).status, `${f.id}: flow saved`).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([strict?.stop(), allowed?.stop()]);
    await Promise.all([target?.close(), hidden?.close(), redirector?.close()]);
    for (const s of [strict, allowed]) if (s) removeDir(s.dataDir);
  });

  // Every way of writing 127.0.0.1 that reached loopback before the fix.
  const loopbackForms = (port: number) => [
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `2130706433:${port}`,
    `0177.0.0.1:${port}`,
    `0x7f000001:${port}`,
    `127.1:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `[::ffff:7f00:1]:${port}`,
  ];
  // Labels that changed the URL's structure before the fix.
  const structural = (port: number) => [`127.0.0.1:${port}/internal/admin?q=`, `user:pw@127.0.0.1:${port}#`, `127.0.0.1:${port}\\@x`, `127.0.0.1:${port} /x`];

  it('refuses every loopback form and every structural trick without an allow-list; nothing arrives', async () => {
    const forms = [...loopbackForms(T), ...structural(T)];
    const results = await run(strict, 'ssrf', forms.map((instance) => ({ instance })));
    results.forEach((r, i) => {
      expect(r.status, forms[i]).toBe('failed');
      expect(r.error, forms[i]).toMatch(/^(refused to connect to .*127\.0\.0\.1.*need an entry in SALVE_ALLOWED_TARGETS|config\.url: \{\{ alert\.labels\.instance \}\} gave .*cannot be the URL's host)/);
    });
    expect(results[0]!.error).toBe(
      `refused to connect to 127.0.0.1 (loopback) for http://127.0.0.1:${T}/cleanup: non-public addresses need an entry in SALVE_ALLOWED_TARGETS (e.g. SALVE_ALLOWED_TARGETS=127.0.0.1:${T})`,
    );
    expect(results[1]!.error).toMatch(/^refused to connect to localhost at 127\.0\.0\.1 \(loopback\)/);
    expect(results[6]!.error).toMatch(/IPv4-mapped 127\.0\.0\.1 \(loopback\)/);
    expect(target.requests).toHaveLength(0);
  });

  it('reaches the same destination, in every form, when SALVE_ALLOWED_TARGETS lists it; structure stays refused', async () => {
    const forms = loopbackForms(T);
    const reached = await run(allowed, 'ssrf', forms.map((instance) => ({ instance })));
    reached.forEach((r, i) => expect(r.status, `${forms[i]}: ${r.error}`).toBe('succeeded'));
    expect(target.requests.map((r) => r.url)).toEqual(forms.map(() => '/cleanup'));

    const tricks = structural(T);
    const refused = await run(allowed, 'ssrf', tricks.map((instance) => ({ instance })));
    refused.forEach((r, i) => expect(r.error, tricks[i]).toMatch(/cannot be the URL's host/));
    // The listed port is all it allows: the other loopback service stays out of reach.
    const other = await run(allowed, 'ssrf', [{ instance: `127.0.0.1:${F}` }, { instance: `localhost:${F}` }]);
    other.forEach((r) => expect(r.error).toMatch(/^refused to connect to .*127\.0\.0\.1 \(loopback\)/));
    expect(target.requests).toHaveLength(forms.length);
    expect(hidden.requests).toHaveLength(0);
  });

  it('checks every redirect hop: a redirect to loopback from an allowed host is refused', async () => {
    const before = target.requests.length;
    const next = [`http://127.0.0.1:${F}/x`, `http://localhost:${F}/x`, `http://2130706433:${F}/x`, `http://[::ffff:127.0.0.1]:${F}/x`, `http://169.254.169.254/latest/meta-data/`, 'file:///etc/passwd'];
    const results = await run(allowed, 'follow', next.map((n) => ({ instance: `127.0.0.1:${R}`, next: n })));
    results.forEach((r, i) => {
      expect(r.status, next[i]).toBe('failed');
      expect(r.error, next[i]).toMatch(/^(refused to connect to .*(loopback|cloud metadata)|refused to follow the redirect .* to a file: URL)/);
    });
    expect(redirector.hits).toHaveLength(next.length);
    expect(hidden.requests).toHaveLength(0);

    // A hop to a listed destination is followed.
    const [ok] = await run(allowed, 'follow', [{ instance: `127.0.0.1:${R}`, next: `http://127.0.0.1:${T}/after-redirect` }]);
    expect(ok!.status).toBe('succeeded');
    expect(ok!.output.redirects).toEqual([{ status: 302, to: `http://127.0.0.1:${T}/after-redirect` }]);
    expect(target.requests.slice(before).map((r) => r.url)).toEqual(['/after-redirect']);

    // Without the allow-list even the first hop is refused.
    const [strictHop] = await run(strict, 'follow', [{ instance: `127.0.0.1:${R}`, next: `http://127.0.0.1:${T}/x` }]);
    expect(strictHop!.error).toMatch(/^refused to connect to 127\.0\.0\.1 \(loopback\)/);
    expect(redirector.hits).toHaveLength(next.length + 1);
  });

  it('never sends a secret to a host its SALVE_SECRET_<NAME>_HOSTS does not list', async () => {
    const before = target.requests.length;
    const hitsBefore = redirector.hits.length;
    // Straight to the target (allowed by the policy, not by the secret): refused before connecting.
    const [direct] = await run(allowed, 'secret', [{ instance: `127.0.0.1:${T}`, next: '/' }]);
    expect(direct!.status).toBe('failed');
    expect(direct!.error).toBe(
      `secret AGENT_TOKEN may not be sent to 127.0.0.1 (for http://127.0.0.1:${T}/to): it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS`,
    );
    expect(target.requests.length).toBe(before);
    // On the strict server the secret has no loopback host at all (and loopback is refused anyway).
    const [unbound] = await run(strict, 'secret', [{ instance: `127.0.0.1:${R}`, next: '/' }]);
    expect(unbound!.status).toBe('failed');
    expect(redirector.hits.length).toBe(hitsBefore);

    // Through the redirector (where it may go) to the target: the header is dropped on that hop.
    const [via] = await run(allowed, 'secret', [{ instance: `127.0.0.1:${R}`, next: `http://127.0.0.1:${T}/landed` }]);
    expect(via!.status).toBe('succeeded');
    const landed = target.requests.slice(before);
    expect(landed.map((r) => r.url)).toEqual(['/landed']);
    expect(landed[0]!.headers['x-token']).toBeUndefined();
    expect(via!.output.droppedHeaders).toEqual([
      {
        header: 'X-Token',
        to: `http://127.0.0.1:${T}/landed`,
        reason: `secret AGENT_TOKEN may not be sent to 127.0.0.1 (for http://127.0.0.1:${T}/landed): it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS`,
      },
    ]);
    expect(JSON.stringify(via)).not.toContain(AGENT_TOKEN);
  });
});
