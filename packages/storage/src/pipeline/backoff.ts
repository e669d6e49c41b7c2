/** Retry timing of the writer: quick retries first, then outage mode with capped, jittered exponential backoff. */
export interface BackoffOptions {
  /** Quick retries before outage mode (MAX_RETRIES). */
  maxRetries: number;
  /** First quick retry delay, ms (doubles per retry). */
  retryBaseMs: number;
  /** First outage delay, ms (doubles per failure). */
  outageBaseMs: number;
  /** Longest outage delay, ms. */
  outageMaxMs: number;
}

/**
 * Delay before the next attempt after `failures` consecutive failures (1-based). Quick retries are
 * retryBaseMs * 2^(n-1); after maxRetries, outage delays double from outageBaseMs up to outageMaxMs, with jitter
 * (50-100% of the value) so that many clients do not hammer a recovering server in step. A server's
 * Retry-After is a floor (capped at 10 minutes).
 */
export function retryDelay(o: BackoffOptions, failures: number, retryAfterMs?: number, random = Math.random): number {
  let delay: number;
  if (failures <= o.maxRetries) delay = o.retryBaseMs * 2 ** (failures - 1);
  else {
    const exp = Math.min(30, failures - o.maxRetries - 1);
    const capped = Math.min(o.outageMaxMs, o.outageBaseMs * 2 ** exp);
    delay = capped * (0.5 + 0.5 * random());
  }
  if (retryAfterMs !== undefined && retryAfterMs > delay) delay = Math.min(retryAfterMs, 600_000);
  return Math.round(delay);
}

/** Write latencies of the last N store calls, for p50/p99 without keeping history. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private n = 0;

  constructor(size = 512) {
    this.values = new Float64Array(size);
  }

  add(ms: number): void {
    this.values[this.n % this.values.length] = ms;
    this.n++;
  }

  percentiles(): { p50: number | null; p99: number | null } {
    const count = Math.min(this.n, this.values.length);
    if (count === 0) return { p50: null, p99: null };
    const sorted = Array.from(this.values.subarray(0, count)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))]!;
    return { p50: at(0.5), p99: at(0.99) };
  }
}
