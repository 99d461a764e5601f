// Picks the load generator: wrk when it is installed or can be (wrk.js), else autocannon
// (autocannon.js). BENCH_LOADGEN=autocannon forces the fallback (to test it).
import { ensureAutocannon, runAutocannon } from './autocannon.js';
import { ensureWrk, runWrk, wrkVersion } from './wrk.js';

/** { name, version, describe(opts), run(opts) } where run resolves with parseWrk's figures. */
export async function loadGenerator({ connections, seconds, threads }) {
  const wrk = process.env.BENCH_LOADGEN === 'autocannon' ? undefined : ensureWrk();
  if (wrk) {
    return {
      name: 'wrk',
      version: wrkVersion(wrk),
      command: `wrk -t${threads} -c${connections} -d${seconds}s --latency --timeout 10s -s <alert.lua> <url>`,
      run: (opts) => runWrk({ wrk, connections, threads, seconds, ...opts }),
    };
  }
  const version = await ensureAutocannon();
  return {
    name: 'autocannon',
    version: `autocannon ${version} (wrk not available)`,
    command: `autocannon -c ${connections} -d ${seconds} (in the bench's process)`,
    run: (opts) => runAutocannon({ connections, seconds, ...opts }),
  };
}
