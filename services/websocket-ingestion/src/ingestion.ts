import { errorMessage, type Logger } from '@homeiq/core';
import { HaAuthError, HaConnection } from '@homeiq/ha';
import type { EventPipeline, InProcessLiveFeed, MetadataStore, TimeSeriesStore } from '@homeiq/storage';
import { backfillGap, type Gap } from './backfill';
import type { IngestionConfig } from './config';
import type { EntityFilter } from './filter';
import { Ingestor } from './ingestor';
import type { Normalizer } from './normalize';
import type { RegistryMirror } from './registry-mirror';

const BACKFILL_RETRY_MS = 30_000;

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
}

export interface BackfillStatus {
  runs: number;
  lastRunAt: number | null;
  lastAccepted: number;
  lastError: string | null;
  pending: boolean;
}

/**
 * The source side of the service: the HA connection, the registry mirror, the hot path (Ingestor) and gap filling.
 * A gap opens at every disconnect (at the newest accepted event) and closes when a backfill after a connect
 * succeeds with no disconnect meanwhile; a failed backfill keeps it open for the next try.
 */
export class Ingestion {
  readonly ingestor: Ingestor;
  readonly backfill: BackfillStatus = { runs: 0, lastRunAt: null, lastAccepted: 0, lastError: null, pending: false };
  authError: HaAuthError | undefined;
  private gap: Gap | undefined;
  private disconnects = 0;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

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
    this.gap = { from: storedBefore, lookbackMs: this.parts.config.initialBackfill };
    this.backfill.pending = true;
    mirror.loadFromMetadata();
    this.ingestor.start();
    mirror.subscribe();
    connection.onConnected(({ reconnect, haVersion }) => {
      logger.info({ haVersion, reconnect, url: connection.endpoint }, 'connected to Home Assistant');
      this.schedule();
    });
    connection.onDisconnected(({ reason }) => {
      this.disconnects++;
      const i = this.ingestor;
      const from = Number.isFinite(i.newestTime) ? i.newestTime : (this.gap?.from ?? storedBefore);
      if (this.gap === undefined || (this.gap.from !== null && from !== null && from < this.gap.from)) {
        this.gap = { from, fromEntity: i.newestEntity, lookbackMs: this.parts.config.initialBackfill };
      }
      this.backfill.pending = true;
      i.firstLive = new Map();
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
    try {
      await mirror.sync();
    } catch (error) {
      mirror.lastError = errorMessage(error);
      logger.warn({ err: errorMessage(error) }, 'registry sync failed');
    }
    const gap = this.gap;
    if (gap === undefined || !connection.connected) return;
    const disconnectsBefore = this.disconnects;
    const started = Date.now();
    try {
      const result = await backfillGap(
        {
          connection,
          normalizer: this.parts.normalizer,
          ingestor: this.ingestor,
          filter: this.parts.filter,
          logger,
          registryIds: () => mirror.entityIds(),
          windowMs: this.parts.config.backfillWindow,
          commandTimeoutMs: this.parts.config.commandTimeout,
        },
        gap,
      );
      this.backfill.runs++;
      this.backfill.lastRunAt = Date.now();
      this.backfill.lastAccepted = result.accepted;
      this.backfill.lastError = null;
      if (this.disconnects === disconnectsBefore) {
        this.gap = undefined;
        this.backfill.pending = false;
        this.ingestor.firstLive = undefined;
      }
      logger.info(
        { ...result, from: result.from, ms: Date.now() - started },
        'backfill from Home Assistant history done',
      );
    } catch (error) {
      this.backfill.lastError = errorMessage(error);
      logger.warn({ err: errorMessage(error) }, 'backfill failed; it is retried');
      if (!this.stopped && connection.connected && this.disconnects === disconnectsBefore) {
        this.retryTimer = setTimeout(() => this.schedule(), BACKFILL_RETRY_MS);
        this.retryTimer.unref();
      }
    }
  }
}
