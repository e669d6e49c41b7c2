import { join } from 'node:path';
import {
  ConfigError,
  configPart,
  createServiceApp,
  errorMessage,
  type HttpApp,
  listen,
  loadConfig,
  type Service,
  servicePort,
} from '@homeiq/core';
import { type EventPipeline, type Runtime, storageSchema } from '@homeiq/storage';
import { createEventPipeline } from '@homeiq/storage/pipeline/event-pipeline';
import { type IngestionConfig, ingestionSchema } from './config';
import { createEntityFilter, type FilterRules, mergeRules, readFilterFile } from './filter';
import { Ingestion } from './ingestion';
import { decodeRecord, encodeEvents } from './ingestor';
import { LagTracker } from './lag-tracker';
import { LiveServer } from './live-server';
import { registerIngestionMetrics } from './metrics';
import { Normalizer } from './normalize';
import { OpenGapFile } from './open-gap';
import { INGESTION_OPENAPI } from './openapi';
import { RegistryMirror } from './registry-mirror';
import { collectStats, healthChecks, type StatsSources } from './stats';

const NAME = 'websocket-ingestion';

export function filterRules(config: IngestionConfig): FilterRules {
  const fromEnv: FilterRules = {
    includeDomains: config.includeDomains,
    includeEntities: config.includeEntities,
    excludeDomains: config.excludeDomains,
    excludeEntities: config.excludeEntities,
  };
  return config.filterFile ? mergeRules(fromEnv, readFilterFile(config.filterFile)) : fromEnv;
}

/** Reads and checks the config at once (every problem reported together); no I/O beyond the filter file. */
export function ingestionConfig(env: Record<string, string | undefined>): IngestionConfig {
  const config = loadConfig(ingestionSchema, env);
  const problems: string[] = [];
  if (!config.haUrl)
    problems.push('HA_URL must be set (or leave it unset under `homeiq start` for the simulated home)');
  if (!config.haToken) problems.push('HA_TOKEN must be set to a Home Assistant long-lived access token');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * websocket-ingestion: Home Assistant -> normalize -> spool -> store, with the registry mirror, gap backfill, live
 * fan-out, and GET /health, /metrics, /api/v1/stats, /api/v1/live. Nothing connects or listens until start().
 */
export function createIngestionService(runtime: Runtime): Service & { stats(): ReturnType<typeof collectStats> } {
  const logger = runtime.logger.child({ service: NAME });
  let sources: StatsSources | undefined;
  let pipeline: EventPipeline | undefined;
  let ingestion: Ingestion | undefined;
  let live: LiveServer | undefined;
  let port: number | undefined;
  let stopped = false;
  const config = ingestionConfig(runtime.env);
  const { app, startedAt, metrics } = createServiceApp({
    name: NAME,
    logger,
    apiKey: runtime.apiKey,
    colocated: () => [...runtime.local],
    checks: () =>
      sources
        ? healthChecks(sources)
        : { home_assistant: { status: 'degraded', reason: 'starting: not connected to Home Assistant yet' } },
    config: () => [configPart(ingestionSchema, config), configPart(storageSchema, runtime.storage)],
    openApi: INGESTION_OPENAPI,
  });
  const stats = () => {
    if (!sources) throw new Error('websocket-ingestion is not started');
    return collectStats(sources);
  };
  app.get('/api/v1/stats', async () => stats());
  const ingestionMetrics = registerIngestionMetrics(metrics, () => sources);

  async function start(): Promise<void> {
    const filter = createEntityFilter(filterRules(config));
    const store = await runtime.timeSeries();
    const metadata = runtime.metadata();
    const connection = Ingestion.connection(config, config.haUrl as string, config.haToken as string);
    const mirror = new RegistryMirror(connection, metadata, logger.child({ module: 'registry' }));
    const normalizer = new Normalizer(filter, mirror, store.kind !== 'sqlite', {
      maxStateBytes: config.maxStateBytes,
      maxAttributesBytes: config.maxAttributesBytes,
      maxAttributesDepth: config.maxAttributesDepth,
    });
    const lag = new LagTracker();
    pipeline = createEventPipeline({
      store,
      dir: join(runtime.path('spool'), NAME),
      batchSize: runtime.storage.batchSize,
      batchTimeoutMs: runtime.storage.batchTimeout,
      maxRetries: runtime.storage.maxRetries,
      spoolMaxBytes: runtime.storage.spoolMaxBytes,
      deadLetterPath: runtime.path('deadLetter'),
      logger: logger.child({ module: 'pipeline' }),
      // Raw frames are the records of live events; events without one (backfill) are encoded with a marker.
      decode: (record: Buffer) => decodeRecord(normalizer, record),
      encode: encodeEvents,
    });
    pipeline.onStored(lag.onStored);
    ingestionMetrics.observe(pipeline);
    await pipeline.start();
    const storedBefore = await newestStored(pipeline, () => store.lastEventTime(), logger);
    ingestion = new Ingestion({
      config,
      connection,
      pipeline,
      store,
      metadata,
      mirror,
      normalizer,
      filter,
      live: runtime.live,
      logger,
      gapFile: new OpenGapFile(runtime.path('openGap')),
    });
    sources = { connection, pipeline, ingestion, normalizer, lag, simulated: config.simulated, startedAt };
    live = new LiveServer(runtime.live, runtime.apiKey, logger.child({ module: 'live' }));
    live.attach(app as HttpApp);
    port = await listen(app, servicePort(NAME, runtime.env), runtime.common.httpHost);
    if (config.simulated) {
      logger.warn({ url: connection.endpoint }, 'ingesting from the SIMULATED Home Assistant (HA_URL not set)');
    }
    try {
      await ingestion.start(storedBefore);
    } catch (error) {
      await stop();
      throw error;
    }
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    // Source first, then drain: nothing new comes in while the pipeline flushes.
    await ingestion?.stop().catch((e: unknown) => logger.warn({ err: errorMessage(e) }, 'stopping HA client'));
    await live?.close().catch(() => {});
    await pipeline?.stop(Math.max(1000, runtime.common.shutdownTimeout - 2000));
    await app.close();
  }

  return {
    name: NAME,
    app,
    start,
    stop,
    stats,
    get port() {
      return port;
    },
  };
}

/** The newest stored event after the spool was replayed: where the first gap starts. Null when unknown or empty. */
async function newestStored(
  pipeline: EventPipeline,
  lastEventTime: () => Promise<number | null>,
  logger: Runtime['logger'],
): Promise<number | null> {
  try {
    await Promise.race([pipeline.flush(), new Promise((r) => setTimeout(r, 10_000).unref())]);
    return await lastEventTime();
  } catch (error) {
    logger.warn({ err: errorMessage(error) }, 'cannot read the newest stored event; backfill starts from the lookback');
    return null;
  }
}
