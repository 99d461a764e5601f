import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload, diskFullFlow } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/** The flow API: validation on every write, revisions, import/export, simulate, auth. */
describe('flows API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });
  const flow = (overrides: Record<string, unknown> = {}) => ({ ...diskFullFlow('http://127.0.0.1:9'), ...overrides });

  it('requires the admin token on every /api route, and only there', async () => {
    for (const path of ['/api/flows', '/api/executions', '/api/approvals', '/api/events', '/api/node-types']) {
      expect((await fetch(server.url + path)).status, path).toBe(401);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses an invalid flow with every problem and stores nothing', async () => {
    const bad = flow({ id: 'Bad Id', extra: 1 }) as any;
    bad.nodes[2].config.url = 'http://{{ alrt.x }}/';
    bad.edges.push({ source: 'restart', target: 'ghost' });
    const res = await server.api('POST', '/api/flows', bad);
    expect(res.status).toBe(422);
    const paths = res.body.error.details.issues.map((i: any) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'extra']));
    expect((await server.api('GET', '/api/flows')).body.items).toEqual([]);
    const validation = await server.api('POST', '/api/flows/validate', { ...flow(), nodes: flow().nodes.map((n: any) => (n.id === 'clean' ? { ...n, config: { ...n.config, url: 'http://{{ alrt.x }}/' } } : n)) });
    expect(validation.status).toBe(200);
    expect(validation.body.valid).toBe(false);
    expect(validation.body.issues[0].path).toEqual(['nodes', 2, 'config', 'url']);
  });

  it('creates, reads, updates with revisions (409 when stale), and deletes', async () => {
    const created = await server.api('POST', '/api/flows', flow());
    expect(created.status).toBe(201);
    expect(created.body.flow.nodes[2].config.timeoutSeconds).toBe(10); // defaults filled in
    expect((await server.api('POST', '/api/flows', flow())).status).toBe(409);

    const updated = await server.api('PUT', '/api/flows/disk-full', { revision: 1, flow: flow({ name: 'renamed' }) });
    expect(updated.status).toBe(200);
    expect(updated.body.revision).toBe(2);
    const stale = await server.api('PUT', '/api/flows/disk-full', { revision: 1, flow: flow({ name: 'lost update' }) });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.currentRevision).toBe(2);
    expect((await server.api('GET', '/api/flows/disk-full')).body.flow.name).toBe('renamed');
    expect((await server.api('PUT', '/api/flows/disk-full', { flow: flow() })).body.error.details.issues[0].path).toEqual(['revision']);
    expect((await server.api('PUT', '/api/flows/disk-full', { revision: 2, flow: flow({ id: 'other' }) })).status).toBe(422);

    const disabled = await server.api('POST', '/api/flows/disk-full/disable');
    expect(disabled.body.flow.enabled).toBe(false);
    expect(disabled.body.revision).toBe(3);

    expect((await server.api('DELETE', '/api/flows/disk-full')).status).toBe(204);
    expect((await server.api('GET', '/api/flows/disk-full')).status).toBe(404);
  });

  it('imports a bundle all or nothing, disabled, and exports it back', async () => {
    const a = flow({ id: 'flow-a' });
    const b = flow({ id: 'flow-b' });
    const broken = { ...flow({ id: 'flow-c' }), nodes: [] };
    const rejected = await server.api('POST', '/api/flows/import', { flows: [a, broken] });
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.details.issues[0].path.slice(0, 2)).toEqual(['flows', 1]);
    expect((await server.api('GET', '/api/flows')).body.items).toEqual([]);

    const imported = await server.api('POST', '/api/flows/import', { flows: [a, b] });
    expect(imported.status).toBe(200);
    expect(imported.body.items.map((i: any) => [i.flow.id, i.flow.enabled])).toEqual([
      ['flow-a', false],
      ['flow-b', false],
    ]);
    const exported = await fetch(`${server.url}/api/flows/flow-a/export`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(exported.headers.get('content-disposition')).toContain('flow-a.json');
    const doc = await exported.json();
    expect(JSON.stringify(doc)).not.toContain('am-secret'); // secrets are references only
    expect(doc.nodes[0].config.auth.token).toEqual({ secret: 'AM_TOKEN' });
    const again = await server.api('POST', '/api/flows/import', doc);
    expect(again.body.items[0].revision).toBe(2);
  });

  it('simulates without executing: nomatch path for an alert the matchers reject', async () => {
    const payload = {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db9:9100' }, annotations: {}, startsAt: '2026-11-24T00:00:00Z', fingerprint: 'sim' }],
    };
    const res = await server.api('POST', '/api/flows/simulate', { flow: flow(), source: 'alertmanager', payload });
    expect(res.status).toBe(200);
    const [alert] = res.body.alerts;
    expect(alert.steps.map((s: any) => `${s.nodeId}:${s.port}`)).toEqual(['am:out', 'disk:nomatch']);
    expect(alert.skipped).toEqual(['clean', 'ask', 'restart']);
    const noSource = await server.api('POST', '/api/flows/simulate', { flow: flow(), source: 'grafana', payload });
    expect(noSource.status).toBe(422);
    expect(noSource.body.error.details.issues[0].path).toEqual(['source']);
  });

  it('pauses and resumes all automation through the API', async () => {
    const paused = (await server.api('POST', '/api/automation/pause')).body;
    // Resume whatever the checks below find: the later tests need automation running.
    const resumed = (await server.api('POST', '/api/automation/resume')).body;
    expect(paused).toMatchObject({ paused: true, pausedBy: { action: 'pause', actor: 'admin', via: 'token' } });
    expect(resumed.paused).toBe(false);
    expect(resumed.pausedBy).toBeUndefined();
    expect(resumed.history.map((h: { action: string }) => h.action)).toEqual(['resume', 'pause']);
    await server.api('POST', '/api/automation/pause');
    expect(((await (await fetch(`${server.url}/healthz`)).json()) as any).paused).toBe(true);
    expect((await server.api('GET', '/api/automation')).body).toMatchObject({ paused: true });
    expect((await server.api('POST', '/api/automation/resume')).body).toMatchObject({ paused: false });
  });
  it('re-creates a deleted flow after its last revision; past runs still show the flow they ran', async () => {
    const again = (name: string) => ({
      format: 'salve.flow/v1',
      id: 'again',
      name,
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'again', auth: { type: 'none' } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
      ],
      edges: [{ source: 'am', target: 'check' }],
    });
    const deliver = async (fingerprint: string) => {
      const res = await fetch(`${server.url}/hooks/again`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(amPayload([amAlert({ fingerprint })])),
      });
      expect(res.status).toBe(202);
      const [id] = ((await res.json()) as { executions: string[] }).executions;
      return waitFor(async () => {
        const exec = await server.api('GET', `/api/executions/${id}`);
        // The flow only has a condition: its runs end as no_action.
        return exec.body.status === 'no_action' && exec.body;
      }, 15_000, `execution ${id} to finish`);
    };

    expect((await server.api('POST', '/api/flows', again('first'))).body.revision).toBe(1);
    const firstRun = await deliver('again-1');
    expect(firstRun).toMatchObject({ flowRevision: 1, flow: { name: 'first' } });
    expect((await server.api('DELETE', '/api/flows/again')).status).toBe(204);

    const recreated = await server.api('POST', '/api/flows', again('second'));
    expect(recreated.status).toBe(201);
    expect(recreated.body.revision).toBe(2);
    const duplicate = await server.api('POST', '/api/flows', again('second'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('conflict');

    expect((await server.api('DELETE', '/api/flows/again')).status).toBe(204);
    const imported = await server.api('POST', '/api/flows/import', again('third'));
    expect(imported.status).toBe(200);
    expect(imported.body.items[0]).toMatchObject({ revision: 3, flow: { name: 'third', enabled: false } });

    // Creates racing for a deleted id: one wins, the others are told the id exists.
    expect((await server.api('DELETE', '/api/flows/again')).status).toBe(204);
    const raced = await Promise.all([1, 2, 3].map(() => server.api('POST', '/api/flows', again('fourth'))));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(raced.find((r) => r.status === 201)!.body.revision).toBe(4);

    // Deduplication is by flow id: what the deleted flow handled does not run again.
    const repeat = await fetch(`${server.url}/hooks/again`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint: 'again-1' })])) });
    expect(await repeat.json()).toMatchObject({ executions: [], duplicates: 1 });
    const secondRun = await deliver('again-2');
    expect(secondRun).toMatchObject({ flowRevision: 4, flow: { name: 'fourth' } });
    expect((await server.api('GET', `/api/executions/${firstRun.id}`)).body).toMatchObject({ flowRevision: 1, flow: { name: 'first' } });
    expect((await server.api('DELETE', '/api/flows/again')).status).toBe(204);
  });

  it('refuses an import body that is neither a flow nor a non-empty bundle with 422 naming the problem', async () => {
    const cases: [unknown, (string | number)[], RegExp][] = [
      [{ flows: [] }, ['flows'], /must not be empty/],
      [{ flows: 'x' }, ['flows'], /must be a list of flow documents, found a string/],
      [[], [], /expected one flow document .*found a list/],
      [{}, [], /is empty/],
      [null, [], /found null/],
    ];
    for (const [body, path, message] of cases) {
      const res = await server.api('POST', '/api/flows/import', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.issues, JSON.stringify(body)).toEqual([{ path, message: expect.stringMatching(message) }]);
    }
    expect((await server.api('GET', '/api/flows')).body.items.map((i: any) => i.id)).toEqual(['flow-a', 'flow-b']);
  });
});
