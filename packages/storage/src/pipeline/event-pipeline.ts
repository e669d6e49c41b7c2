import { HomeIqError, type Logger } from '@homeiq/core';
import type { EventPipeline, PipelineStats } from '../pipeline-types';
import type { StateEvent, TimeSeriesStore, WriteResult } from '../types';
import { LatencyWindow, retryDelay } from './backoff';
import { BatchQueue } from './batch-queue';
import { DeadLetter } from './dead-letter';
import { Spool } from './spool';

export interface EventPipelineOptions {
  store: TimeSeriesStore;
  /** The spool folder (HOMEIQ_DATA_DIR/spool). */
  dir: string;
  /** BATCH_SIZE: events per store write in steady state. */
  batchSize: number;
  /** BATCH_TIMEOUT: longest an event waits for its batch, ms. */
  batchTimeoutMs: number;
  /** MAX_RETRIES: quick retries before outage mode. */
  maxRetries: number;
  /** SPOOL_MAX_BYTES: quota of not-yet-stored bytes; at 100% stats().full turns true. */
  spoolMaxBytes: number;
  deadLetterPath: string;
  logger: Logger;
  /** Turns a record given to accept() back into its events (replay, and reading back a spilled backlog). */
  decode?: (record: Buffer) => StateEvent[];
  /** Encodes events accept() got without a record (default: JSON). */
  encode?: (events: StateEvent[]) => Uint8Array;
  /** Concurrent store writes while catching up (default 4 for InfluxDB, 1 for SQLite). */
  concurrency?: number;
  /** Events per write while catching up (default max(batchSize, 5000)). */
  drainBatchSize?: number;
  /**
   * Parsed events kept in memory (default 50000) and the bytes of their records (default 64 MB); past either, the
   * backlog is re-read from disk. 50000 events of a typical home are ~20 MB of heap.
   */
  memoryMaxEvents?: number;
  memoryMaxBytes?: number;
  /** Spool segment file size (default SPOOL_MAX_BYTES/32 within 64 KB..32 MB). */
  segmentBytes?: number;
  /** Backoff: first quick retry (100 ms), first and longest outage delay (1 s, 30 s). */
  retryBaseMs?: number;
  outageBaseMs?: number;
  outageMaxMs?: number;
  /** Clock for accept times, ms. */
  now?: () => number;
}

interface Batch {
  events: StateEvent[];
  commitTo: number;
  firstAt: number;
  done: boolean;
  written: number;
  duplicates: number;
  rejected: number;
  stored: readonly StateEvent[];
}

/** Room returns below this share of the quota (hysteresis: no pause/resume flapping on every batch). */
const ROOM_FRACTION = 0.9;
const TRANSIENT_CODE = /^(SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL)|E[A-Z]{2,})/;

/** Whether a store error may go away by itself (so the batch waits) rather than being about the events. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retryable?: unknown; code?: unknown };
  if (e.retryable === true) return true;
  if (error instanceof HomeIqError) return false;
  return typeof e.code === 'string' && TRANSIENT_CODE.test(e.code);
}

const defaultEncode = (events: StateEvent[]): Uint8Array => Buffer.from(JSON.stringify(events));
const defaultDecode = (record: Buffer): StateEvent[] => JSON.parse(record.toString('utf8')) as StateEvent[];

export function createEventPipeline(options: EventPipelineOptions): EventPipeline {
  return new DurablePipeline(options);
}

/**
 * Socket -> spool -> store. See EventPipeline (pipeline-types.ts) for the contract and BatchQueue for how the
 * backlog stays bounded in memory. Batches are written in order with up to `concurrency` requests in flight; the
 * spool checkpoint only ever covers the contiguous prefix of finished batches, and a batch sent twice is harmless
 * because writes are idempotent. A failing write is retried quickly `maxRetries` times, then the pipeline enters
 * outage mode: one probe at a time with capped, jittered backoff (Retry-After honoured) while the spool grows.
 * Events the store refuses for good go to the dead letter; a batch that fails as a whole with a non-retryable
 * error is bisected so that only the guilty events are set aside.
 */
class DurablePipeline implements EventPipeline {
  private readonly o: Required<Omit<EventPipelineOptions, 'decode' | 'encode' | 'now'>>;
  private readonly spool: Spool;
  private readonly queue: BatchQueue;
  private readonly deadLetter: DeadLetter;
  private readonly encode: (events: StateEvent[]) => Uint8Array;
  private readonly decode: ((record: Buffer) => StateEvent[]) | undefined;
  private readonly now: () => number;
  private readonly latency = new LatencyWindow();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** Dispatched batches not yet in the committed prefix, oldest first; and failed ones waiting to be resent. */
  private readonly window: Batch[] = [];
  private readonly retryQueue: Batch[] = [];
  private inFlight = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private enqueued = 0;
  private done = 0;
  private readonly flushWaiters: Array<{ target: number; resolve: () => void }> = [];
  private readonly roomListeners = new Set<() => void>();
  private readonly storedListeners = new Set<(events: readonly StateEvent[]) => void>();
  private readonly writeListeners = new Set<(seconds: number, ok: boolean) => void>();
  private readonly counters = {
    received: 0,
    stored: 0,
    duplicates: 0,
    rejected: 0,
    deadLettered: 0,
    deadLetterFailures: 0,
    writes: 0,
    retries: 0,
  };
  private outage = false;
  private full = false;
  private lastError: string | null = null;
  private deadLetterError: string | null = null;
  private lastWriteAt: number | null = null;

  constructor(options: EventPipelineOptions) {
    const segmentBytes = Math.min(32 * 1024 * 1024, Math.max(64 * 1024, Math.floor(options.spoolMaxBytes / 32)));
    this.o = {
      store: options.store,
      dir: options.dir,
      batchSize: Math.max(1, options.batchSize),
      batchTimeoutMs: Math.max(0, options.batchTimeoutMs),
      maxRetries: Math.max(0, options.maxRetries),
      spoolMaxBytes: options.spoolMaxBytes,
      deadLetterPath: options.deadLetterPath,
      logger: options.logger,
      concurrency: Math.max(1, options.concurrency ?? (options.store.kind === 'influxdb' ? 4 : 1)),
      drainBatchSize: Math.max(options.batchSize, options.drainBatchSize ?? 5000),
      memoryMaxEvents: options.memoryMaxEvents ?? 50_000,
      memoryMaxBytes: options.memoryMaxBytes ?? 64 * 1024 * 1024,
      segmentBytes: options.segmentBytes ?? segmentBytes,
      retryBaseMs: options.retryBaseMs ?? 100,
      outageBaseMs: options.outageBaseMs ?? 1000,
      outageMaxMs: options.outageMaxMs ?? 30_000,
    };
    this.encode = options.encode ?? defaultEncode;
    this.decode = options.decode;
    this.now = options.now ?? Date.now;
    this.spool = new Spool(this.o.dir, this.o.segmentBytes, this.o.logger);
    this.queue = new BatchQueue(
      this.spool,
      this.decode ?? defaultDecode,
      { maxEvents: this.o.memoryMaxEvents, maxBytes: this.o.memoryMaxBytes },
      this.o.logger,
    );
    this.deadLetter = new DeadLetter(this.o.deadLetterPath);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('pipeline: start() called twice');
    const recovery = this.spool.open();
    if (recovery.records > 0) {
      this.queue.replay(recovery.from, recovery.events, this.now());
      this.enqueued += recovery.events;
      this.o.logger.info(
        { records: recovery.records, events: recovery.events, bytes: recovery.bytes },
        'spool: replaying events left from before the restart',
      );
    }
    this.state = 'running';
    this.updateFull();
    this.schedulePump();
  }

  accept(events: StateEvent[], record?: Buffer): void {
    if (this.state !== 'running') throw new Error(`pipeline: accept() while ${this.state}`);
    const n = events.length;
    if (n === 0) return;
    if (record && !this.decode) throw new Error('pipeline: accept() got a record but no decode option was given');
    const payload = record ?? this.encode(events);
    const at = this.now();
    const start = this.spool.append(payload, n, at);
    this.queue.push(events, payload.length, at, start, this.spool.writePos);
    this.counters.received += n;
    this.enqueued += n;
    if (!this.full && this.spool.uncommittedBytes >= this.o.spoolMaxBytes) this.updateFull();
    if (!this.batchTimer || this.queue.unbatched >= this.o.batchSize) this.schedulePump();
  }

  flush(): Promise<void> {
    if (this.done >= this.enqueued || this.state === 'stopped') return Promise.resolve();
    const target = this.enqueued;
    return new Promise((resolve) => {
      this.flushWaiters.push({ target, resolve });
      this.schedulePump();
    });
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.flush(), timedOut]);
    clearTimeout(timer);
    if (this.done < this.enqueued) {
      this.o.logger.warn({ pending: this.enqueued - this.done }, 'pipeline stopped with events left in the spool');
    }
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    clearTimeout(this.batchTimer);
    this.queue.close();
    this.spool.close();
    for (const w of this.flushWaiters.splice(0)) w.resolve();
  }

  stats(): PipelineStats {
    const oldest = this.window[0]?.firstAt ?? this.queue.oldestAt();
    return {
      ...this.counters,
      pending: this.enqueued - this.done,
      spoolBytes: this.state === 'new' ? 0 : this.spool.uncommittedBytes,
      spoolMaxBytes: this.o.spoolMaxBytes,
      oldestPendingMs: oldest === null || this.enqueued === this.done ? null : Math.max(0, this.now() - oldest),
      writeLatencyMs: this.latency.percentiles(),
      outage: this.outage,
      full: this.full,
      lastError: this.lastError,
      deadLetterError: this.deadLetterError,
      lastWriteAt: this.lastWriteAt,
    };
  }

  onRoom(listener: () => void): () => void {
    this.roomListeners.add(listener);
    return () => this.roomListeners.delete(listener);
  }

  onStored(listener: (events: readonly StateEvent[]) => void): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  onWrite(listener: (seconds: number, ok: boolean) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  private wrote(started: number, ok: boolean): number {
    const ms = performance.now() - started;
    for (const listener of this.writeListeners) listener(ms / 1000, ok);
    return ms;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.state === 'stopped' || this.state === 'new') return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts as many writes as allowed: failed batches first (in order), then new ones when due. */
  private pump(): void {
    if (this.state === 'stopped' || this.retryTimer) return;
    const limit = this.failures > 0 ? 1 : this.o.concurrency;
    while (this.inFlight < limit) {
      const retry = this.retryQueue.shift();
      if (retry) {
        this.dispatch(retry);
        continue;
      }
      const waiting = this.queue.unbatched;
      const catchingUp = this.queue.spilled || waiting > this.o.batchSize * 2;
      const size = catchingUp ? this.o.drainBatchSize : this.o.batchSize;
      if (waiting < size && !catchingUp && this.flushWaiters.length === 0 && this.state !== 'stopping') {
        const oldest = this.queue.oldestAt();
        if (oldest === null) break;
        const wait = oldest + this.o.batchTimeoutMs - this.now();
        if (wait > 0) {
          clearTimeout(this.batchTimer);
          this.batchTimer = setTimeout(() => {
            this.batchTimer = undefined;
            this.pump();
          }, wait);
          break;
        }
      }
      const taken = this.queue.take(size);
      if (!taken) break;
      const batch: Batch = { ...taken, done: false, written: 0, duplicates: 0, rejected: 0, stored: [] };
      this.window.push(batch);
      this.dispatch(batch);
    }
  }

  private dispatch(batch: Batch): void {
    this.inFlight++;
    const started = performance.now();
    const write = batch.events.length === 0 ? Promise.resolve(emptyResult()) : this.isolate(batch.events);
    write.then(
      (result) => {
        this.inFlight--;
        this.latency.add(this.wrote(started, true));
        this.succeeded(batch, result);
      },
      (error: unknown) => {
        this.inFlight--;
        this.wrote(started, false);
        this.failed(batch, error);
      },
    );
  }

  /** Writes; on a non-retryable failure of the whole batch, bisects to find the events that cause it. */
  private async isolate(events: StateEvent[]): Promise<WriteResult> {
    try {
      return await this.o.store.writeEvents(events);
    } catch (error) {
      if (isRetryable(error)) throw error;
      if (events.length === 1) {
        return { written: 0, duplicates: 0, rejected: [{ index: 0, reason: errorText(error) }] };
      }
      const mid = events.length >>> 1;
      const a = await this.isolate(events.slice(0, mid));
      const b = await this.isolate(events.slice(mid));
      return {
        written: a.written + b.written,
        duplicates: a.duplicates + b.duplicates,
        rejected: [...a.rejected, ...b.rejected.map((r) => ({ index: r.index + mid, reason: r.reason }))],
      };
    }
  }

  private failed(batch: Batch, error: unknown): void {
    if (this.state === 'stopped') return;
    this.failures++;
    this.counters.retries++;
    this.lastError = errorText(error);
    if (this.failures > this.o.maxRetries && !this.outage) {
      this.outage = true;
      this.o.logger.warn({ err: this.lastError }, 'store unavailable: outage mode, events wait in the spool');
    }
    // Keep failed batches in order; they are resent before anything newer.
    this.retryQueue.push(batch);
    this.retryQueue.sort((a, b) => this.window.indexOf(a) - this.window.indexOf(b));
    if (!this.retryTimer) {
      const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
      const delay = retryDelay(this.o, this.failures, retryAfter);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, delay);
    }
  }

  private succeeded(batch: Batch, result: WriteResult): void {
    if (this.state === 'stopped') return;
    this.counters.writes++;
    this.lastWriteAt = this.now();
    batch.written = result.written;
    batch.duplicates = result.duplicates;
    batch.stored = batch.events;
    if (result.rejected.length > 0) {
      const bad = new Set<number>();
      const items = result.rejected
        .filter((r) => batch.events[r.index] !== undefined && !bad.has(r.index) && bad.add(r.index))
        .map((r) => ({ event: batch.events[r.index]!, reason: r.reason }));
      try {
        this.counters.deadLettered += this.deadLetter.append(items, this.now());
        this.deadLetterError = null;
      } catch (error) {
        // Not set aside, so not done: the batch is written again later (idempotent) and refused again, and the
        // spool keeps it until the dead letter takes it. Health shows the failure meanwhile.
        this.counters.deadLetterFailures++;
        this.deadLetterError = `dead letter not writable: ${errorText(error)}`;
        this.o.logger.error({ err: errorText(error), events: items.length }, 'dead letter not writable');
        this.failed(batch, error);
        return;
      }
      batch.rejected = items.length;
      batch.stored = batch.events.filter((_, i) => !bad.has(i));
      this.o.logger.warn({ rejected: items.length, reason: items[0]?.reason }, 'store refused events: dead-lettered');
    }
    if (this.failures > 0 || this.outage) {
      if (this.outage) this.o.logger.info('store reachable again: draining the spool');
      this.failures = 0;
      this.outage = false;
    }
    batch.done = true;
    this.advance();
    this.schedulePump();
  }

  /** Moves the committed prefix over finished batches: checkpoint, counters, listeners, flush waiters. */
  private advance(): void {
    let commitTo = -1;
    while (this.window[0]?.done) {
      const b = this.window.shift()!;
      if (b.commitTo >= 0) commitTo = b.commitTo;
      this.counters.stored += b.written;
      this.counters.duplicates += b.duplicates;
      this.counters.rejected += b.rejected;
      this.done += b.events.length;
      if (b.stored.length > 0) {
        for (const listener of this.storedListeners) {
          try {
            listener(b.stored);
          } catch (error) {
            this.o.logger.error({ err: errorText(error) }, 'onStored listener failed');
          }
        }
      }
    }
    if (commitTo >= 0) {
      this.spool.commit(commitTo);
      this.updateFull();
    }
    while (this.flushWaiters.length > 0) {
      const i = this.flushWaiters.findIndex((w) => w.target <= this.done);
      if (i === -1) break;
      this.flushWaiters.splice(i, 1)[0]!.resolve();
    }
  }

  private updateFull(): void {
    const used = this.spool.uncommittedBytes;
    if (!this.full && used >= this.o.spoolMaxBytes) {
      this.full = true;
      this.o.logger.warn(
        { spoolBytes: used, spoolMaxBytes: this.o.spoolMaxBytes },
        'spool full: the source must pause',
      );
    } else if (this.full && used < this.o.spoolMaxBytes * ROOM_FRACTION) {
      this.full = false;
      this.o.logger.info({ spoolBytes: used }, 'spool has room again');
      for (const listener of this.roomListeners) {
        try {
          listener();
        } catch (error) {
          this.o.logger.error({ err: errorText(error) }, 'onRoom listener failed');
        }
      }
    }
  }
}

function emptyResult(): WriteResult {
  return { written: 0, duplicates: 0, rejected: [] };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
