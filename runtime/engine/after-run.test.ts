import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amBody } from '../../test/kit/alertmanager.js';
import { startAlertmanager, type TestAlertmanager } from '../../test/kit/alertmanager-peer.js';
import { ManualClock, testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { amSource, flowDoc, type NodeDoc } from '../../test/kit/flow.js';
import { waitFor } from '../../test/kit/wait.js';
import { SqliteStore } from '../store/db.js';
import { auditRepo } from '../store/audit-repo.js';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { afterRunTasks } from '../store/schema.js';

/**
 * A silence "until the run ends" (alertmanager.silence `untilRunEnds`) against a real
 * Alertmanager: active while the run works, expired once it ends whatever the outcome, and —
 * because the engine records the task with the step's success — also when Alertmanager was
 * unreachable at the end and Salve restarted before it came back.
 */
let am: TestAlertmanager;
/** In front of Alertmanager: while `refuseDeletes`, an expiry gets 503 (Alertmanager down for that moment). */
let gate: Server;
let gateUrl = '';
let refuseDeletes = false;
const dirs: string[] = [];

beforeAll(async () => {
  am = await startAlertmanager();
  const target = new URL(am.url);
  gate = createServer((req, res) => {
    if (req.method === 'DELETE' && refuseDeletes) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return res.end('alertmanager is restarting');
    }
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => gate?.close(resolve));
  await am?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const silence = (url: string): NodeDoc => ({ id: 'silence_alert', type: 'alertmanager.silence', config: { url, durationMinutes: 60, untilRunEnds: true } });
const stateOf = async (id: string) => (await am.silences()).find((s) => s.id === id)?.status.state;
/** The silence the run's create step made (its output's `silenceId`). */
const silenceOf = (store: SqliteStore, executionId: string): string => {
  const step = stepsRepo.forExecution(store.db, executionId).find((s) => s.nodeId === 'silence_alert');
  return (JSON.parse(step?.output ?? '{}') as { silenceId: string }).silenceId;
};
const tasks = (store: SqliteStore) => store.db.select().from(afterRunTasks).all();

describe('a silence until the run ends', () => {
  it('is active while the run waits for a person, and expired as soon as the run is cancelled; the expiry is audited', async () => {
    // Alertmanager refuses silences that end in the past: the run's clock is today's.
    const { engine, store } = testEngine({ clock: new ManualClock(Date.now()), allowedTargets: ['127.0.0.1'], afterRun: { everyMs: 60_000 } });
    await engine.start();
    const flow = flowDoc({
      source: amSource({ on: 'firing' }),
      nodes: [silence(am.url), { id: 'ask', type: 'approval.request', config: { message: 'Clean up?', timeoutSeconds: 3600 } }],
      edges: [
        { source: 'am', target: 'silence_alert' },
        { source: 'silence_alert', sourcePort: 'ok', target: 'ask' },
      ],
    });
    await engine.flows.create(flow, { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-until-1')))).executions[0]!.id;
    await waitFor(() => executionsRepo.get(store.db, id)?.status === 'waiting');
    const silenceId = silenceOf(store, id);
    expect(await stateOf(silenceId)).toBe('active');
    expect(tasks(store)).toMatchObject([{ executionId: id, attempts: 0 }]);

    await engine.cancel(id, { name: 'alice', via: 'token' });
    await waitFor(async () => (await stateOf(silenceId)) === 'expired');
    await engine.afterRun.idle();
    expect(tasks(store)).toEqual([]);
    const audit = auditRepo.list(store.db, { limit: 20 }).find((a) => a.action === 'step.after_run');
    expect(audit).toMatchObject({ actor: 'salve', target: id });
    expect(JSON.parse(audit!.details!)).toMatchObject({ nodeId: 'silence_alert', message: `expired silence ${silenceId}: the run ended` });
    await engine.shutdown(1000);
  });

  it('survives Alertmanager refusing at the end and a restart: the next Salve expires it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-after-run-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock(Date.now());
    const first = testEngine({ file, clock, allowedTargets: ['127.0.0.1'], afterRun: { everyMs: 60_000, backoffMs: () => 30_000 } });
    await first.engine.start();
    const flow = flowDoc({
      source: amSource({ on: 'firing' }),
      nodes: [silence(gateUrl), { id: 'clean', type: 'condition.expr', config: { expression: 'true' } }],
      edges: [
        { source: 'am', target: 'silence_alert' },
        { source: 'silence_alert', sourcePort: 'ok', target: 'clean' },
      ],
    });
    await first.engine.flows.create(flow, { name: 'test', via: 'token' });
    refuseDeletes = true;
    const id = (await first.engine.ingest('infra', webhookDelivery(amBody('fp-until-2')))).executions[0]!.id;
    await waitFor(() => executionsRepo.get(first.store.db, id)?.status === 'succeeded');
    // The run ended; the expiry was refused and is kept for later, with why.
    await waitFor(() => tasks(first.store)[0]?.attempts === 1);
    const task = tasks(first.store)[0]!;
    expect(task.lastError).toMatch(/Alertmanager answered 503: alertmanager is restarting/);
    expect(task.nextAt).toBe(clock.now() + 30_000);
    const silenceId = silenceOf(first.store, id);
    expect(await stateOf(silenceId)).toBe('active');
    await first.engine.shutdown(1000);
    first.store.close();

    // Alertmanager is back; a new Salve on the same database, once the retry is due.
    refuseDeletes = false;
    clock.advance(30_000);
    const second = testEngine({ file, clock, allowedTargets: ['127.0.0.1'], afterRun: { everyMs: 60_000 } });
    await second.engine.start();
    await waitFor(async () => (await stateOf(silenceId)) === 'expired');
    await second.engine.afterRun.idle();
    expect(tasks(second.store)).toEqual([]);
    await second.engine.shutdown(1000);
    second.store.close();
  });
});

