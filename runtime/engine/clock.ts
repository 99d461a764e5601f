/** Time source, injected so tests of timeouts and deadlines are exact. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
