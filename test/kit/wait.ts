/**
 * The test suite's only ways to wait. A test waits for a condition (`waitFor`), for the engine
 * to finish what it started (`engine.idle()`, in the production code), or — where the scenario
 * itself needs wall time — through a helper whose name and reason say so. A bare
 * `setTimeout` sleep before a check proves nothing when it is negative and flakes under load
 * when it is positive (test/architecture/boundaries.test.ts keeps them out of *.test.ts files).
 */

/** Why a wait timed out: what was awaited, for how long, and the last value seen. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/** What a check returns while the condition does not hold yet. */
type Falsy = false | 0 | '' | null | undefined;

/** Polling starts fast (a condition a few ms away) and backs off to this, to spare a loaded machine. */
const MAX_INTERVAL_MS = 50;

/**
 * Polls `check` until it returns a truthy value, and returns that value. `what` names what is
 * awaited (default: the check's source text), or is a function that says so at the timeout (to
 * tell what was still missing); a timeout throws with it and the last value seen. An error
 * thrown by `check` fails the wait at once.
 */
export async function waitFor<T>(check: () => T | Falsy | Promise<T | Falsy>, timeoutMs = 15_000, what?: string | (() => string)): Promise<T> {
  const end = Date.now() + timeoutMs;
  let interval = 5;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > end) {
      const awaited = typeof what === 'function' ? what() : (what ?? String(check));
      throw new WaitTimeout(`timed out after ${timeoutMs} ms waiting for ${awaited}; last value seen: ${shown(value)}`);
    }
    await pause(interval);
    interval = Math.min(MAX_INTERVAL_MS, interval * 2);
  }
}

/**
 * Lets `ms` of wall time pass, for a scenario that needs real time to elapse: a lease must
 * expire, a timeout must be exceeded, a kill must land at a random moment. `why` says which, in
 * the test's own words; it is not a way to wait for a result (use `waitFor` or `idle()`).
 */
export function letTimePass(ms: number, _why: string): Promise<void> {
  return pause(ms);
}

/**
 * Resolves once `Date.now()` has moved past its value at the call: what happens next carries a
 * later millisecond than anything before (time-ordered ids, timestamps that must differ).
 */
export async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start) await pause(1);
}

/**
 * A simulated peer takes `ms` to act: a slow or jittery target answering, a sender pausing
 * before it retries. Part of the scenario under test, not a wait before a check.
 */
export function simulatedDelay(ms: number, _why: string): Promise<void> {
  return pause(ms);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 500 ? `${json.slice(0, 500)}…` : json;
  } catch {
    // A cycle or a BigInt: fall back to String().
  }
  return String(value);
}
