import type { StateEvent } from '@homeiq/storage';

const SIZE = 4096;

/**
 * Lag from an event's time (last_updated = time fired in HA) to its commit, over the last SIZE live events.
 * Backfilled events (origin null) are old by nature and not counted. One Date.now() per committed batch.
 */
export class LagTracker {
  private readonly ring = new Float64Array(SIZE);
  private count = 0;

  readonly onStored = (events: readonly StateEvent[]): void => {
    const nowUs = Date.now() * 1000;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.origin === null) continue;
      this.ring[this.count % SIZE] = (nowUs - e.time) / 1000;
      this.count++;
    }
  };

  percentiles(): { p50: number | null; p99: number | null; samples: number } {
    const n = Math.min(this.count, SIZE);
    if (n === 0) return { p50: null, p99: null, samples: 0 };
    const sorted = this.ring.slice(0, n).sort(); // typed-array sort: numeric, no comparator calls
    const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 10) / 10;
    return { p50: at(0.5), p99: at(0.99), samples: n };
  }
}
