import { listen, loadConfig, type Service, servicePort } from '@homeiq/core';
import { liveFeedFor, type Runtime } from '@homeiq/storage';
import { buildApp } from './app';
import { dataApiSchema } from './config';

export { buildApp, type DataApiDeps } from './app';
export { dataApiSchema } from './config';

/**
 * The data-api service. Together (`homeiq start`) it reads the stores and live feed of this process; split
 * (`homeiq start data-api`) it opens the same data files or InfluxDB and follows websocket-ingestion's live feed
 * over WebSocket.
 */
export function createService(runtime: Runtime): Service {
  const config = loadConfig(dataApiSchema, runtime.env);
  const port = servicePort('data-api', runtime.env);
  const logger = runtime.logger.child({ service: 'data-api' });
  const { app } = buildApp({
    logger,
    apiKey: runtime.apiKey,
    timeSeries: () => runtime.timeSeries(),
    metadata: () => runtime.metadata(),
    live: () => liveFeedFor(runtime),
    colocated: () => [...runtime.local],
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
      await runtime
        .timeSeries()
        .catch((error: unknown) => logger.warn({ err: error }, 'time-series store not available yet'));
      bound = await listen(app, port, runtime.common.httpHost);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
}
