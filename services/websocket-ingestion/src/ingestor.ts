import type { Logger } from '@homeiq/core';
import type { HaConnection } from '@homeiq/ha';
import type { EventPipeline, InProcessLiveFeed, StateEvent } from '@homeiq/storage';
import { invalidEntityId } from './event-limits';
import { MalformedEventError, type Normalizer } from './normalize';
import { LogLimiter, RateMeter } from './rate-meter';

/** A raw frame is spooled as the record of its events only when it is not mostly something else (a big result). */
const MAX_RECORD_BYTES_PER_EVENT = 16 * 1024;
/** How often (in frames) the pipeline is asked whether its spool is full. */
const FULL_CHECK_EVERY = 32;

export interface IngestorCounters {
  /** state_changed events taken from Home Assistant (live), after filtering. */
  received: number;
  /** Events taken from HA's history to fill gaps. */
  backfilled: number;
  /** Malformed or unexpected messages. */
  rejected: number;
  /** Times reading was paused because the spool was full. */
  pauses: number;
  /** Frames whose events could not be spooled (e.g. disk full): the link is dropped so the backfill recovers them. */
  spoolFailures: number;
}

/**
 * The hot path: state_changed -> normalize -> collect per frame -> pipeline.accept (synchronous, durable) ->
 * live feed. Never waits for the store; when the spool is full it pauses the socket until the pipeline has room.
 * Tracks the newest accepted event so that a reconnect knows where its gap starts.
 */
export class Ingestor {
  readonly counters: IngestorCounters = { received: 0, backfilled: 0, rejected: 0, pauses: 0, spoolFailures: 0 };
  readonly rates = new RateMeter();
  lastEventAt: number | null = null;
  lastSpoolFailure: { at: number; message: string } | null = null;
  /** Newest event time accepted by this process (µs) and its entity: the start of the next gap. */
  newestTime = Number.NEGATIVE_INFINITY;
  newestEntity = '';
  /** While a backfill is pending: the first live event time per entity since the (re)connect. */
  firstLive: Map<string, number> | undefined = new Map();

  private batch: StateEvent[] = [];
  /** After a spool failure, until that socket is closed: nothing more is taken (the gap must start before it). */
  private discarding = false;
  private framesSinceCheck = 0;
  private readonly malformedLog = new LogLimiter(20);
  private unsubscribeRoom: (() => void) | undefined;

  constructor(
    private readonly connection: HaConnection,
    private readonly pipeline: EventPipeline,
    private readonly normalizer: Normalizer,
    private readonly live: InProcessLiveFeed,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.connection.subscribeEvents('state_changed', this.onStateChanged);
    this.connection.onFrame(this.onFrame);
    // The old socket is gone: whatever comes next is after the gap that the reconnect backfills.
    this.connection.onDisconnected(() => {
      this.discarding = false;
    });
    this.connection.onProblem((p) => {
      if (p.kind === 'handler_error') return; // our own handlers count their problems
      this.counters.rejected++;
      this.logRejected(null, p.detail);
    });
    this.unsubscribeRoom = this.pipeline.onRoom(this.onRoom);
  }

  stop(): void {
    this.unsubscribeRoom?.();
  }

  /** Bound once: the subscription callback, called for every state_changed message. */
  private readonly onStateChanged = (event: unknown): void => {
    let e: StateEvent | undefined;
    try {
      e = this.normalizer.stateChanged(event);
    } catch (error) {
      this.counters.rejected++;
      const entityId = error instanceof MalformedEventError ? error.entityId : null;
      this.logRejected(entityId, error instanceof Error ? error.message : String(error));
      return;
    }
    if (e === undefined) return;
    this.batch.push(e);
    const firstLive = this.firstLive;
    if (firstLive !== undefined && !firstLive.has(e.entityId)) firstLive.set(e.entityId, e.time);
  };

  /** Bound once: after all messages of a frame were dispatched, its events go to the pipeline in one call. */
  private readonly onFrame = (raw: Buffer): void => {
    const n = this.batch.length;
    if (n === 0) return;
    const events = this.batch;
    this.batch = [];
    if (this.discarding) return;
    try {
      this.accept(events, raw.length <= n * MAX_RECORD_BYTES_PER_EVENT ? raw : undefined);
    } catch (error) {
      // Not durable, so not received: drop the link; the reconnect backfills from the newest accepted event.
      this.counters.spoolFailures++;
      this.discarding = true;
      const message = error instanceof Error ? error.message : String(error);
      this.lastSpoolFailure = { at: Date.now(), message };
      this.logger.error({ err: message }, 'cannot spool events');
      this.connection.dropSocket('spool write failed');
      return;
    }
    this.counters.received += n;
    if (++this.framesSinceCheck >= FULL_CHECK_EVERY || n >= FULL_CHECK_EVERY) {
      this.framesSinceCheck = 0;
      this.pauseIfFull();
    }
  };

  /** Events from HA's history (no raw record: the pipeline encodes them). */
  acceptBackfill(history: StateEvent[]): void {
    const events = this.boundBackfill(history);
    if (events.length === 0) return;
    this.counters.backfilled += events.length;
    this.accept(events, undefined);
    this.pauseIfFull();
  }

  /** History rows under the same limits as live events: bad entity ids refused (counted), big values cut. */
  private boundBackfill(history: StateEvent[]): StateEvent[] {
    const out: StateEvent[] = [];
    for (const e of history) {
      const bad = invalidEntityId(e.entityId);
      if (bad) {
        this.counters.rejected++;
        this.logRejected(e.entityId.slice(0, 80), `history: ${bad}`);
      } else out.push(this.normalizer.boundEvent(e));
    }
    return out;
  }

  /** Whether the pipeline can take more right now (backfill waits for room instead of overfilling). */
  get full(): boolean {
    return this.connection.isPaused;
  }

  private accept(events: StateEvent[], record: Buffer | undefined): void {
    this.pipeline.accept(events, record);
    let newest = this.newestTime;
    let entity = this.newestEntity;
    for (let i = 0; i < events.length; i++) {
      const t = events[i]!.time;
      if (t >= newest) {
        newest = t;
        entity = events[i]!.entityId;
      }
    }
    this.newestTime = newest;
    this.newestEntity = entity;
    this.lastEventAt = Date.now();
    this.rates.add(events.length);
    this.live.publish(events);
  }

  private pauseIfFull(): void {
    if (this.connection.isPaused || !this.pipeline.stats().full) return;
    this.counters.pauses++;
    this.connection.pause();
    this.logger.warn(
      { spoolMaxBytes: this.pipeline.stats().spoolMaxBytes },
      'spool full: reading from Home Assistant paused until the store catches up',
    );
  }

  private readonly onRoom = (): void => {
    if (!this.connection.isPaused) return;
    this.logger.info('spool has room again: reading from Home Assistant resumed');
    this.connection.resume();
  };

  private logRejected(entityId: string | null, reason: string): void {
    const suppressed = this.malformedLog.allow();
    if (suppressed < 0) return;
    this.logger.warn(
      { entityId, reason, suppressedSinceLast: suppressed, rejectedTotal: this.counters.rejected },
      'rejected a malformed message from Home Assistant',
    );
  }
}

/** Spool records HomeIQ encodes itself (backfilled events, big frames) start with this byte; HA frames with { or [. */
const ENCODED = 0x45; // 'E'

/** Events accepted without a raw frame: `E` + their JSON. */
export function encodeEvents(events: StateEvent[]): Uint8Array {
  return Buffer.from(`E${JSON.stringify(events)}`);
}

/**
 * Decodes a spool record (replay after a crash, or a backlog read back from disk): either events HomeIQ encoded
 * (encodeEvents), or a raw HA frame, normalized exactly as on the live path (a JSON array or a bare object; only
 * state_changed events count).
 */
export function decodeRecord(normalizer: Normalizer, raw: Buffer): StateEvent[] {
  if (raw[0] === ENCODED) return JSON.parse(raw.subarray(1).toString()) as StateEvent[];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out: StateEvent[] = [];
  for (const msg of list) {
    const m = msg as { type?: unknown; event?: { event_type?: unknown } } | null;
    if (m?.type !== 'event' || m.event?.event_type !== 'state_changed') continue;
    try {
      const e = normalizer.stateChanged(m.event, false);
      if (e) out.push(e);
    } catch {
      // Counted and logged when it first arrived.
    }
  }
  return out;
}
