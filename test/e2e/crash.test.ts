import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget } from '../kit/target.js';
import { letTimePass, simulatedDelay, waitFor } from '../kit/wait.js';

/**
 * kill -9 at random moments while 200 alerts are delivered and run. Proves:
 * - no accepted alert is lost: every 202'd execution reaches a final state;
 * - idempotent steps (HTTP with its Idempotency-Key) may be retried but never get a new key,
 *   so the target applies each effect once;
 * - an interrupted shell step is never re-run: it ends `unknown` and its execution
 *   `needs_attention` (the shell command here is `mkdir`, which fails if run twice).
 */
const ALERTS = 200;
const TERMINAL = new Set(['succeeded', 'failed', 'needs_attention', 'cancelled', 'timed_out']);

describe('crash safety (kill -9 during 200 executions)', () => {
  const dataDir = tempDataDir();
  const marks = join(dataDir, 'marks');
  mkdirSync(marks);
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.kill();
    removeDir(dataDir);
  });

  it('loses no execution and repeats no side effect', async () => {
    const target = await startTarget(async () => {
      await simulatedDelay(Math.random() * 20, 'the target answers with jitter');
      return { status: 200, body: '{"ok":true}' };
    });
    const flow = {
      format: 'salve.flow/v1',
      id: 'crashy',
      name: 'crash test',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'crash', auth: { type: 'none' } } },
        { id: 'match', type: 'condition.match', config: { matchers: 'alertname="DiskFull"' } },
        { id: 'first', type: 'action.http', config: { url: `${target.url}/first/{{ alert.fingerprint }}` } },
        { id: 'second', type: 'action.http', config: { url: `${target.url}/second/{{ alert.fingerprint }}` } },
        { id: 'mark', type: 'action.shell', config: { command: ['mkdir', `${marks}/{{ alert.fingerprint }}`] } },
      ],
      edges: [
        { source: 'am', target: 'match' },
        { source: 'match', sourcePort: 'match', target: 'first' },
        { source: 'first', sourcePort: 'ok', target: 'second' },
        { source: 'second', sourcePort: 'ok', target: 'mark' },
      ],
    };

    const start = async () => {
      server = await startServer({ dataDir, env: { SALVE_MAX_CONCURRENCY: '8', SALVE_ALLOWED_TARGETS: '127.0.0.1' } });
      return server;
    };
    let s = await start();
    expect((await s.api('POST', '/api/flows', flow)).status).toBe(201);

    const acknowledged = new Map<string, string>(); // fingerprint → execution id
    const fingerprints = Array.from({ length: ALERTS }, (_, i) => `fp${String(i).padStart(4, '0')}`);
    let kills = 0;
    let redeliveries = 0;

    // Deliver like Alertmanager: retry until a 2xx, sometimes re-send an acknowledged alert,
    // while the server is killed at random moments and restarted.
    const deliverOne = async (fp: string): Promise<boolean> => {
      try {
        const res = await fetch(`${s.url}/hooks/crash`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(amPayload([amAlert({ fingerprint: fp })])),
        });
        if (res.status !== 202) return false;
        const body = (await res.json()) as { executions: string[]; duplicates: number };
        if (body.executions[0]) acknowledged.set(fp, body.executions[0]);
        else if (body.duplicates !== 1) throw new Error(`neither an execution nor a duplicate for ${fp}`);
        return true;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('neither')) throw error;
        return false; // connection refused or reset by the kill: retry
      }
    };

    let pending = [...fingerprints];
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const killAfter = 50 + Math.random() * 400;
      const killer = letTimePass(killAfter, 'the server is killed at a random moment');
      const batch = pending.slice(0, 25);
      const extra = [...acknowledged.keys()].slice(0, 3); // re-sends of alerts already accepted
      redeliveries += extra.length;
      const results = await Promise.all([...batch, ...extra].map(async (fp) => [fp, await deliverOne(fp)] as const));
      pending = pending.filter((fp) => !results.some(([r, ok]) => r === fp && ok));
      await killer;
      const list = await s.api('GET', '/api/executions?limit=1').catch(() => undefined);
      const doneAll = pending.length === 0 && list !== undefined && (await allTerminal(s, acknowledged.size));
      if (doneAll) break;
      await s.kill();
      kills++;
      s = await start();
    }

    expect(pending).toEqual([]);
    // Let the last run finish without kills.
    const final = await waitForAllTerminal(s, ALERTS);
    expect(final.size).toBe(ALERTS);

    // Nothing lost: every acknowledged execution exists and ended.
    for (const [fp, id] of acknowledged) {
      const e = final.get(id);
      expect(e, `execution for ${fp}`).toBeDefined();
      expect(TERMINAL.has(e!.status)).toBe(true);
    }
    expect(acknowledged.size).toBe(ALERTS);

    // Idempotent steps: one key per (execution, node), never a second key for the same effect.
    const keys = target.effectsByKey();
    for (const [id] of final) {
      for (const node of ['first', 'second']) {
        const e = final.get(id)!;
        if (e.reached.has(node)) expect(keys.has(`${id}:${node}`), `${id}:${node}`).toBe(true);
      }
    }
    const distinctPerPath = new Map<string, Set<string>>();
    for (const r of target.requests) {
      const set = distinctPerPath.get(r.url) ?? new Set();
      set.add(String(r.headers['idempotency-key']));
      distinctPerPath.set(r.url, set);
    }
    for (const [path, set] of distinctPerPath) expect(set.size, `keys sent to ${path}`).toBe(1);

    // Shell steps never re-run: no mkdir ever failed because its directory already existed.
    let unknown = 0;
    for (const e of final.values()) {
      expect(e.steps.find((st: any) => st.nodeId === 'mark' && /exists/i.test(JSON.stringify(st.output ?? ''))), `re-run shell in ${e.id}`).toBeUndefined();
      if (e.status === 'needs_attention') {
        unknown++;
        expect(e.steps.some((st: any) => st.status === 'unknown' && st.nodeId === 'mark')).toBe(true);
      } else {
        expect(e.status).toBe('succeeded');
      }
    }
    const retried = target.requests.length - keys.size;
    console.log(`crash test: ${kills} kills, ${redeliveries} re-sends, ${target.requests.length} HTTP requests for ${keys.size} keys (${retried} safe retries), ${unknown} shell steps unknown`);
    expect(kills).toBeGreaterThanOrEqual(5);
    await target.close();
  }, 240_000);
});

async function listAll(s: TestServer): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: any } = await s.api('GET', `/api/executions?limit=200${cursor ? `&before=${cursor}` : ''}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

async function allTerminal(s: TestServer, expected: number): Promise<boolean> {
  try {
    const items = await listAll(s);
    return items.length >= expected && items.every((e) => TERMINAL.has(e.status));
  } catch {
    return false;
  }
}

async function waitForAllTerminal(s: TestServer, expected: number) {
  let open: string[] = [];
  const items = await waitFor(
    async () => {
      const all = await listAll(s);
      open = all.filter((e) => !TERMINAL.has(e.status)).map((e) => e.status);
      return all.length >= expected && open.length === 0 && all;
    },
    60_000,
    () => `${expected} executions to reach a final state (not terminal: ${JSON.stringify(open)})`,
  );
  const map = new Map<string, any>();
  for (const e of items) {
    const detail = (await s.api('GET', `/api/executions/${e.id}`)).body;
    map.set(e.id, { ...detail, reached: new Set(detail.steps.map((st: any) => st.nodeId)) });
  }
  return map;
}
