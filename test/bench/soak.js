// `BENCH_SOAK=1 npm run bench`: the whole system (source → match → http action to a local
// target, automation running) fed at a steady rate for a long time, with retention deleting,
// to see whether memory and throughput stay flat.
//
// Load: a paced open-loop sender in the bench's process, not wrk. wrk is closed-loop (each
// connection waits for its answer; Lua `delay()` only adds a pause per connection, so the rate
// depends on the server's latency) and stops after a duration, not a count. This sender starts
// requests on a clock at BENCH_SOAK_RATE per second (default 500: below the complete runs per
// second the whole-system row measures on a 2-core machine, so a backlog that grows means a
// leak or a slowdown, not a rate above capacity; far below what Node's client reaches), sends exactly
// BENCH_SOAK_ALERTS (default 300,000) and falls behind only when 200 requests are in flight.
//
// Retention: its shortest setting is 1 day and it runs 10–15 s after start, then every 5 minutes
// (runtime/engine/batch-retention.ts), so the soak's own alerts cannot expire within it. The soak
// therefore seeds BENCH_SOAK_SEED deliveries (default 5000) through the same flow first, stops
// the server, moves their timestamps two days back, and restarts it with retention at 1 day: the
// first retention runs delete them while the paced load goes on. It reports how many were deleted.
import Database from 'better-sqlite3';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertBody, runNonce } from './alert.js';
import { start } from './process.js';
import { rssMb } from './rss.js';
import { HOOK_HEADERS, remediationFlow, runCounts, startSalve, waitDrained } from './salve.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DAY_MS = 24 * 3600 * 1000;
const SAMPLE_MS = 10_000;
// Below Salve's default cap of 256 connections per client address, leaving room for /metrics.
const MAX_IN_FLIGHT = 200;
/** The verdict's tolerance: last third against middle third. */
const TOLERANCE = 0.15;

/**
 * Sends `total` alerts to `url` at `rate` per second (Infinity: as fast as MAX_IN_FLIGHT allows),
 * stopping early after `deadlineMs`. `stats` is updated as answers come; resolves with the time taken and how many were sent.
 */
function paced({ url, headers, total, rate, nonce, stats, deadlineMs = Infinity }) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`load tests target 127.0.0.1 only: ${url}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  let sent = 0;
  let inFlight = 0;
  const send = (i) => {
    inFlight++;
    const body = alertBody(`${nonce}-${i}`);
    const req = http.request(
      { agent, hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          inFlight--;
          if (res.statusCode === 202) stats.accepted++;
          else stats.refused++;
        });
      },
    );
    req.on('error', (error) => {
      inFlight--;
      stats.errors++;
      stats.errorCodes[error.code ?? error.message] = (stats.errorCodes[error.code ?? error.message] ?? 0) + 1;
    });
    req.end(body);
  };
  const t0 = performance.now();
  let limit = total;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      // Past the deadline, stop sending (the caller reports how many went out).
      if (performance.now() - t0 > deadlineMs) limit = sent;
      const due = rate === Infinity ? limit : Math.min(limit, Math.floor(((performance.now() - t0) / 1000) * rate));
      while (sent < due && inFlight < MAX_IN_FLIGHT) send(sent++);
      if (sent >= limit && inFlight === 0) {
        clearInterval(timer);
        agent.destroy();
        resolve({ seconds: (performance.now() - t0) / 1000, sent });
      }
    }, 5);
  });
}

/** Moves every stored event and (ended) execution two days back; returns how many of each. */
function age(dataDir) {
  const db = new Database(join(dataDir, 'salve.db'));
  try {
    const shift = 2 * DAY_MS;
    const events = db.prepare('UPDATE events SET received_at = received_at - ?').run(shift).changes;
    const executions = db
      .prepare('UPDATE executions SET created_at = created_at - ?, updated_at = updated_at - ?, finished_at = finished_at - ? WHERE finished_at IS NOT NULL')
      .run(shift, shift, shift).changes;
    return { events, executions };
  } finally {
    db.close();
  }
}

/** How many events and executions older than a day are left. */
function agedLeft(dataDir) {
  const db = new Database(join(dataDir, 'salve.db'), { readonly: true });
  try {
    const cutoff = Date.now() - DAY_MS;
    return {
      events: db.prepare('SELECT count(*) AS n FROM events WHERE received_at < ?').get(cutoff).n,
      executions: db.prepare('SELECT count(*) AS n FROM executions WHERE created_at < ?').get(cutoff).n,
    };
  } finally {
    db.close();
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Flat when the last third's mean RSS is within 15% above the middle third's and neither rate drops more than 15%. */
export function soakVerdict(series) {
  if (series.length < 3) return 'too short to judge (fewer than 3 samples)';
  const third = Math.floor(series.length / 3);
  const middle = series.slice(third, 2 * third);
  const last = series.slice(2 * third);
  const rss = mean(last.map((s) => s.rssMb)) / mean(middle.map((s) => s.rssMb));
  const accepted = mean(last.map((s) => s.acceptedPerSecond)) / mean(middle.map((s) => s.acceptedPerSecond));
  const runs = mean(last.map((s) => s.runsPerSecond)) / mean(middle.map((s) => s.runsPerSecond));
  const flat = rss <= 1 + TOLERANCE && accepted >= 1 - TOLERANCE && runs >= 1 - TOLERANCE;
  return `${flat ? 'FLAT' : 'NOT FLAT'}: last third / middle third: RSS ${rss.toFixed(2)} (rule ≤ ${1 + TOLERANCE}), accepted/s ${accepted.toFixed(2)}, runs/s ${runs.toFixed(2)} (rule ≥ ${1 - TOLERANCE} each)`;
}

/** Runs the soak; returns the lines it reports. */
export async function runSoak() {
  const total = Number(process.env.BENCH_SOAK_ALERTS ?? 300_000);
  const rate = Number(process.env.BENCH_SOAK_RATE ?? 500);
  const seed = Number(process.env.BENCH_SOAK_SEED ?? 5000);
  const env = { SALVE_EVENT_RETENTION_DAYS: '1', SALVE_EXECUTION_RETENTION_DAYS: '1' };
  const nonce = runNonce();
  const dataDir = mkdtempSync(join(tmpdir(), 'salve-bench-soak-'));
  const target = await start([join(HERE, 'target.js')]);
  try {
    console.error(`soak: seeding ${seed} deliveries`);
    let salve = await startSalve({ dataDir, env });
    try {
      await salve.api('POST', '/api/flows', remediationFlow('soak', 'soak', target.url));
      await paced({ url: `${salve.url}/hooks/soak`, headers: HOOK_HEADERS, total: seed, rate: Infinity, nonce: `${nonce}s`, stats: { accepted: 0, refused: 0, errors: 0, errorCodes: {} } });
      if (!(await waitDrained(salve, 'soak', 600_000)).drained) throw new Error('the seeded runs did not end within 600 s');
    } finally {
      await salve.stop();
    }
    const aged = age(dataDir);

    console.error(`soak: ${total} alerts at ${rate}/s`);
    salve = await startSalve({ dataDir, env });
    const stats = { accepted: 0, refused: 0, errors: 0, errorCodes: {} };
    const series = [];
    let left;
    let skipped = 0;
    let sent = 0;
    let drainSeconds;
    let sendSeconds;
    try {
      let last = { t: Date.now(), accepted: 0, succeeded: 0 };
      const t0 = last.t;
      // One sample at a time: when Salve is slow to answer /metrics, ticks are skipped (and
      // counted) rather than queued, so the samples stay spread over the run.
      let sampling;
      const timer = setInterval(() => {
        if (sampling) {
          skipped++;
          return;
        }
        const asked = Date.now();
        sampling = runCounts(salve, 'soak')
          .then((counts) => {
            // Read after the answer, so every figure of a sample covers the same interval.
            const now = Date.now();
            const dt = (now - last.t) / 1000;
            series.push({
              t: Math.round((now - t0) / 1000), rssMb: rssMb(salve.pid), acceptedPerSecond: (stats.accepted - last.accepted) / dt,
              runsPerSecond: (counts.succeeded - last.succeeded) / dt, active: counts.active, refused: stats.refused, errors: stats.errors, metricsMs: now - asked,
            });
            last = { t: now, accepted: stats.accepted, succeeded: counts.succeeded };
          })
          .catch((error) => console.error(`soak: sample failed: ${error.message}`))
          .finally(() => {
            sampling = undefined;
          });
      }, SAMPLE_MS);
      // A server far slower than the rate would make the soak run for hours: it stops at 3× the planned time.
      ({ seconds: sendSeconds, sent } = await paced({ url: `${salve.url}/hooks/soak`, headers: HOOK_HEADERS, total, rate, nonce: `${nonce}m`, stats, deadlineMs: 3 * (total / rate) * 1000 + 60_000 }));
      clearInterval(timer);
      await sampling;
      const t1 = Date.now();
      const drained = await waitDrained(salve, 'soak', 180_000);
      drainSeconds = drained.drained ? (Date.now() - t1) / 1000 : undefined;
    } finally {
      await salve.stop();
      left = agedLeft(dataDir);
    }

    const lines = [
      '',
      `soak: ${total} alerts at ${rate}/s (paced open loop, ≤ ${MAX_IN_FLIGHT} in flight) to the whole-system flow, ${sent < total ? `CUT SHORT at 3× the planned time after ${sent}` : 'all'} sent in ${sendSeconds.toFixed(0)} s: ` +
        `${stats.accepted} accepted, ${stats.refused} refused, ${stats.errors} errors${stats.errors ? ` (${Object.entries(stats.errorCodes).map(([code, n]) => `${n} ${code}`).join(', ')})` : ''}; backlog ${drainSeconds === undefined ? 'NOT drained within 180 s' : `drained ${drainSeconds.toFixed(1)} s after the last alert`}`,
      `retention (1 day): ${aged.events - left.events} of ${aged.events} aged events and ${aged.executions - left.executions} of ${aged.executions} aged executions deleted during the soak`,
      '',
      '| t s | RSS MB | accepted/s | runs succeeded/s | active runs | refused (total) | errors (total) | /metrics answered in ms |',
      '|---|---|---|---|---|---|---|---|',
      ...series.map((s) => `| ${s.t} | ${s.rssMb ?? 'n/a'} | ${s.acceptedPerSecond.toFixed(0)} | ${s.runsPerSecond.toFixed(0)} | ${s.active} | ${s.refused} | ${s.errors} | ${s.metricsMs} |`),
      '',
      ...(skipped ? [`${skipped} sample(s) skipped while /metrics had not answered the previous one`] : []),
      `verdict: ${soakVerdict(series)}`,
    ];
    return lines;
  } finally {
    await target.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
