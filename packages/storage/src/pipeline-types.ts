import type { StateEvent } from './types';

/** Counters every pipeline keeps; /health and /metrics report them. */
export interface PipelineStats {
  /** Events accepted from the source. */
  received: number;
  /** Events the store confirmed. */
  stored: number;
  duplicates: number;
  /** Events the store refused for good (now in the dead letter). */
  rejected: number;
  deadLettered: number;
  /** Times refused events could not be written to the dead letter (they stay in the spool and are retried). */
  deadLetterFailures: number;
  /** Events accepted but not yet stored. */
  pending: number;
  spoolBytes: number;
  spoolMaxBytes: number;
  /** Age of the oldest pending event, ms; null when nothing is pending. */
  oldestPendingMs: number | null;
  writes: number;
  retries: number;
  writeLatencyMs: { p50: number | null; p99: number | null };
  /** True while the store is unreachable and events wait in the spool. */
  outage: boolean;
  /** At 100% of the spool quota: the source must stop reading until `room` fires. */
  full: boolean;
  lastError: string | null;
  /** Set while the dead letter fails (cleared by the next successful append). */
  deadLetterError: string | null;
  lastWriteAt: number | null;
}

/**
 * Between the socket and the store: accept() makes events durable on disk at once (a kill -9 after it returns
 * loses nothing), then a writer stores them in batches of BATCH_SIZE / BATCH_TIMEOUT, retries MAX_RETRIES times,
 * then waits out an outage with jittered backoff while the spool grows, and drains in order.
 */
export interface EventPipeline {
  /** Replays whatever the spool holds from before a crash, then starts the writer. */
  start(): Promise<void>;
  /**
   * Spools and queues. `record` is the raw bytes the events came from (decoded again by the pipeline's
   * decoder on replay); omit it to let the pipeline encode the events itself. Synchronous; never waits for the store.
   */
  accept(events: StateEvent[], record?: Buffer): void;
  /** Resolves when everything accepted so far is stored (or dead-lettered). */
  flush(): Promise<void>;
  /** Stops taking events, writes what it can within the timeout, keeps the rest in the spool. */
  stop(timeoutMs?: number): Promise<void>;
  stats(): PipelineStats;
  /** Called when the spool drops back below its quota after being full. */
  onRoom(listener: () => void): () => void;
  /** Called after each successful store write with the events written (for live fan-out and counters). */
  onStored(listener: (events: readonly StateEvent[]) => void): () => void;
  /** Called after each store write, successful or not, with its duration (once per batch, for metrics). */
  onWrite(listener: (seconds: number, ok: boolean) => void): () => void;
}
