import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from '../kit/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'salve.js');
const EXAMPLE_FLOW = join(ROOT, 'examples', 'disk-full.json');
const EXAMPLE_PAYLOAD = join(ROOT, 'examples', 'alertmanager-diskfull.json');

/** Runs the `salve` bin exactly as an operator would (it adds the required Node flags itself). */
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

describe('salve CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'salve-cli-'));
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    removeDir(dir);
  });

  it('validates the example flow', async () => {
    const r = await salve(['validate', EXAMPLE_FLOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (flow "disk-full", 5 nodes, 4 edges)');
  });

  it('lists every problem with its path and exits 1', async () => {
    const flow = JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8'));
    flow.nodes[1].config.matchers = 'alertname=~"(a)\\\\1"';
    flow.edges.push({ source: 'restart', target: 'am' });
    flow.extra = true;
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(flow));
    const r = await salve(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/extra/);
  });

  it('checks what each expression reads where it sits, as saving does', async () => {
    const flow = JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8'));
    const restart = flow.nodes.findIndex((n: { id: string }) => n.id === 'restart');
    flow.nodes[restart].config.command = ['echo', '{{ steps.clean.status }}', '{{ steps.nosuch.status }}'];
    const file = join(dir, 'steps.json');
    writeFileSync(file, JSON.stringify(flow));
    const r = await salve(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`nodes[${restart}].config.command[2]: node "restart": template "{{ steps.nosuch.status }}" is invalid: {{ steps.nosuch.status }}: no step named "nosuch" in this flow (it can read steps.am, steps.disk, steps.clean and steps.ask)`);
    expect(r.stderr).not.toContain('command[1]');
  });

  it('simulates offline: the path, the condition result and the rendered actions, nothing run', async () => {
    const r = await salve(['simulate', EXAMPLE_FLOW, '--source', 'alertmanager', '--payload', EXAMPLE_PAYLOAD]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('disk (condition.match) → match');
    expect(r.stdout).toContain('"url":"http://127.0.0.1:9100/cleanup"');
    expect(r.stdout).toContain('ask (approval.request) → approved (assumed)');
    expect(r.stdout).toContain('["echo","restarting","postgresql"]');
  });

  it('gives usage errors exit code 2', async () => {
    expect((await salve(['frobnicate'])).code).toBe(2);
    expect((await salve(['validate'])).code).toBe(2);
    expect((await salve(['validate', join(dir, 'missing.json')])).stderr).toContain('cannot read flow file');
    expect((await salve(['simulate', EXAMPLE_FLOW, '--bogus', 'x'])).code).toBe(2);
  });

  it('imports (disabled) and exports against a running server', async () => {
    const env = { SALVE_ADMIN_TOKEN: server.token, SALVE_URL: server.url };
    const imported = await salve(['import', EXAMPLE_FLOW], env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('imported disk-full (revision 1, disabled');
    const exported = await salve(['export', 'disk-full'], env);
    expect(exported.code).toBe(0);
    const doc = JSON.parse(exported.stdout);
    expect(doc.id).toBe('disk-full');
    expect(doc.enabled).toBe(false);
    expect(doc.nodes).toHaveLength(5);
    const all = await salve(['export', '--all', '--out', join(dir, 'all.json')], env);
    expect(all.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')).flows.map((f: any) => f.id)).toEqual(['disk-full']);
    const wrongToken = await salve(['export', 'disk-full'], { ...env, SALVE_ADMIN_TOKEN: 'x'.repeat(20) });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('401');
    const down = await salve(['export', 'disk-full'], { ...env, SALVE_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(3);
  });
});
