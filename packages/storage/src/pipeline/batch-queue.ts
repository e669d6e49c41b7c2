import type { Logger } from '@homeiq/core';
import type { StateEvent } from '../types';
import type { Spool, SpoolReader } from './spool';

interface Entry {
  events: StateEvent[];
  /** Events of this record already taken into batches. */
  used: number;
  at: number;
  /** Spool position just after the record. */
  end: number;
  /** Payload bytes counted against the memory bound (0 for records re-read from disk). */
  bytes: number;
  /** Counted against the memory bound (false for records re-read from disk). */
  memory: boolean;
}

export interface TakenBatch {
  events: StateEvent[];
  /** End position of the last record whose final event is in this batch; -1 when none ends here. */
  commitTo: number;
  firstAt: number;
}

/**
 * The events waiting for a batch, in spool order. Recent records are kept parsed in memory up to a bound (events and
 * record bytes); past that the queue "spills": new records are only on disk, and once the in-memory
 * ones are taken, records are read back and decoded from the spool, one at a time, until the reader reaches the
 * end of the spool. A long outage therefore costs disk, not memory. Replay after a restart starts spilled.
 */
export class BatchQueue {
  private entries: Array<Entry | undefined> = [];
  private head = 0;
  private memBytes = 0;
  private memEvents = 0;
  private reader: SpoolReader | undefined;
  /** True while records after `diskPos` exist only on disk. */
  spilled = false;
  private diskPos = 0;
  private spillAt = 0;
  /** Events accepted or replayed and not yet taken into a batch. */
  unbatched = 0;

  constructor(
    private readonly spool: Spool,
    private readonly decode: (record: Buffer) => StateEvent[],
    private readonly memory: { maxEvents: number; maxBytes: number },
    private readonly logger: Logger,
  ) {}

  /** A record just appended to the spool at [start, end). */
  push(events: StateEvent[], bytes: number, at: number, start: number, end: number): void {
    this.unbatched += events.length;
    if (this.spilled) return;
    const over = this.memEvents + events.length > this.memory.maxEvents || this.memBytes + bytes > this.memory.maxBytes;
    if (this.memEvents > 0 && over) {
      this.spilled = true;
      this.diskPos = start;
      this.spillAt = at;
      return;
    }
    this.entries.push({ events, used: 0, at, end, bytes, memory: true });
    this.memBytes += bytes;
    this.memEvents += events.length;
  }

  /** Records left in the spool from before a restart: read back from `from`. */
  replay(from: number, events: number, now: number): void {
    this.unbatched += events;
    this.spilled = true;
    this.diskPos = from;
    this.spillAt = now;
  }

  /** Accept time of the oldest event not yet batched; null when there is none. */
  oldestAt(): number | null {
    const e = this.entries[this.head];
    if (e) return e.at;
    return this.spilled ? this.spillAt : null;
  }

  /** Reads one record from disk into the queue; false when the reader has reached the end of the spool. */
  private fill(): boolean {
    this.reader ??= this.spool.reader(this.diskPos);
    const rec = this.reader.next();
    if (!rec) {
      this.reader.close();
      this.reader = undefined;
      this.spilled = false;
      return false;
    }
    this.diskPos = rec.end;
    this.spillAt = rec.at;
    let events: StateEvent[];
    try {
      events = this.decode(rec.payload);
    } catch (error) {
      // A record that no longer decodes cannot be stored; say so loudly and keep going.
      this.logger.error({ at: rec.start, events: rec.count, err: String(error) }, 'spool: record does not decode');
      events = [];
    }
    this.unbatched += events.length - rec.count;
    this.entries.push({ events, used: 0, at: rec.at, end: rec.end, bytes: 0, memory: false });
    return true;
  }

  /** Up to `max` events, oldest first, with the spool position they complete. */
  take(max: number): TakenBatch | undefined {
    const events: StateEvent[] = [];
    let commitTo = -1;
    let firstAt = Number.POSITIVE_INFINITY;
    while (events.length < max) {
      let e = this.entries[this.head];
      if (!e) {
        if (!this.spilled || !this.fill()) break;
        e = this.entries[this.head]!;
      }
      const n = Math.min(e.events.length - e.used, max - events.length);
      for (let i = 0; i < n; i++) events.push(e.events[e.used + i]!);
      e.used += n;
      if (e.at < firstAt) firstAt = e.at;
      if (e.used === e.events.length) {
        commitTo = e.end;
        this.memBytes -= e.bytes;
        if (e.memory) this.memEvents -= e.events.length;
        this.entries[this.head] = undefined;
        this.head++;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.unbatched -= events.length;
    if (events.length === 0 && commitTo === -1) return undefined;
    return { events, commitTo, firstAt };
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
}
