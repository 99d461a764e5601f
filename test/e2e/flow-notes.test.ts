import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * Sticky notes are for people: the server keeps them in every revision, export and import exactly
 * as written, and a flow with notes runs exactly like the same flow without them.
 */
describe('flow notes through the API and the runtime', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const notes = [
    { id: 'why', text: 'Pages only for critical alerts.\n<b>not html</b>', position: { x: 0, y: -160 }, size: { width: 260, height: 120 }, color: 'yellow' },
    // Same id as a node: notes are not nodes.
    { id: 'check', text: '', position: { x: 300, y: -160 } },
  ];
  const flow = (id: string, withNotes: boolean) => ({
    format: 'salve.flow/v1',
    id,
    name: `Severity check (${id})`,
    enabled: true,
    nodes: [
      { id: 'am', type: 'source.alertmanager', position: { x: 0, y: 0 }, config: { path: id, auth: { type: 'none' } } },
      { id: 'check', type: 'condition.expr', position: { x: 300, y: 0 }, config: { expression: 'alert.severity == "critical"' } },
    ],
    edges: [{ source: 'am', target: 'check' }],
    ...(withNotes ? { notes } : {}),
  });

  async function run(path: string, fingerprint: string) {
    const res = await fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint })])) });
    expect(res.status).toBe(202);
    const [id] = ((await res.json()) as { executions: string[] }).executions;
    const done = await waitFor(async () => {
      const exec = await server.api('GET', `/api/executions/${id}`);
      return exec.body.status !== 'running' && exec.body.status !== 'pending' && exec.body.status !== 'queued' && exec.body;
    }, 15_000, `execution ${id} to finish`);
    return { status: done.status, steps: done.steps.map((s: any) => ({ nodeId: s.nodeId, port: s.port, status: s.status })) };
  }

  it('keeps notes unchanged through save, read, export and import; a document without notes gets none', async () => {
    const created = await server.api('POST', '/api/flows', flow('noted', true));
    expect(created.status).toBe(201);
    expect(created.body.flow.notes).toEqual(notes);
    expect((await server.api('GET', '/api/flows/noted')).body.flow.notes).toEqual(notes);

    const exported = await (await fetch(`${server.url}/api/flows/noted/export`, { headers: { authorization: `Bearer ${server.token}` } })).json();
    expect(exported.notes).toEqual(notes);
    const reimported = await server.api('POST', '/api/flows/import', { ...exported, id: 'noted-copy' });
    expect(reimported.status).toBe(200);
    expect(reimported.body.items[0].flow.notes).toEqual(notes);

    const plain = await server.api('POST', '/api/flows', flow('plain', false));
    expect(plain.body.flow).not.toHaveProperty('notes');
  });

  it('refuses a bad note with its path, like any other field', async () => {
    const bad = { ...flow('bad-note', true), notes: [{ ...notes[0], text: 'x'.repeat(2001) }] };
    const res = await server.api('POST', '/api/flows', bad);
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues.map((i: any) => i.path)).toEqual([['notes', 0, 'text']]);
  });

  it('runs a flow with notes exactly as the same flow without them', async () => {
    const noted = await run('noted', 'notes-1');
    const plain = await run('plain', 'notes-1');
    expect(noted).toEqual(plain);
    expect(noted.steps.map((s: any) => `${s.nodeId}:${s.port}`)).toEqual(['am:out', 'check:true']);
  });
});
