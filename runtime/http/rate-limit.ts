/**
 * Counts failures per key (a client address) in a fixed window that starts at the first
 * failure. Once a key has `max` failures in its window it is refused until the window ends.
 * In memory on purpose: a restart forgets the counts, which costs an attacker a restart.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(
    private readonly opts: {
      max: number;
      windowMs: number;
      now?: () => number;
      /** Keys kept before old windows are swept (bounds memory under many addresses). */
      maxKeys?: number;
    },
  ) {}

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Whole seconds until `key` may try again; 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const w = this.windows.get(key);
    const now = this.now;
    if (!w || now >= w.endsAt || w.failures < this.opts.max) return 0;
    return Math.max(1, Math.ceil((w.endsAt - now) / 1000));
  }

  fail(key: string): void {
    const now = this.now;
    const w = this.windows.get(key);
    if (w && now < w.endsAt) {
      w.failures++;
      return;
    }
    if (this.windows.size >= (this.opts.maxKeys ?? 10_000)) this.sweep(now);
    this.windows.set(key, { failures: 1, endsAt: now + this.opts.windowMs });
  }

  /** Forgets `key`'s failures (after a success). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.endsAt) this.windows.delete(key);
    // Still full: every window is live. Dropping them all keeps memory bounded; the limit is
    // per address, so an attacker with this many addresses gains little from the reset.
    if (this.windows.size >= (this.opts.maxKeys ?? 10_000)) this.windows.clear();
  }
}
