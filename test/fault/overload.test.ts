import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { startTarget } from '../kit/target.js';
import { deliver, FAULT_ENV, openDatabase, summarize, waitUntilSettled } from '../kit/fault.js';
import { letTimePass, simulatedDelay } from '../kit/wait.js';

/**
 * T8, overload with a hard queue cap (SALVE_MAX_QUEUED=50): while automation is paused (nothing
 * leaves the queue), waves of concurrent deliveries and manual runs race for the last places.
 * Exactly 50 are accepted, the queue never holds more (sampled from the database throughout),
 * every other answer is 503 with Retry-After: 30 and wrote nothing, a re-sent accepted alert is
 * still a 202 duplicate, and after resuming, senders that retry get everything through.
 */
const CAP = 50;
const ALERTS = 400;

describe('fault: overload with a hard queue cap', () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('admits exactly up to the cap, refuses the rest with 503 and recovers when the queue drains', async () => {
    const target = await startTarget();
    server = await startServer({ env: { ...FAULT_ENV, SALVE_MAX_QUEUED: String(CAP) } });
    const s = server;
    const flow = {
      format: 'salve.flow/v1',
      id: 'busy',
      name: 'busy',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'busy', auth: { type: 'none' } } },
        { id: 'manual', type: 'source.manual', config: {} },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/effect/{{ alert.fingerprint }}` } },
      ],
      edges: [
        { source: 'am', target: 'call' },
        { source: 'manual', target: 'call' },
      ],
    };
    expect((await s.api('POST', '/api/flows', flow)).status).toBe(201);
    expect((await s.api('POST', '/api/automation/pause')).status).toBe(200);

    const db = openDatabase(s.dataDir);
    let maxQueued = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxQueued = Math.max(maxQueued, summarize(db).queued);
        await letTimePass(10, 'the queue length is sampled every 10 ms');
      }
    })();

    // Four waves of 100 concurrent deliveries, with manual runs mixed in.
    const fps = Array.from({ length: ALERTS }, (_, i) => `ov${String(i).padStart(4, '0')}`);
    const accepted = new Map<string, string>();
    const statuses = new Map<number, number>();
    let manualAccepted = 0;
    let badRetryAfter = 0;
    for (let wave = 0; wave < 4; wave++) {
      const batch = fps.slice(wave * 100, wave * 100 + 100);
      const results = await Promise.all([
        ...batch.map(async (fp) => ({ fp, d: await deliver(s.url, 'busy', fp) })),
        ...Array.from({ length: 5 }, async () => {
          const r = await s.api('POST', '/api/flows/busy/run', { payload: { labels: { instance: 'manual' } } });
          if (r.status === 202) manualAccepted++;
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          return undefined;
        }),
      ]);
      for (const r of results) {
        if (!r) continue;
        statuses.set(r.d.status, (statuses.get(r.d.status) ?? 0) + 1);
        if (r.d.status === 202) accepted.set(r.fp, r.d.executions[0]!);
        else if (r.d.retryAfter !== '30') badRetryAfter++;
      }
    }
    sampling = false;
    await sampler;
    const full = summarize(db);
    console.log(
      `overload: cap ${CAP}, ${ALERTS} deliveries + 20 manual runs in 4 concurrent waves: answers ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `${accepted.size} deliveries and ${manualAccepted} manual runs accepted, queue max ${maxQueued} (sampled), ${full.queued} queued at the end`,
    );
    expect([...statuses.keys()].sort()).toEqual([202, 503]);
    expect(badRetryAfter).toBe(0);
    expect(accepted.size + manualAccepted).toBe(CAP);
    expect(full.queued).toBe(CAP);
    expect(full.total).toBe(CAP);
    expect(maxQueued).toBeLessThanOrEqual(CAP);

    // A full queue still acknowledges an alert it already holds (nothing is added).
    const [firstFp, firstId] = [...accepted][0]!;
    const again = await deliver(s.url, 'busy', firstFp);
    expect(again.status).toBe(202);
    expect(again.duplicates).toBe(1);
    expect(summarize(db).total).toBe(CAP);

    // Resume: the queue drains and senders that retry get every alert through.
    expect((await s.api('POST', '/api/automation/resume')).status).toBe(200);
    const deadline = Date.now() + 60_000;
    let pending = fps.filter((fp) => !accepted.has(fp));
    while (pending.length > 0 && Date.now() < deadline) {
      const results = await Promise.all(pending.map(async (fp) => ({ fp, d: await deliver(s.url, 'busy', fp) })));
      for (const r of results) if (r.d.status === 202) accepted.set(r.fp, r.d.executions[0] ?? 'duplicate');
      pending = pending.filter((fp) => !accepted.has(fp));
      maxQueued = Math.max(maxQueued, summarize(db).queued);
      if (pending.length > 0) await simulatedDelay(200, 'senders pause before they retry');
    }
    expect(pending).toEqual([]);
    const done = await waitUntilSettled(db, ALERTS + manualAccepted, 60_000);
    db.close();
    console.log(`overload: after resuming, all ${ALERTS} alerts accepted; executions ${JSON.stringify(done.byStatus)}; queue max ${maxQueued}`);
    expect(done.byStatus).toEqual({ succeeded: ALERTS + manualAccepted });
    expect(done.duplicateKeys).toBe(0);
    expect(maxQueued).toBeLessThanOrEqual(CAP);
    expect(firstId).toBeTruthy();
    await target.close();
  }, 120_000);
});
