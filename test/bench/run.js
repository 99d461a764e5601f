// `npm run bench`: Salve beside its peers on one machine, in one run, each server in its own
// process, started and stopped in turn (never two measured at once), all on 127.0.0.1:
//   client ceiling (bare node:http) · bare Hono · Node-RED 4 · Salve ingest (automation paused) ·
//   Salve whole system (runs executing, complete 3-step runs per second),
// then the editor's canvas (editor.js) and replay against history (replay.js). Load comes from
// wrk (loadgen.js). Prints one Markdown table, the issue's targets with PASS/MISS, and the
// command and machine it ran on. BENCH_SOAK=1 runs the soak instead (soak.js). Stops by itself.
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNonce } from './alert.js';
import { benchEditor } from './editor.js';
import { loadGenerator } from './loadgen.js';
import { ensureNodeRed, startNodeRed } from './node-red.js';
import { start } from './process.js';
import { benchReplay } from './replay.js';
import { benchPostgres, postgresReachable } from './postgres.js';
import { peakRssMb, sampleRss } from './rss.js';
import { ADMIN_TOKEN, alertFlow, deliveryOutcomes, HOOK_HEADERS, remediationFlow, runCounts, startSalve, waitDrained } from './salve.js';
import { runSoak } from './soak.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// One wrk thread leaves the other core of a 2-core machine to the server.
const THREADS = Number(process.env.BENCH_WRK_THREADS ?? 1);
const WARMUP_SECONDS = 2;
/** How long the whole-system row waits for the runs accepted during the load to end. */
const DRAIN_MS = 180_000;

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const verdict = (ok) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');

/** The command as typed: the BENCH_* settings in effect, then node and its arguments. */
function commandLine() {
  const env = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v}`);
  return [...env, 'node', ...process.argv.slice(1).map((a) => a.replace(`${process.cwd()}/`, ''))].join(' ');
}

function machine() {
  const cpus = os.cpus();
  return [
    `command: ${commandLine()} (npm run bench builds first)`,
    `machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}, load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  ];
}

/** The table of measured rows, each also as a share of the client ceiling's 2xx/s. */
function tableLines(rows) {
  const ceiling = rows.find((r) => r.key === 'bare-node.js')?.result;
  const lines = ['', '| server | 2xx/s | p50 ms | p99 ms | non-2xx, socket errors | / ceiling |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    if (row.missing) {
      lines.push(`| ${row.name} | not measured: ${row.missing} | | | | |`);
      continue;
    }
    const r = row.result;
    lines.push(`| ${row.name} | ${fmt(r.okRps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.non2xx}, ${r.socketErrors} | ${fmt(r.okRps / ceiling.okRps, 2)} |`);
  }
  return lines;
}

/** Every request carries a fingerprint of its own: a duplicate means the load was not what it claims. */
async function checkNoDuplicates(salve, row, notes) {
  const outcomes = await deliveryOutcomes(salve);
  const others = Object.entries(outcomes).filter(([outcome, n]) => outcome !== 'accepted' && n > 0);
  if (others.length) notes.push(`warning: the ${row} row's deliveries were not all accepted as new: ${others.map(([o, n]) => `${n} ${o}`).join(', ')}`);
}

async function main() {
  if (process.env.BENCH_SOAK === '1') {
    const facts = machine();
    console.log([...(await runSoak()), ...facts].join('\n'));
    return;
  }
  const gen = await loadGenerator({ connections: CONNECTIONS, seconds: SECONDS, threads: THREADS });
  const facts = [...machine(), `load generator: ${gen.version}: ${gen.command}, ${WARMUP_SECONDS} s warm-up before each row`];
  console.error(`bench: ${gen.name}, ${SECONDS} s per row, ${CONNECTIONS} connections, 127.0.0.1`);
  const nonce = runNonce();
  let runs = 0;
  /** A warm-up, then the measured run; each with ids of its own. */
  const measure = async (url, headers) => {
    await gen.run({ url, headers, nonce: `${nonce}w${runs++}`, seconds: WARMUP_SECONDS });
    return gen.run({ url, headers, nonce: `${nonce}m${runs++}` });
  };
  const rows = [];
  const notes = [];
  /** The PostgreSQL rows (postgres.js), unless BENCH_POSTGRES=0; reported as not measured when no server answers. */
  const postgresRows = async () => {
    if (process.env.BENCH_POSTGRES === '0') return ['PostgreSQL rows skipped (BENCH_POSTGRES=0)'];
    const problem = await postgresReachable();
    if (problem) {
      rows.push({ key: 'pg', name: 'Salve on PostgreSQL', missing: `no PostgreSQL server answers (${problem}); set BENCH_DATABASE_URL` });
      return [];
    }
    const pg = await benchPostgres({ gen, connections: CONNECTIONS, nonce: `${nonce}pg`, warmupSeconds: WARMUP_SECONDS, drainMs: DRAIN_MS, here: HERE });
    rows.push(...pg.rows);
    return pg.lines;
  };

  // 1. The client ceiling, 2. the framework: each alone in its own process.
  for (const [name, file] of [
    ['client ceiling: bare node:http, reads and parses the body, 202', 'bare-node.js'],
    ['bare Hono: `await c.req.json()`, 202', 'bare-hono.js'],
  ]) {
    console.error(`bench: ${name}`);
    const server = await start([join(HERE, file)]);
    try {
      rows.push({ key: file, name, result: await measure(`${server.url}/hooks/infra`) });
    } finally {
      await server.stop();
    }
  }

  // 3. Node-RED 4: installed into the cache the first time; a failed install is reported, not fatal.
  try {
    const version = await ensureNodeRed();
    console.error(`bench: Node-RED ${version}`);
    const nodeRed = await startNodeRed();
    try {
      rows.push({ key: 'node-red', name: `Node-RED ${version}: http in → switch (severity) → change (202) → http response, stores nothing`, result: await measure(`${nodeRed.url}/hooks/infra`) });
    } finally {
      await nodeRed.stop();
    }
  } catch (error) {
    rows.push({ key: 'node-red', name: 'Node-RED 4', missing: String(error.message ?? error).split('\n')[0] });
  }

  // 4. Salve's ingest path: bearer check, parse, normalize, match, event + execution committed,
  // 202; automation paused, so nothing runs and every accepted alert stays queued.
  console.error('bench: Salve ingest, automation paused');
  const rss = {};
  {
    const salve = await startSalve();
    const sampler = sampleRss(salve.pid);
    try {
      await salve.api('POST', '/api/flows', alertFlow('ingest', 'infra'));
      await salve.api('POST', '/api/automation/pause');
      const result = await measure(`${salve.url}/hooks/infra`, HOOK_HEADERS);
      rows.push({ key: 'ingest', name: 'Salve ingest: bearer, normalize, match, event + execution committed, 202 (automation paused)', result });
      const { active } = await runCounts(salve, 'ingest');
      if (active === 0) notes.push('warning: nothing was queued during the paused row');
      await checkNoDuplicates(salve, 'ingest', notes);
    } finally {
      rss.ingest = { ...sampler.stop(), hwmMb: peakRssMb(salve.pid) };
      await salve.stop();
    }
  }

  // 5. The whole system: source → condition.match → action.http to a target in its own process,
  // automation running. Accepted/s and latency while runs execute; then the backlog drains
  // after wrk stops, and complete runs/s counts from the first request to the last run's end.
  if (process.env.BENCH_POSTGRES === 'only') {
    // Without the whole-system row, the editor and replay: the rows above, then PostgreSQL's (a quicker run while working on them).
    const pgLines = await postgresRows();
    console.log([...tableLines(rows), '', ...pgLines, ...notes, ...facts].join('\n'));
    return;
  }
  console.error('bench: Salve whole system');
  let whole;
  let editorLines = ['editor bench skipped (BENCH_EDITOR=0)'];
  {
    const target = await start([join(HERE, 'target.js')]);
    const salve = await startSalve();
    const sampler = sampleRss(salve.pid);
    try {
      await salve.api('POST', '/api/flows', remediationFlow('whole', 'whole', target.url));
      const url = `${salve.url}/hooks/whole`;
      await gen.run({ url, headers: HOOK_HEADERS, nonce: `${nonce}w${runs++}`, seconds: WARMUP_SECONDS });
      const warm = await waitDrained(salve, 'whole', DRAIN_MS);
      if (!warm.drained) throw new Error('the warm-up runs did not end within 180 s');
      const t0 = Date.now();
      const result = await gen.run({ url, headers: HOOK_HEADERS, nonce: `${nonce}m${runs++}` });
      const atEnd = await runCounts(salve, 'whole');
      const drained = await waitDrained(salve, 'whole', DRAIN_MS);
      const seconds = (Date.now() - t0) / 1000;
      // Runs created by the measured load, counted by the server: wrk's count leaves out the
      // requests still in flight when it stopped, which Salve accepted and ran all the same.
      const sum = (ended) => Object.values(ended).reduce((a, b) => a + b, 0);
      const accepted = sum(drained.ended) + drained.active - sum(warm.ended);
      const succeeded = drained.succeeded - warm.succeeded;
      const other = Object.entries(drained.ended)
        .filter(([status]) => status !== 'succeeded')
        .map(([status, n]) => `${n - (warm.ended[status] ?? 0)} ${status}`)
        .filter((s) => !s.startsWith('0 '));
      whole = { result, accepted, succeeded, seconds, drained: drained.drained, other, runsPerSecond: succeeded / seconds, windowRunsPerSecond: (atEnd.succeeded - warm.succeeded) / result.seconds };
      await checkNoDuplicates(salve, 'whole-system', notes);
      rows.push({ key: 'whole', name: 'Salve whole system: accepted while runs execute (source → match → http action to a local target)', result });
      rss.whole = { ...sampler.stop(), hwmMb: peakRssMb(salve.pid) };
      // The editor's canvas, in a real browser against this server (after its load ended).
      // A failure there is reported beside the server figures, not instead of them.
      if (process.env.BENCH_EDITOR !== '0') {
        editorLines = await benchEditor(salve.url, ADMIN_TOKEN).catch((error) => [`editor bench FAILED: ${String(error.message ?? error).split('\n')[0]}`]);
      }
    } finally {
      rss.whole ??= { ...sampler.stop(), hwmMb: peakRssMb(salve.pid) };
      await salve.stop();
      await target.stop();
    }
  }

  // 6. Salve on PostgreSQL: 1 and 2 processes.
  const pgLines = await postgresRows();

  // The report.
  const ceiling = rows.find((r) => r.key === 'bare-node.js')?.result;
  const get = (key) => rows.find((r) => r.key === key)?.result;
  const lines = tableLines(rows);
  lines.push(
    '',
    `complete 3-step runs (every step persisted): ${whole.succeeded} succeeded of ${whole.accepted} runs created by the measured load, in ${fmt(whole.seconds, 1)} s ` +
      `from the first measured request to the last run's end = **${fmt(whole.runsPerSecond)} runs/s**` +
      `${whole.drained ? '' : ' (NOT drained after 180 s: the figure counts only the runs that ended)'}; during the ${fmt(whole.result.seconds, 1)} s of load: ${fmt(whole.windowRunsPerSecond)} runs/s` +
      `${whole.other.length ? `; other endings: ${whole.other.join(', ')}` : ''}`,
    `Salve peak resident memory: ingest row ${rss.ingest.hwmMb ?? 'n/a'} MB (VmHWM; max of ${rss.ingest.samples} 1 s samples ${rss.ingest.maxMb ?? 'n/a'} MB), ` +
      `whole-system row ${rss.whole.hwmMb ?? 'n/a'} MB (VmHWM; max of ${rss.whole.samples} samples ${rss.whole.maxMb ?? 'n/a'} MB)`,
    ...pgLines,
  );
  const ingest = get('ingest');
  const nodeRed = get('node-red');
  const hono = get('bare-hono.js');
  const peak = Math.max(rss.ingest.hwmMb ?? 0, rss.whole.hwmMb ?? 0) || undefined;
  const targets = [
    ['Salve ingest / Node-RED (2xx/s)', nodeRed ? ingest.okRps / nodeRed.okRps : undefined, '≥ 3', (v) => v >= 3, 2],
    ['Salve ingest / bare Hono (2xx/s)', ingest.okRps / hono.okRps, '≥ 1.0', (v) => v >= 1, 2],
    ['complete 3-step runs/s', whole.runsPerSecond, '≥ 2000', (v) => v >= 2000, 0],
    ['ingest p99, automation paused (ms)', ingest.p99, '< 50', (v) => v < 50, 1],
    ['ingest p99 while runs execute (ms)', whole.result.p99, '< 50', (v) => v < 50, 1],
    ['Salve peak RSS (MB)', peak, '< 200', (v) => v < 200, 0],
  ];
  lines.push('', '| target | measured | goal | |', '|---|---|---|---|');
  for (const [name, value, goal, ok, d] of targets) lines.push(`| ${name} | ${fmt(value, d)} | ${goal} | ${verdict(value === undefined ? undefined : ok(value))} |`);
  // The ceiling rule: a server figure within 2× of the ceiling may be the client's limit, not the server's.
  for (const [name, value] of [['Salve ingest', ingest.okRps], ['Salve whole system (accepted)', whole.result.okRps]]) {
    if (value * 2 > ceiling.okRps) notes.push(`warning: ${name} (${fmt(value)}/s) is within 2× of the client ceiling (${fmt(ceiling.okRps)}/s): the load generator or the machine may be the limit, not Salve`);
  }
  lines.push('', ...notes, ...facts, '', ...editorLines);
  console.log(lines.join('\n'));
  // Replay against history: 10,000 stored deliveries, on a server of its own.
  console.log((process.env.BENCH_REPLAY === '0' ? ['replay bench skipped (BENCH_REPLAY=0)'] : await benchReplay()).join('\n'));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
