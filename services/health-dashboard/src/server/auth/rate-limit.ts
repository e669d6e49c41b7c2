/**
 * Failed sign-ins per client address in a fixed window: after `max` failures the address gets 429 with
 * Retry-After until its window ends. A success does not reset the count (a guesser who knows one secret gains
 * nothing). The table is capped so spoofed or many addresses cannot grow memory.
 */
export class SignInLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const entry = this.windows.get(address);
    const at = this.now();
    if (!entry || entry.resetAt <= at) return 0;
    return entry.failures >= this.max ? Math.ceil((entry.resetAt - at) / 1000) : 0;
  }

  fail(address: string): void {
    const at = this.now();
    let entry = this.windows.get(address);
    if (!entry || entry.resetAt <= at) {
      if (this.windows.size >= this.maxAddresses) this.prune(at);
      entry = { failures: 0, resetAt: at + this.windowMs };
      this.windows.set(address, entry);
    }
    entry.failures++;
  }

  private prune(at: number): void {
    for (const [address, entry] of this.windows) if (entry.resetAt <= at) this.windows.delete(address);
    // Still full: forget the oldest windows rather than grow without bound.
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
