import { commonSchema, configPart, listen, loadConfig, type Service, servicePort } from '@homeiq/core';
import { liveFeedFor, type Runtime, storageSchema, type TimeSeriesStore } from '@homeiq/storage';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { buildApp } from './app';
import { dataApiSchema } from './config';

export { buildApp, type DataApiDeps } from './app';
export { dataApiSchema } from './config';

/**
 * The data-api service. Together (`homeiq start`) it reads the stores and live feed of this process. Split
 * (`homeiq start data-api`) it opens the embedded store's file read-only (query_only) beside the process that
 * writes it, or the same InfluxDB, and follows websocket-ingestion's live feed over WebSocket.
 */
export function createService(runtime: Runtime): Service {
  const config = loadConfig(dataApiSchema, runtime.env);
  const port = servicePort('data-api', runtime.env);
  const logger = runtime.logger.child({ service: 'data-api' });
  const store = timeSeriesFor(runtime);
  const { app } = buildApp({
    logger,
    apiKey: runtime.apiKey,
    timeSeries: store.get,
    metadata: () => runtime.metadata(),
    configView: () => [
      configPart(commonSchema, runtime.common),
      configPart(storageSchema, runtime.storage),
      configPart(dataApiSchema, config),
    ],
    live: () => liveFeedFor(runtime),
    colocated: () => [...runtime.local],
    maxResponseBytes: config.maxResponseBytes,
    stream: { maxBufferedBytes: config.streamMaxBufferBytes, heartbeatMs: config.streamHeartbeat },
    healthTimeoutMs: runtime.common.healthTimeout,
  });
  let bound: number | undefined;
  let stopped = false;
  return {
    name: 'data-api',
    app,
    get port() {
      return bound;
    },
    async start() {
      // Open the store now so the first request is fast; a failure leaves /health degraded, not the process down.
      await store.get().catch((error: unknown) => logger.warn({ err: error }, 'time-series store not available yet'));
      bound = await listen(app, port, runtime.common.httpHost);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await store.close();
    },
  };
}

/**
 * The runtime's shared store, except on the embedded store with no writer in this process: then a read-only
 * connection of our own (WAL readers never block the writer in the other process). Retried after a failed open.
 */
function timeSeriesFor(runtime: Runtime): { get: () => Promise<TimeSeriesStore>; close: () => Promise<void> } {
  const writerHere = runtime.local.has('websocket-ingestion') || runtime.local.has('data-retention');
  if (runtime.storage.influxUrl || writerHere) return { get: () => runtime.timeSeries(), close: async () => {} };
  let opening: Promise<TimeSeriesStore> | undefined;
  return {
    get: () => {
      opening ??= (async () => {
        const store = new SqliteTimeSeriesStore(runtime.path('events'), { readonly: true });
        await store.open();
        return store;
      })();
      opening.catch(() => {
        opening = undefined;
      });
      return opening;
    },
    close: async () => {
      const open = opening;
      opening = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
  };
}
