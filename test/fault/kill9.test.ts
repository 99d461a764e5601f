import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget } from '../kit/target.js';
import { deliver, FAULT_ENV, httpThenShellFlow, openDatabase, waitUntilSettled } from '../kit/fault.js';
import { simulatedDelay, waitFor } from '../kit/wait.js';

/**
 * T1/T3, kill -9 during 2,000 deliveries: 500 alerts, each delivered until acknowledged four
 * times (re-sends after the first acknowledgement, as Alertmanager makes), while the server is
 * SIGKILLed 8 times, each time after 150–300 more acknowledgements, and restarted. Proves: every
 * acknowledged alert has exactly one execution (0 lost, 0 duplicate dedup keys) and it ends;
 * nothing is left running or in intent; an HTTP step repeated after a kill carries its first key;
 * a shell step is never run twice — interrupted, it ends `unknown` and its execution
 * `needs_attention`.
 */
const ALERTS = 500;
const DELIVERIES_PER_ALERT = 4;
/** Kills while deliveries flow; then the rest is delivered to the last start (keeps the test bounded on a slow machine). */
const KILLS = 8;
const TERMINAL = new Set(['succeeded', 'needs_attention']);

describe('fault: kill -9 during 2,000 deliveries', () => {
  const dataDir = tempDataDir();
  const marks = join(dataDir, 'marks');
  mkdirSync(marks);
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.kill();
    removeDir(dataDir);
  });

  it('loses no acknowledged alert, duplicates none and never re-runs a shell step', async () => {
    const target = await startTarget(async () => {
      await simulatedDelay(Math.random() * 30, 'the target answers with jitter');
      return { status: 200, body: '{"ok":true}' };
    });
    const env = { ...FAULT_ENV, SALVE_MAX_CONCURRENCY: '16' };
    server = await startServer({ dataDir, env });
    expect((await server.api('POST', '/api/flows', httpThenShellFlow('crash', 'crash', target.url, marks))).status).toBe(201);

    const fps = Array.from({ length: ALERTS }, (_, i) => `k${String(i).padStart(4, '0')}`);
    // fingerprint → execution id (undefined: the 202 that created it was lost to a kill, and the retry was a duplicate)
    const acknowledged = new Map<string, string | undefined>();
    const acks = new Map<string, number>();
    const done = (fp: string) => (acks.get(fp) ?? 0) >= DELIVERIES_PER_ALERT;
    let deliveries = 0;
    let badAnswers = 0;
    let kills = 0;
    const started = Date.now();

    const deliverRound = async (s: TestServer, until: number) => {
      // 48 concurrent senders until the kill.
      const work = () => fps.find((fp) => !inFlight.has(fp) && !done(fp));
      const inFlight = new Set<string>();
      await Promise.all(
        Array.from({ length: 48 }, async () => {
          while (Date.now() < until) {
            const fp = work();
            if (!fp) return;
            inFlight.add(fp);
            const d = await deliver(s.url, 'crash', fp);
            inFlight.delete(fp);
            if (d.status === 202) {
              deliveries++;
              const id = d.executions[0];
              if (!acknowledged.has(fp)) {
                if (!id && d.duplicates !== 1) badAnswers++;
                acknowledged.set(fp, id);
              } else {
                // A re-send: the same alert, already handled.
                if (id || d.duplicates !== 1) badAnswers++;
              }
              acks.set(fp, (acks.get(fp) ?? 0) + 1);
            } else if (d.status !== 0 && d.status !== 503) badAnswers++;
            if (d.status === 0) return; // killed: stop this round
          }
        }),
      );
    };

    while (!fps.every(done) && kills < KILLS) {
      const s = server!;
      // Kill after 150–300 more acknowledgements (or 5 s) whatever the machine's speed, with requests in flight.
      const killAfter = deliveries + 150 + Math.floor(Math.random() * 150);
      const giveUpAt = Date.now() + 5000;
      const killer = (async () => {
        await waitFor(() => deliveries >= killAfter || Date.now() >= giveUpAt, 10_000, 'enough acknowledgements (or 5 s) before the kill');
        await s.kill();
      })();
      await deliverRound(s, giveUpAt + 2000);
      await killer;
      kills++;
      server = await startServer({ dataDir, env });
    }
    // The rest, to the last start (no more kills).
    await deliverRound(server!, Date.now() + 120_000);
    expect(fps.filter((fp) => !done(fp))).toEqual([]);

    // The last start runs everything to the end, without kills.
    const db = openDatabase(dataDir);
    const summary = await waitUntilSettled(db, ALERTS, 60_000);
    const rows = db.prepare("SELECT id, status, json_extract(alert, '$.fingerprint') AS fp FROM executions").all() as { id: string; status: string; fp: string }[];
    const steps = db.prepare("SELECT execution_id AS id, node_id AS node, status, output, error FROM steps WHERE node_id IN ('call', 'mark')").all() as {
      id: string;
      node: string;
      status: string;
      output: string | null;
      error: string | null;
    }[];
    db.close();
    const byFp = new Map(rows.map((r) => [r.fp, r]));
    const unknownShell = steps.filter((s) => s.node === 'mark' && s.status === 'unknown').length;
    const keysByPath = new Map<string, Set<string>>();
    for (const r of target.requests) keysByPath.set(r.url, (keysByPath.get(r.url) ?? new Set()).add(String(r.headers['idempotency-key'])));
    console.log(
      `kill9: ${deliveries} acknowledged deliveries of ${ALERTS} alerts, ${kills} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `executions ${JSON.stringify(summary.byStatus)}; ${target.requests.length} HTTP requests for ${keysByPath.size} effects; ${unknownShell} shell steps unknown`,
    );

    expect(kills).toBe(KILLS);
    expect(badAnswers).toBe(0);
    expect(deliveries).toBe(DELIVERIES_PER_ALERT * ALERTS);
    // 0 lost, 0 duplicated, 0 stuck.
    expect(summary.total).toBe(ALERTS);
    expect(summary.duplicateKeys).toBe(0);
    expect(summary.running + summary.queued + summary.intentSteps).toBe(0);
    for (const [fp, id] of acknowledged) {
      const row = byFp.get(fp);
      expect(row, `execution of ${fp}`).toBeDefined();
      if (id) expect(row!.id).toBe(id);
      expect(TERMINAL.has(row!.status), `execution of ${fp}: ${row!.status}`).toBe(true);
    }
    // HTTP: one key per effect, however often it was retried.
    expect([...keysByPath.values()].every((k) => k.size === 1)).toBe(true);
    // Shell: never twice (mkdir would fail); an interrupted one is unknown, its run needs attention.
    expect(steps.filter((s) => s.node === 'mark' && /exists/i.test(`${s.output ?? ''} ${s.error ?? ''}`))).toEqual([]);
    expect(summary.byStatus.needs_attention ?? 0).toBe(unknownShell);
    const marked = steps.filter((s) => s.node === 'mark' && s.status === 'succeeded').length;
    expect(readdirSync(marks).length).toBeGreaterThanOrEqual(marked);
    expect(readdirSync(marks).length).toBeLessThanOrEqual(marked + unknownShell);
    await target.close();
  }, 240_000);
});
