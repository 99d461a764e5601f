import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const TERMINAL = new Set(['succeeded', 'failed', 'needs_attention', 'cancelled', 'timed_out']);

/**
 * source.schedule and source.manual through a real server: a schedule every second runs each
 * tick once, also across a kill -9 and a restart in the middle of it; a flow is run by hand
 * through POST /api/flows/:id/run.
 */
describe('source.schedule and source.manual', () => {
  const dataDir = tempDataDir();
  const marks = join(dataDir, 'marks');
  mkdirSync(marks);
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  const runs = async (s: TestServer, flowId: string) => (await s.api('GET', `/api/executions?flowId=${flowId}&limit=200`)).body.items as any[];

  it('runs a schedule every second, each tick once, across a kill -9 and a restart', async () => {
    server = await startServer({ dataDir });
    const flow = {
      format: 'salve.flow/v1',
      id: 'every-second',
      name: 'Every second',
      enabled: true,
      nodes: [
        { id: 'tick', type: 'source.schedule', config: { cron: '* * * * * *' } },
        // mkdir fails when the directory exists: a tick run twice would fail its run.
        { id: 'mark', type: 'action.shell', config: { command: ['mkdir', `${marks}/{{ event.scheduledAt }}`] } },
      ],
      edges: [{ source: 'tick', target: 'mark' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const s1 = server;
    await waitFor(async () => (await runs(s1, 'every-second')).length >= 2, 30_000, 'two ticks');

    // kill -9 while it ticks, then start again on the same data.
    await server.kill();
    const before = (await (async () => {
      const db = new Database(join(dataDir, 'salve.db'), { readonly: true });
      try {
        return db.prepare("SELECT count(*) AS n FROM schedule_ticks WHERE status = 'started'").get() as { n: number };
      } finally {
        db.close();
      }
    })()).n;
    server = await startServer({ dataDir });
    const s2 = server;
    await waitFor(async () => (await runs(s2, 'every-second')).length >= before + 3, 30_000, 'three ticks after the restart');
    await server.api('POST', '/api/flows/every-second/disable');
    await waitFor(async () => (await runs(s2, 'every-second')).every((r) => TERMINAL.has(r.status)), 30_000, 'runs to finish');
    const all = await runs(s2, 'every-second');
    await server.stop();
    server = undefined;

    // Each scheduled second started at most one run, and no run failed (no mkdir ran twice).
    const ticks = all.map((r) => r.alert.startsAt as string);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(all.filter((r) => r.status === 'failed')).toEqual([]);
    expect(all.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(4);
    for (const r of all) if (r.status === 'succeeded') expect(readdirSync(marks)).toContain(r.alert.startsAt);

    // Every second from the first tick to the last is accounted for exactly once: a run, or a skipped stretch.
    const db = new Database(join(dataDir, 'salve.db'), { readonly: true });
    const rows = db
      .prepare("SELECT tick_at, first_tick_at, count, status, execution_id FROM schedule_ticks WHERE flow_id = 'every-second' ORDER BY tick_at")
      .all() as { tick_at: number; first_tick_at: number; count: number; status: string; execution_id: string | null }[];
    db.close();
    const covered = rows.flatMap((r) => Array.from({ length: (r.tick_at - r.first_tick_at) / 1000 + 1 }, (_, i) => r.first_tick_at + i * 1000));
    const first = rows[0]!.first_tick_at;
    const last = rows.at(-1)!.tick_at;
    expect(covered).toEqual(Array.from({ length: (last - first) / 1000 + 1 }, (_, i) => first + i * 1000));
    expect(rows.filter((r) => r.status === 'started').map((r) => new Date(r.tick_at).toISOString()).sort()).toEqual([...ticks].sort());
  }, 120_000);

  it('runs a flow by hand: 202 with the execution id, and the run succeeds', async () => {
    server = await startServer({ dataDir: tempDataDir() });
    const s = server;
    const flow = {
      format: 'salve.flow/v1',
      id: 'by-hand',
      name: 'Clean up by hand',
      enabled: false,
      nodes: [
        { id: 'manual', type: 'source.manual', config: { name: 'Cleanup' } },
        { id: 'echo', type: 'action.shell', config: { command: ['echo', '{{ alert.name }}', '{{ alert.labels.instance }}', '{{ event.reason }}'] } },
      ],
      edges: [{ source: 'manual', target: 'echo' }],
    };
    expect((await s.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await s.api('POST', '/api/flows/by-hand/run', { payload: { labels: { instance: 'db1:9100' }, reason: 'disk at 96%' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ executionId: expect.stringMatching(/^ex_/), flowId: 'by-hand', flowRevision: 1, sourceNodeId: 'manual' });
    const done = await waitFor(async () => {
      const exec = (await s.api('GET', `/api/executions/${res.body.executionId}`)).body;
      return TERMINAL.has(exec.status) && exec;
    });
    expect(done.status).toBe('succeeded');
    expect(done.alert).toMatchObject({ source: 'manual', name: 'Cleanup', labels: { instance: 'db1:9100' } });
    expect(done.steps.find((st: any) => st.nodeId === 'echo').output.stdout).toBe('Cleanup db1:9100 disk at 96%\n');

    const bad = await s.api('POST', '/api/flows/by-hand/run', { payload: { labels: { instance: 9100 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues).toEqual([{ path: ['payload', 'labels', 'instance'], message: 'must be a string' }]);
    const notJson = await fetch(`${s.url}/api/flows/by-hand/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: '{"payload":',
    });
    expect(notJson.status).toBe(400);

    const hooked = {
      format: 'salve.flow/v1',
      id: 'hooked',
      name: 'Webhook only',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'true' } },
      ],
      edges: [{ source: 'am', target: 'check' }],
    };
    expect((await s.api('POST', '/api/flows', hooked)).status).toBe(201);
    const refused = await s.api('POST', '/api/flows/hooked/run', { payload: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.issues[0].path).toEqual(['sourceNodeId']);
    expect((await runs(s, 'hooked')).length).toBe(0);
    const dir = s.dataDir;
    await s.stop();
    server = undefined;
    removeDir(dir);
  }, 60_000);
});
