// Test doubles for pipeline mechanics: an in-memory store (idempotent by (entityId, time), like the real ones)
// that can be taken down, slowed, or made to refuse events. Store behaviour itself is tested on the real backends.
import { StoreError } from '../src/errors';
import type { StateEvent, TimeSeriesStore, WriteResult } from '../src/types';

export function event(i: number, over: Partial<StateEvent> = {}): StateEvent {
  return {
    entityId: `sensor.s${i % 17}`,
    time: 1_700_000_000_000_000 + i,
    lastChanged: 1_700_000_000_000_000 + i,
    state: String(i),
    removed: false,
    attributes: { unit_of_measurement: '°C', n: i },
    contextId: `ctx-${i}`,
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: null,
    deviceId: null,
    ...over,
  };
}

export const keyOf = (e: StateEvent) => `${e.entityId}|${e.time}`;

export class MemoryStore {
  readonly kind: 'sqlite' | 'influxdb';
  readonly rows = new Map<string, StateEvent>();
  /** How many times each event reached the store (a replay writes again; the store keeps one copy). */
  readonly writesPerKey = new Map<string, number>();
  /** Each successful call's events, in the order calls completed. */
  readonly calls: StateEvent[][] = [];
  attempts = 0;
  attemptTimes: number[] = [];
  down = false;
  retryAfterMs: number | undefined;
  delayMs: () => number = () => 0;
  /** Per event: a reason to refuse it in WriteResult.rejected. */
  refuse: (e: StateEvent) => string | undefined = () => undefined;
  /** Per event: when it is in a batch, the whole call fails with a non-retryable error. */
  poison: (e: StateEvent) => boolean = () => false;

  constructor(kind: 'sqlite' | 'influxdb' = 'influxdb') {
    this.kind = kind;
  }

  asStore(): TimeSeriesStore {
    return this as unknown as TimeSeriesStore;
  }

  async writeEvents(events: StateEvent[]): Promise<WriteResult> {
    this.attempts++;
    this.attemptTimes.push(Date.now());
    const delay = this.delayMs();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (this.down) {
      throw new StoreError('store down', {
        retryable: true,
        ...(this.retryAfterMs ? { retryAfterMs: this.retryAfterMs } : {}),
      });
    }
    if (events.some(this.poison)) throw new StoreError('poison in batch', { retryable: false, status: 400 });
    const rejected: WriteResult['rejected'] = [];
    let written = 0;
    let duplicates = 0;
    events.forEach((e, index) => {
      const reason = this.refuse(e);
      if (reason) {
        rejected.push({ index, reason });
        return;
      }
      const k = keyOf(e);
      this.writesPerKey.set(k, (this.writesPerKey.get(k) ?? 0) + 1);
      if (this.rows.has(k)) duplicates++;
      else written++;
      this.rows.set(k, e);
    });
    this.calls.push(events);
    return { written, duplicates, rejected };
  }
}
