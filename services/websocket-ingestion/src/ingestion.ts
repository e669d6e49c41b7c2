import { errorMessage, type Logger } from '@homeiq/core';
import { HaAuthError, HaCommandError, HaConnection } from '@homeiq/ha';
import type { EventPipeline, InProcessLiveFeed, MetadataStore, TimeSeriesStore } from '@homeiq/storage';
import { backfillGap, type Gap } from './backfill';
import type { IngestionConfig } from './config';
import type { EntityFilter } from './filter';
import { Ingestor } from './ingestor';
import type { Normalizer } from './normalize';
import type { OpenGapFile } from './open-gap';
import { startGap } from './open-gap';
import type { RegistryMirror } from './registry-mirror';

const BACKFILL_RETRY_MS = 30_000;
/** Without HA's history integration a retry cannot succeed until the user adds it: ask again rarely. */
const NO_HISTORY_RETRY_MS = 10 * 60_000;
const NO_HISTORY_MESSAGE =
  'Home Assistant answers history/history_during_period with unknown_command: its history integration is not loaded, so gaps after a disconnect cannot be filled. Add `history:` (or `default_config:`) to configuration.yaml and restart Home Assistant';

/**
 * How long after a history pass the recorder has surely committed everything fired before it: one commit interval,
 * plus slack for the commit itself (a busy recorder on an SD card takes its time).
 */
export function recorderSettleMs(commitIntervalMs: number): number {
  return commitIntervalMs + Math.max(1000, commitIntervalMs / 5);
}

export interface IngestionParts {
  config: IngestionConfig;
  connection: HaConnection;
  pipeline: EventPipeline;
  store: TimeSeriesStore;
  metadata: MetadataStore;
  mirror: RegistryMirror;
  normalizer: Normalizer;
  filter: EntityFilter;
  live: InProcessLiveFeed;
  logger: Logger;
  /** Keeps the open gap across crashes. */
  gapFile: OpenGapFile;
}

export interface BackfillStatus {
  runs: number;
  lastRunAt: number | null;
  lastAccepted: number;
  lastError: string | null;
  pending: boolean;
  /** HA has no history integration: no gap can be filled (reported once, loudly, and on /health). */
  historyUnavailable: boolean;
}

/**
 * The source side of the service: the HA connection, the registry mirror, the hot path (Ingestor) and gap filling.
 * A gap opens at every disconnect (at the newest accepted event) and closes when a backfill after a connect
 * succeeds with no disconnect meanwhile; a failed backfill keeps it open for the next try.
 */
export class Ingestion {
  readonly ingestor: Ingestor;
  readonly backfill: BackfillStatus = {
    runs: 0,
    lastRunAt: null,
    lastAccepted: 0,
    lastError: null,
    pending: false,
    historyUnavailable: false,
  };
  authError: HaAuthError | undefined;
  private gap: Gap | undefined;
  private disconnects = 0;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Just after HA's clock at the get_states of the last completed backfill (µs). */
  private syncedHaTime: number | null = null;
  /** Local clock at the first connect (µs): a gap's start of last resort. */
  private firstConnectUs: number | null = null;
  /** Ends a wait for the recorder early (disconnect, stop). */
  private wake: (() => void) | undefined;

  constructor(private readonly parts: IngestionParts) {
    this.ingestor = new Ingestor(parts.connection, parts.pipeline, parts.normalizer, parts.live, parts.logger);
  }

  static connection(config: IngestionConfig, url: string, token: string): HaConnection {
    return new HaConnection({
      url,
      token,
      pingIntervalMs: config.pingInterval,
      pingTimeoutMs: config.pingTimeout,
      commandTimeoutMs: config.commandTimeout,
      backoff: { maxMs: config.reconnectMax },
    });
  }

  /**
   * `storedBefore`: the newest stored event when the process started (after spool replay), the start of the first gap.
   * Resolves after the first connect attempt; rejects only when HA refused the token.
   */
  async start(storedBefore: number | null): Promise<void> {
    const { connection, mirror, logger } = this.parts;
    this.gap = startGap(this.parts.gapFile.read(), storedBefore, this.parts.config.initialBackfill);
    this.saveGap();
    this.backfill.pending = true;
    mirror.loadFromMetadata();
    this.ingestor.start();
    mirror.subscribe();
    connection.onConnected(({ reconnect, haVersion }) => {
      this.firstConnectUs ??= Date.now() * 1000;
      logger.info({ haVersion, reconnect, url: connection.endpoint }, 'connected to Home Assistant');
      this.schedule();
    });
    connection.onDisconnected(({ reason }) => {
      this.disconnects++;
      const i = this.ingestor;
      // Nothing accepted in this process yet: whatever HA fired after the last get_states came live, so the gap
      // starts there (or at the newest stored event).
      // With neither (a first start without lookback, cut before its first sync): our clock at the connect.
      const known = this.syncedHaTime ?? storedBefore ?? this.firstConnectUs;
      const from = Number.isFinite(i.newestTime) ? i.newestTime : (this.gap?.from ?? known);
      if (this.gapStartsAfter(from)) {
        const knownIds = this.gap?.knownIds;
        this.gap = { from, fromEntity: i.newestEntity, lookbackMs: this.parts.config.initialBackfill };
        if (knownIds) this.gap.knownIds = knownIds;
        this.saveGap();
      }
      this.backfill.pending = true;
      i.firstLive = new Map();
      this.wake?.();
      logger.warn({ reason }, 'disconnected from Home Assistant; reconnecting');
    });
    connection.onAuthFailed((error) => {
      this.authError = error;
      logger.error({ url: connection.endpoint }, error.message);
    });
    try {
      await connection.connect();
    } catch (error) {
      if (error instanceof HaAuthError) throw error;
      logger.warn({ err: errorMessage(error) }, 'Home Assistant not reachable yet; retrying in the background');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wake?.();
    this.parts.mirror.stop();
    await this.parts.connection.close();
    this.ingestor.stop();
    await this.chain.catch(() => {});
  }

  /** Runs one sync + backfill after the current ones (never two at once). */
  private schedule(): void {
    this.chain = this.chain.then(() => this.afterConnect()).catch(() => {});
  }

  private async afterConnect(): Promise<void> {
    const { connection, mirror, logger } = this.parts;
    if (this.stopped || !connection.connected) return;
    if (this.gap) {
      // Before the sync forgets them: entities removed inside the gap still have their removal in history.
      this.gap.knownIds ??= new Set();
      for (const id of mirror.entityIds()) this.gap.knownIds.add(id);
      this.saveGap();
    }
    try {
      await mirror.sync();
    } catch (error) {
      mirror.lastError = errorMessage(error);
      logger.warn({ err: errorMessage(error) }, 'registry sync failed');
    }
    const gap = this.gap;
    if (gap === undefined || !connection.connected) return;
    const disconnectsBefore = this.disconnects;
    const linkHeld = () => !this.stopped && connection.connected && this.disconnects === disconnectsBefore;
    const started = Date.now();
    const options = {
      connection,
      normalizer: this.parts.normalizer,
      ingestor: this.ingestor,
      filter: this.parts.filter,
      logger,
      registryIds: () => mirror.entityIds(),
      windowMs: this.parts.config.backfillWindow,
      commandTimeoutMs: this.parts.config.commandTimeout,
    };
    try {
      const first = await backfillGap(options, gap);
      let { fetched, accepted, requests } = first;
      if (first.requests > 0) {
        // History holds only what the recorder committed: states fired within a commit interval before that pass
        // may have been missing. Once the recorder has surely committed past it, fetch the gap's tail again.
        const settleMs = recorderSettleMs(this.parts.config.recorderCommitInterval);
        await this.sleepUnlessInterrupted(started + settleMs - Date.now());
        if (!linkHeld()) return; // the gap stays open; the next connect fills it
        const tailFrom = Math.max(first.from, first.haNow - settleMs * 1000);
        const tail = await backfillGap(options, { from: tailFrom, lookbackMs: 0, knownIds: gap.knownIds }, first.seen);
        fetched += tail.fetched;
        accepted += tail.accepted;
        requests += tail.requests;
      }
      // Everything up to HA's clock at that get_states is now stored or was there before we came: a gap opening
      // with nothing accepted since starts just after it.
      if (first.haNow > 0) this.syncedHaTime = Math.max(first.haNow + 1, this.syncedHaTime ?? 0);
      this.backfill.runs++;
      this.backfill.lastRunAt = Date.now();
      this.backfill.lastAccepted = accepted;
      this.backfill.lastError = null;
      this.backfill.historyUnavailable = false;
      if (this.disconnects === disconnectsBefore) {
        this.gap = undefined;
        this.parts.gapFile.clear();
        this.backfill.pending = false;
        this.ingestor.firstLive = undefined;
      }
      logger.info(
        { from: first.from, fetched, accepted, requests, ms: Date.now() - started },
        'backfill from Home Assistant history done',
      );
    } catch (error) {
      const noHistory = error instanceof HaCommandError && error.haCode === 'unknown_command';
      if (noHistory && !this.backfill.historyUnavailable) logger.error(NO_HISTORY_MESSAGE);
      else if (!noHistory) logger.warn({ err: errorMessage(error) }, 'backfill failed; it is retried');
      this.backfill.historyUnavailable = noHistory;
      this.backfill.lastError = noHistory ? NO_HISTORY_MESSAGE : errorMessage(error);
      if (linkHeld()) {
        this.retryTimer = setTimeout(() => this.schedule(), noHistory ? NO_HISTORY_RETRY_MS : BACKFILL_RETRY_MS);
        this.retryTimer.unref();
      }
    }
  }

  /** Whether a gap opening at `from` begins before the open one (or there is none): then it replaces it. */
  private gapStartsAfter(from: number | null): boolean {
    const gap = this.gap;
    if (gap === undefined) return true;
    if (from === null) return false;
    // A first start without lookback fetches nothing: any real start is earlier.
    if (gap.from === null) return gap.lookbackMs <= 0;
    return from < gap.from;
  }

  private saveGap(): void {
    if (!this.gap) return;
    try {
      this.parts.gapFile.save(this.gap);
    } catch (error) {
      this.parts.logger.warn({ err: errorMessage(error) }, 'cannot save the open gap; a crash now would forget it');
    }
  }

  private sleepUnlessInterrupted(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
