import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'salve.js');

/** Runs the `salve` bin as an operator (or a CI job) would. */
function salve(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const flow = (id: string, name = id) => ({
  format: 'salve.flow/v1',
  id,
  name,
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: id, auth: { type: 'none' } } },
    { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
  ],
  edges: [{ source: 'am', target: 'check' }],
});

/** Flows as code: `salve serve --flows <dir>` (SALVE_FLOWS_DIR) and `salve diff <dir>`. */
describe('flows directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'salve-flows-dir-'));
  const dir = join(root, 'flows');
  mkdirSync(dir);
  /** Writes a file the way editors do: a temporary file renamed over the old one. */
  const save = (name: string, doc: unknown) => {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
    renameSync(tmp, join(dir, name));
  };
  let server: TestServer;
  const fileOf = async (name: string) => ((await server.api('GET', '/api/provisioning')).body.files as { file: string }[]).find((f) => f.file === `flows/${name}`) as any;
  const deliver = async (path: string, fingerprint: string) => {
    const res = await fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint })])) });
    expect(res.status).toBe(202);
    const [id] = ((await res.json()) as { executions: string[] }).executions;
    expect(id).toBeDefined();
    return waitFor(async () => {
      const exec = await server.api('GET', `/api/executions/${id}`);
      return exec.body.status === 'no_action' && exec.body;
    }, 15_000, `execution ${id} to finish`);
  };

  beforeAll(async () => {
    save('disk.json', flow('disk', 'Disk full'));
    save('web.json', { flows: [flow('web', 'Web down')] });
    server = await startServer({ env: { SALVE_FLOWS_DIR: dir, SALVE_FLOWS_RESCAN_SECONDS: '2' } });
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    rmSync(root, { recursive: true, force: true });
  });

  it('provisions the directory at start: both flows exist, marked provisioned, and run a webhook', async () => {
    // Printed right after "listening on", which is what startServer waits for: it may arrive in a later chunk.
    await waitFor(() => server.output().includes(`Flows from ${dir}: 2 file(s)`), 10_000, 'the flows directory line in the output');
    const list = (await server.api('GET', '/api/flows')).body.items;
    expect(list).toEqual([
      expect.objectContaining({ id: 'disk', enabled: true, revision: 1, provisioned: { file: 'flows/disk.json' } }),
      expect.objectContaining({ id: 'web', enabled: true, revision: 1, provisioned: { file: 'flows/web.json' } }),
    ]);
    expect((await deliver('disk', 'd-1')).flowRevision).toBe(1);
    expect((await deliver('web', 'w-1')).flowRevision).toBe(1);
    const status = (await server.api('GET', '/api/provisioning')).body;
    // `applied` by the first scan, `unchanged` by every later rescan (every 2 s here).
    expect(status.dir).toBe(dir);
    expect(status.files.map((f: { file: string; status: string }) => [f.file, f.status === 'invalid'])).toEqual([
      ['flows/disk.json', false],
      ['flows/web.json', false],
    ]);
    expect(status.lastChanges).toEqual([
      { flowId: 'disk', file: 'flows/disk.json', team: 'default', kind: 'added' },
      { flowId: 'web', file: 'flows/web.json', team: 'default', kind: 'added' },
    ]);
  });

  it('applies an edited file as a new revision without a restart, authored by the file', async () => {
    save('disk.json', flow('disk', 'Disk full (v2)'));
    await waitFor(async () => (await server.api('GET', '/api/flows/disk')).body.revision === 2, 10_000, 'revision 2 of disk');
    expect((await server.api('GET', '/api/flows/disk')).body.flow.name).toBe('Disk full (v2)');
    const revisions = (await server.api('GET', '/api/flows/disk/revisions')).body.items;
    expect(revisions[0].author).toEqual({ identity: 'provisioned:flows/disk.json', name: 'flows/disk.json (flows directory)' });
    expect((await deliver('disk', 'd-2')).flowRevision).toBe(2);
  });

  it('reports an invalid file with every problem, leaves the others alone, and a half-written file is invalid until complete', async () => {
    save('broken.json', { ...flow('Broken Id'), name: '', extra: true });
    const broken = await waitFor(async () => (await fileOf('broken.json'))?.status === 'invalid' && fileOf('broken.json'), 10_000, 'broken.json reported');
    const paths = broken.errors.map((e: { path: string[] }) => e.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'name', 'extra']));
    expect(server.output()).toContain('flow file flows/broken.json is invalid');

    save('disk.json', '{"format": "salve.flow/v1", "id": "disk", "name": "Disk');
    await waitFor(async () => (await fileOf('disk.json'))?.status === 'invalid', 10_000, 'disk.json half-written');
    // The last valid version keeps running, still read-only.
    expect((await server.api('GET', '/api/flows/disk')).body).toMatchObject({ revision: 2, flow: { enabled: true }, provisioned: { file: 'flows/disk.json' } });
    expect((await deliver('disk', 'd-3')).flowRevision).toBe(2);
    expect((await fileOf('web.json')).status).toBe('unchanged');
    save('disk.json', flow('disk', 'Disk full (v2)'));
    await waitFor(async () => (await fileOf('disk.json'))?.status === 'unchanged', 10_000, 'disk.json complete');
    expect((await server.api('GET', '/api/flows/disk')).body.revision).toBe(2);
  });

  it('refuses changing a provisioned flow through the API with 409 naming the file', async () => {
    const current = (await server.api('GET', '/api/flows/disk')).body;
    const put = await server.api('PUT', '/api/flows/disk', { revision: current.revision, flow: { ...current.flow, name: 'edited in the UI' } });
    expect(put.status).toBe(409);
    expect(put.body.error.message).toContain('provisioned from flows/disk.json');
    expect(put.body.error.message).toContain('change the file and commit it');
    for (const [method, path, body] of [
      ['DELETE', '/api/flows/disk', undefined],
      ['POST', '/api/flows/disk/disable', undefined],
      ['POST', '/api/flows/disk/rollback', { revision: 1, expectedRevision: current.revision }],
      ['POST', '/api/flows/import', flow('disk')],
    ] as const) {
      const res = await server.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.body.error.message).toContain('flows/disk.json');
    }
    expect((await server.api('GET', '/api/flows/disk')).body.revision).toBe(current.revision);
  });

  it('salve diff shows what applying a directory would change, with exit codes 0, 1 and 2', async () => {
    const env = { SALVE_URL: server.url, SALVE_ADMIN_TOKEN: server.token };
    const other = join(root, 'next', 'flows');
    mkdirSync(other, { recursive: true });
    const put = (name: string, doc: unknown) => writeFileSync(join(other, name), JSON.stringify(doc));
    put('disk.json', flow('disk', 'Disk full (v2)'));
    put('web.json', { flows: [flow('web', 'Web down')] });
    const same = await salve(['diff', other], env);
    expect(same.stderr).toBe('');
    expect(same.stdout).toContain('2 file(s): 0 added, 0 changed, 2 unchanged, 0 disabled, 0 invalid file(s)');
    expect(same.code).toBe(0);

    const changed = flow('disk', 'Disk full (v3)');
    changed.nodes[1]!.config = { expression: 'alert.severity == "warning"' };
    put('disk.json', changed);
    rmSync(join(other, 'web.json'));
    put('new.json', flow('new'));
    const diff = await salve(['diff', other], env);
    expect(diff.stdout).toContain('~ disk (flows/disk.json, team default): would change: flow: name; nodes: 1 changed (check)');
    expect(diff.stdout).toContain('+ new (flows/new.json, team default): would be added');
    expect(diff.stdout).toContain('- web (flows/web.json, team default): would be disabled');
    expect(diff.code).toBe(1);

    put('bad.json', { ...flow('bad'), nodes: [] });
    const bad = await salve(['diff', other], env);
    expect(bad.stderr).toContain('! flows/bad.json: invalid');
    expect(bad.stderr).toMatch(/nodes: .*at least one node/);
    expect(bad.code).toBe(2);
    // Nothing was applied by any diff.
    expect((await server.api('GET', '/api/flows')).body.items.map((f: { id: string }) => f.id)).toEqual(['disk', 'web']);
    // Three runs of the CLI, each a Node process loading the node catalog.
  }, 120_000);

  it('disables (never deletes) a flow whose file was removed; its runs stay and it is editable again', async () => {
    rmSync(join(dir, 'web.json'));
    await waitFor(async () => (await server.api('GET', '/api/flows/web')).body.flow?.enabled === false, 10_000, 'web disabled');
    const web = (await server.api('GET', '/api/flows/web')).body;
    expect(web.provisioned).toBeUndefined();
    const runs = (await server.api('GET', '/api/executions?flowId=web')).body.items;
    expect(runs.length).toBeGreaterThan(0);
    expect((await server.api('POST', '/api/flows/web/enable')).status).toBe(200);
  });
});
