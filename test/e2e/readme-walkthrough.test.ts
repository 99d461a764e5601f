import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

/** The variables the README's start command sets (`SALVE_X=… SALVE_Y=… npm start`), exactly as written. */
function readmeStartEnv(): Record<string, string> {
  const line = /^((?:SALVE_[A-Z0-9_]+=\S+ )+)npm start$/m.exec(read('README.md'));
  expect(line, 'the README shows the start command with its SALVE_* variables').not.toBeNull();
  return Object.fromEntries(line![1]!.trim().split(' ').map((pair) => pair.split('=') as [string, string]));
}

/**
 * The README's walkthrough with its own files: examples/disk-full.json, the Alertmanager
 * payload examples/alertmanager-diskfull.json and examples/demo-target.mjs on 127.0.0.1:9100.
 */
describe('README walkthrough', () => {
  let server: TestServer | undefined;
  let target: ChildProcess | undefined;
  afterAll(async () => {
    target?.kill();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('runs clean-up, waits for approval, restarts, and ignores the re-sent alert', async () => {
    const env = readmeStartEnv();
    expect(env).toEqual({ SALVE_SECRET_AM_TOKEN: 'change-me', SALVE_ALLOWED_TARGETS: '127.0.0.1:9100' });
    target = spawn(process.execPath, [join(ROOT, 'examples', 'demo-target.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let targetOut = '';
    target.stdout!.on('data', (d) => (targetOut += d));
    await waitFor(() => targetOut.includes('listening'), 5000, 'the demo target');
    server = await startServer({ env });
    const s = server;

    const created = await s.api('POST', '/api/flows', JSON.parse(read('examples/disk-full.json')));
    expect(created.status).toBe(201);

    const payload = JSON.parse(read('examples/alertmanager-diskfull.json'));
    const sim = await s.api('POST', '/api/flows/simulate', { flowId: 'disk-full', source: 'alertmanager', payload });
    expect(sim.status).toBe(200);
    expect(sim.body.alerts[0].steps.map((st: any) => st.nodeId)).toEqual(['am', 'disk', 'clean', 'ask', 'restart']);
    expect(targetOut).not.toContain('POST /cleanup'); // simulation runs nothing

    const post = () =>
      fetch(`${s.url}/hooks/infra`, {
        method: 'POST',
        headers: { authorization: 'Bearer change-me', 'content-type': 'application/json' },
        body: read('examples/alertmanager-diskfull.json'),
      });
    const first = await post();
    expect(first.status).toBe(202);
    const id = ((await first.json()) as { executions: string[] }).executions[0]!;
    await waitFor(() => targetOut.includes('POST /cleanup'), 10_000, 'the clean-up call');
    expect(targetOut).toContain(`idempotency-key=${id}:clean`);

    const again = (await (await post()).json()) as { duplicates: number };
    expect(again.duplicates).toBe(1);

    const pending = await waitFor(async () => {
      const items = (await s.api('GET', '/api/approvals?status=pending')).body.items;
      return items.length ? items : undefined;
    }, 10_000, 'the approval');
    expect(pending[0].message).toBe('Restart postgresql on 127.0.0.1:9100?');
    await s.api('POST', `/api/approvals/${pending[0].id}`, { decision: 'approve', comment: 'disk cleaned, restart ok' });
    const done = await waitFor(async () => {
      const e = (await s.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'succeeded' ? e : undefined;
    }, 10_000, 'the execution to finish');
    expect(done.steps.find((st: any) => st.nodeId === 'restart').output.stdout).toBe('restarting postgresql\n');
    expect(done.steps.find((st: any) => st.nodeId === 'clean').output.body).toEqual({ freedBytes: 734003200 });
  });
});
