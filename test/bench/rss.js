// Resident memory of a process (Linux /proc): the current figure (VmRSS), the kernel's
// high-water mark (VmHWM), and a sampler that reads VmRSS every second and keeps the max.
import { readFileSync } from 'node:fs';

function statusKb(pid, field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const mb = (kb) => (kb === undefined ? undefined : Math.round(kb / 1024));

/** Current resident set in MB, or undefined (process gone, or not Linux). */
export const rssMb = (pid) => mb(statusKb(pid, 'VmRSS'));

/** Peak resident set since the process started, in MB, or undefined. */
export const peakRssMb = (pid) => mb(statusKb(pid, 'VmHWM'));

/** Samples VmRSS of `pid` every `everyMs`; stop() returns { maxMb, samples }. */
export function sampleRss(pid, everyMs = 1000) {
  let maxMb;
  let samples = 0;
  const take = () => {
    const now = rssMb(pid);
    if (now === undefined) return;
    samples++;
    maxMb = Math.max(maxMb ?? 0, now);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { maxMb, samples };
    },
  };
}
