import { afterEach, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';
import { roundRobin } from '../kit/proxy.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * The scale-out promise end to end: three `salve serve --database` processes on one PostgreSQL
 * database behind a round-robin proxy. 2,000 alerts with distinct fingerprints are posted through
 * the proxy, re-sent like Alertmanager until a 2xx, while one process is killed with SIGKILL at a
 * random moment and started again. Then: every acknowledged alert has its run, each run ended
 * once, and the loopback target saw one Idempotency-Key per effect (no side effect twice); the
 * schedule that fires every second ran once per tick; each approval, decided through two
 * processes at the same moment, counted once.
 */

const ALERTS = 2_000;
const APPROVALS = 20;
const TOKEN = 'cluster-admin-token-0123456789abcdef';
const MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
const TERMINAL = new Set(['succeeded', 'no_action', 'failed', 'needs_attention', 'cancelled', 'timed_out']);

describe.runIf(postgresAvailable)('three Salve processes on one PostgreSQL database, one killed with SIGKILL', () => {
  const processes = postgresProcesses();
  const servers: (TestServer | undefined)[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s?.stop();
    for (const d of dirs.splice(0)) {
      removeDir(d);
      removeDir(`${d}-config`);
    }
  });

  it('loses no acknowledged alert, runs nothing twice, repeats no side effect', async () => {
    const database = await processes.database();
    const target = await startTarget(async () => ({ status: 200, body: '{"ok":true}' }));
    const env = { SALVE_DATABASE_URL: database.url, SALVE_MASTER_KEY: MASTER_KEY, SALVE_ALLOWED_TARGETS: '127.0.0.1', SALVE_MAX_CONCURRENCY: '8' };
    const start = (dataDir: string) => startServer({ dataDir, token: TOKEN, env });
    for (let i = 0; i < 3; i++) {
      dirs.push(tempDataDir());
      servers.push(await start(dirs[i]!));
    }
    const proxy = await roundRobin(() => servers.filter((s): s is TestServer => s !== undefined).map((s) => s.url));
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(proxy.url + path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };

    const effect = {
      format: 'salve.flow/v1',
      id: 'effect',
      name: 'one effect per alert',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'cluster', auth: { type: 'none' } } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/effect/{{ alert.fingerprint }}` } },
      ],
      edges: [{ source: 'am', target: 'call' }],
    };
    const schedule = {
      format: 'salve.flow/v1',
      id: 'every-second',
      name: 'every second',
      enabled: true,
      nodes: [
        { id: 'tick', type: 'source.schedule', config: { cron: '* * * * * *', catchUpSeconds: 60 } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/tick/{{ alert.startsAt }}` } },
      ],
      edges: [{ source: 'tick', target: 'call' }],
    };
    const ask = {
      format: 'salve.flow/v1',
      id: 'ask',
      name: 'approve, then act',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'cluster-ask', auth: { type: 'none' } } },
        { id: 'ask', type: 'approval.request', config: { message: 'act on {{ alert.fingerprint }}?', timeoutSeconds: 3600, allowSelfApproval: true } },
        { id: 'call', type: 'action.http', config: { url: `${target.url}/approved/{{ alert.fingerprint }}` } },
      ],
      edges: [
        { source: 'am', target: 'ask' },
        { source: 'ask', sourcePort: 'approved', target: 'call' },
      ],
    };
    expect((await api('POST', '/api/flows', effect)).status).toBe(201);
    expect((await api('POST', '/api/flows', schedule)).status).toBe(201);
    expect((await api('POST', '/api/flows', ask)).status).toBe(201);
    // Every process routes the path once its tick saw the new flow.
    for (const s of servers) await waitFor(async () => (await fetch(`${s!.url}/hooks/cluster`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404);

    const acknowledged = new Map<string, string>(); // fingerprint → execution id
    // Alerts whose first 202 was lost with the killed process: the re-send found their run.
    const duplicated = new Set<string>();
    let refusals = 0;
    /** Sends one alert like Alertmanager: again until a 2xx. */
    const deliver = async (fp: string) => {
      for (;;) {
        try {
          const res = await fetch(`${proxy.url}/hooks/cluster`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint: fp })])) });
          if (res.status === 202) {
            const body = (await res.json()) as { executions: string[]; duplicates: number };
            // A re-send of an alert whose first answer was lost is a duplicate of the run it made.
            if (body.executions[0]) {
              expect(acknowledged.has(fp), `${fp} acknowledged with a second run`).toBe(false);
              acknowledged.set(fp, body.executions[0]);
            } else {
              expect(body.duplicates).toBe(1);
              duplicated.add(fp);
            }
            return;
          }
          refusals++;
        } catch {
          refusals++;
        }
      }
    };

    // One process is killed once a random share of the alerts is in, and started again.
    const killAt = 300 + Math.floor(Math.random() * 1_200);
    const victim = Math.floor(Math.random() * 3);
    let restarted: Promise<void> | undefined;
    const fingerprints = Array.from({ length: ALERTS }, (_, i) => `fp-${String(i).padStart(5, '0')}`);
    const senders = Array.from({ length: 16 }, async (_, lane) => {
      for (let i = lane; i < ALERTS; i += 16) {
        if (i === killAt) {
          restarted = (async () => {
            const dying = servers[victim]!;
            servers[victim] = undefined;
            await dying.kill();
            servers[victim] = await start(dirs[victim]!);
          })();
        }
        await deliver(fingerprints[i]!);
      }
    });
    await Promise.all(senders);
    await restarted;

    // Every acknowledged alert has its run, and each ends: a dead process's runs are adopted by
    // the others once their leases end (and its unclaimed jobs come back after their expiry).
    expect(acknowledged.size + duplicated.size).toBe(ALERTS);
    /** Every run of the flow, page by page; undefined when a page was not answered (a process restarting): asked again. */
    const listAll = async () => {
      const items: { id: string; status: string }[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { items: { id: string; status: string }[]; nextCursor: string | null } } = await api('GET', `/api/executions?flowId=effect&limit=200${cursor ? `&before=${cursor}` : ''}`);
        if (res.status !== 200) return undefined;
        items.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      return items;
    };
    let open: { id: string; status: string }[] = [];
    // A dead process's runs come back within a lease (30 s) or a job expiry (30 s) plus pg-boss's
    // upkeep interval (10 s); the rest is the backlog of 2,000 runs.
    const runs = await waitFor(
      async () => {
        const all = await listAll();
        if (!all) return undefined;
        open = all.filter((r) => !TERMINAL.has(r.status));
        return all.length === ALERTS && open.length === 0 && all;
      },
      150_000,
      () => `${ALERTS} runs to end (${open.length} not ended: ${JSON.stringify(open.slice(0, 5))}; process ${victim} was killed after ${killAt} alerts)`,
    );
    // One run per alert: 2,000 runs, among them every run an answer named (and below, one effect per fingerprint).
    const ids = new Set(runs.map((r) => r.id));
    expect(ids.size).toBe(ALERTS);
    for (const [fp, id] of acknowledged) expect(ids.has(id), `the run of ${fp}`).toBe(true);
    // The step is idempotent (Idempotency-Key): retried after the kill if need be, never failed.
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);

    // One side effect per alert: every path got exactly one Idempotency-Key.
    const keysByPathNow = () => {
      const byPath = new Map<string, Set<string>>();
      for (const r of target.requests) {
        const set = byPath.get(r.url) ?? new Set<string>();
        set.add(String(r.headers['idempotency-key']));
        byPath.set(r.url, set);
      }
      return byPath;
    };
    const keysByPath = keysByPathNow();
    for (const fp of fingerprints) expect(keysByPath.get(`/effect/${fp}`)?.size, `keys sent for ${fp}`).toBe(1);

    // Approvals: each decided through two processes at the same moment counts once (one 200, one
    // 409), and its run goes on once.
    const asks = Array.from({ length: APPROVALS }, (_, i) => `ask-${i}`);
    for (const fp of asks) {
      const res = await fetch(`${proxy.url}/hooks/cluster-ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint: fp })])) });
      expect(res.status).toBe(202);
    }
    const pending = await waitFor(async () => {
      const items = (await api('GET', '/api/approvals?status=pending&limit=100')).body?.items as { id: string }[] | undefined;
      return items?.length === APPROVALS && items;
    }, 30_000, `${APPROVALS} pending approvals`);
    const live = servers as TestServer[];
    for (const approval of pending) {
      const answers = await Promise.all([live[0]!, live[1]!].map((s) => s.api('POST', `/api/approvals/${approval.id}`, { decision: 'approve' })));
      expect(answers.map((a) => a.status).sort(), `approval ${approval.id} decided through two processes at once`).toEqual([200, 409]);
    }
    const askRuns = async () => ((await api('GET', '/api/executions?flowId=ask&limit=100')).body?.items ?? []) as { status: string }[];
    await waitFor(async () => {
      const items = await askRuns();
      return items.length === APPROVALS && items.every((r) => r.status === 'succeeded');
    }, 60_000, 'the approved runs to succeed');
    for (const fp of asks) expect(keysByPathNow().get(`/approved/${fp}`)?.size, `effects after approving ${fp}`).toBe(1);

    // The schedule fires every second: each tick ran once across the three processes, through the
    // kill and the restart (a tick run twice would be two runs, so two Idempotency-Keys for its
    // path). While a tick's run waits behind the backlog the next ticks are skipped as overlaps,
    // so the count is only bounded below: the schedule kept firing after the chaos.
    const tickPaths = () => [...keysByPathNow().entries()].filter(([path]) => path.startsWith('/tick/'));
    const ticks = await waitFor(() => {
      const now = tickPaths();
      return now.length >= 5 && now;
    }, 30_000, 'five schedule ticks');
    for (const [path, keys] of ticks) expect(keys.size, `runs of ${path}`).toBe(1);
    console.log(
      `cluster: ${ALERTS} alerts through 3 processes, process ${victim} killed after ${killAt} and restarted; ${refusals} refused or cut deliveries re-sent (${duplicated.size} found their run); ` +
        `${target.requests.length - ALERTS - APPROVALS - ticks.length} safe HTTP retries; ${ticks.length} schedule tick(s), each once; ${APPROVALS} approvals decided through two processes at once, each counted once`,
    );
    await proxy.close();
    await target.close();
  }, 300_000);
});
