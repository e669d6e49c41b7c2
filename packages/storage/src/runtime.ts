import { join } from 'node:path';
import {
  ConfigError,
  type ConfigOf,
  commonSchema,
  type Logger,
  loadConfig,
  resolveApiKey,
  type Schema,
} from '@homeiq/core';
import { restrictDir } from '@homeiq/core/private-files';
import { DATA_FILES, storageSchema } from './config';
import { InfluxStore } from './influx/influx-store';
import { InProcessLiveFeed } from './live-feed';
import { SqliteMetadataStore } from './metadata/sqlite-metadata';
import type { MetadataStore } from './metadata-types';
import { SqliteTimeSeriesStore } from './sqlite/sqlite-store';
import type { TimeSeriesStore } from './types';

export type CommonConfig = ConfigOf<typeof commonSchema>;
export type StorageConfig = ConfigOf<typeof storageSchema>;

/**
 * What the services of one process share: config, logger, the opened stores and the live feed.
 * `homeiq start` makes one for all services (in-process mode); a split deployment makes one per process.
 * Stores open lazily on first use and close with the runtime.
 */
export class Runtime {
  readonly common: CommonConfig;
  readonly storage: StorageConfig;
  readonly live = new InProcessLiveFeed();
  /** Names of the services running in this process. */
  readonly local = new Set<string>();
  private timeSeriesPromise: Promise<TimeSeriesStore> | undefined;
  private metadataStore: MetadataStore | undefined;
  private key: string | undefined;

  constructor(
    readonly env: Record<string, string | undefined>,
    readonly logger: Logger,
  ) {
    // Both schemas are parsed before failing, so one start reports every problem of both.
    const problems: string[] = [];
    const parse = <S extends Schema>(schema: S): ConfigOf<S> | undefined => {
      try {
        return loadConfig(schema, env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
        return undefined;
      }
    };
    const common = parse(commonSchema);
    const storage = parse(storageSchema);
    if (!common || !storage) throw new ConfigError(problems);
    this.common = common;
    this.storage = storage;
    // A data dir left 0755 by an older version is tightened; a new one is created 0700 where first needed.
    restrictDir(this.common.dataDir);
  }

  path(file: keyof typeof DATA_FILES): string {
    return join(this.common.dataDir, DATA_FILES[file]);
  }

  get apiKey(): string {
    this.key ??= resolveApiKey(this.common.dataDir, this.common.apiKey);
    return this.key;
  }

  timeSeries(): Promise<TimeSeriesStore> {
    this.timeSeriesPromise ??= (async () => {
      const store: TimeSeriesStore = this.storage.influxUrl
        ? new InfluxStore(this.storage, this.logger.child({ module: 'influxdb' }))
        : new SqliteTimeSeriesStore(this.path('events'));
      await store.open();
      return store;
    })();
    // A failed open is not cached: the next caller tries again (the store may come up later).
    const opening = this.timeSeriesPromise;
    opening.catch(() => {
      if (this.timeSeriesPromise === opening) this.timeSeriesPromise = undefined;
    });
    return opening;
  }

  metadata(): MetadataStore {
    this.metadataStore ??= new SqliteMetadataStore(this.path('metadata'));
    return this.metadataStore;
  }

  async close(): Promise<void> {
    const ts = this.timeSeriesPromise;
    this.timeSeriesPromise = undefined;
    if (ts) await (await ts.catch(() => undefined))?.close();
    this.metadataStore?.close();
    this.metadataStore = undefined;
  }
}
