/**
 * Events per second over the last few seconds, minute and hour, from a ring of per-second counts: O(1) per add,
 * no allocation, 3600 slots.
 */
export class RateMeter {
  private readonly slots = new Float64Array(3600);
  private second = 0;
  private readonly startedAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
    this.second = Math.floor(this.startedAt / 1000);
  }

  add(n: number): void {
    const s = Math.floor(this.now() / 1000);
    if (s !== this.second) this.advance(s);
    this.slots[s % 3600]! += n;
  }

  /** Average rate over the last `seconds` complete seconds (fewer while the process is younger than that). */
  rate(seconds: number): number {
    const s = Math.floor(this.now() / 1000);
    if (s !== this.second) this.advance(s);
    const span = Math.max(1, Math.min(seconds, Math.floor((this.now() - this.startedAt) / 1000)));
    let sum = 0;
    for (let i = 1; i <= span; i++) sum += this.slots[(s - i + 3600) % 3600]!;
    return sum / span;
  }

  snapshot(): { now: number; m1: number; h1: number } {
    const round = (n: number) => Math.round(n * 10) / 10;
    return { now: round(this.rate(5)), m1: round(this.rate(60)), h1: round(this.rate(3600)) };
  }

  /** Zeroes the slots of the seconds that passed without events. */
  private advance(s: number): void {
    const gap = Math.min(3600, s - this.second);
    for (let i = 1; i <= gap; i++) this.slots[(this.second + i) % 3600] = 0;
    this.second = s;
  }
}

/** Lets through at most `perMinute` calls a minute and counts the rest (for logs that must not flood). */
export class LogLimiter {
  private windowStart = 0;
  private used = 0;
  suppressed = 0;

  constructor(private readonly perMinute = 20) {}

  /** Returns how many were suppressed since the last allowed call (>= 0), or -1 when this call is suppressed. */
  allow(now = Date.now()): number {
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= this.perMinute) {
      this.suppressed++;
      return -1;
    }
    this.used++;
    const s = this.suppressed;
    this.suppressed = 0;
    return s;
  }
}
