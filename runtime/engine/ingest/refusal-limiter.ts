/** Refused deliveries stored per path per minute (every unknown path together counts as one); the rest are only counted. */
export const REFUSALS_PER_PATH_PER_MINUTE = 60;

/**
 * Per key, per minute: at most `max` refused deliveries are stored; the others are counted,
 * logged, and reported on the next stored one (`suppressedBefore`). The key is the hook path
 * when a flow (enabled or disabled) names it, else one shared key for every unknown path
 * (event-recorder.ts), so memory is one entry per flow path plus one.
 */
export class RefusalLimiter {
  private readonly windows = new Map<string, { start: number; stored: number; dropped: number; unreported: number }>();

  constructor(
    private readonly max = REFUSALS_PER_PATH_PER_MINUTE,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Whether to store a refusal on `path` now. `suppressed`: how many were not stored since the
   * last stored one; `closedWindowDropped`: the count dropped in the window that just ended (for the log).
   */
  admit(path: string, now: number): { store: boolean; suppressed: number; closedWindowDropped: number; firstDrop: boolean } {
    let w = this.windows.get(path);
    let closedWindowDropped = 0;
    if (!w || now - w.start >= this.windowMs || now < w.start) {
      closedWindowDropped = w?.dropped ?? 0;
      w = { start: now, stored: 0, dropped: 0, unreported: w?.unreported ?? 0 };
      this.windows.set(path, w);
    }
    if (w.stored < this.max) {
      w.stored++;
      const suppressed = w.unreported;
      w.unreported = 0;
      return { store: true, suppressed, closedWindowDropped, firstDrop: false };
    }
    w.dropped++;
    w.unreported++;
    return { store: false, suppressed: 0, closedWindowDropped, firstDrop: w.dropped === 1 };
  }
}
