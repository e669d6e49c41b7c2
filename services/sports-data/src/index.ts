import { listen, type Service, servicePort } from '@homeiq/core';
import type { Runtime } from '@homeiq/storage';
import { liveFeedFor, RemoteLiveFeed } from '@homeiq/storage/remote-live-feed';
import { buildSportsApp } from './app';
import { loadSportsConfig } from './config';
import { loadSecretKey } from './webhooks/secret-box';

export { buildSportsApp } from './app';
export { loadSportsConfig, sportsSchema } from './config';
export { signature, verifySignature } from './webhooks/signing';

/** sports-data: scoreboard polling into `sports_data`, and signed webhook deliveries kept in webhooks.db. */
export function createService(runtime: Runtime): Service {
  const config = loadSportsConfig(runtime.env);
  const port = servicePort('sports-data', runtime.env);
  const logger = runtime.logger.child({ service: 'sports-data' });
  const sports = buildSportsApp({
    config,
    logger,
    apiKey: runtime.apiKey,
    store: () => runtime.timeSeries(),
    webhooksDbPath: runtime.path('webhooks'),
    secretKey: loadSecretKey(runtime.common.dataDir, config.webhookSecretKey),
    // Resolved lazily: the live feed is only opened once an entity-filter webhook exists.
    liveFeed: { subscribe: (listener) => liveFeedFor(runtime).subscribe(listener) },
    liveFeedStatus: () => {
      const feed = liveFeedFor(runtime);
      return feed instanceof RemoteLiveFeed ? feed.status() : undefined;
    },
    colocated: () => [...runtime.local],
  });
  let bound: number | undefined;
  let stopped = false;
  return {
    name: 'sports-data',
    app: sports.app,
    get port() {
      return bound;
    },
    async start() {
      bound = await listen(sports.app, port, runtime.common.httpHost);
      sports.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await sports.app.close();
      await sports.stop();
    },
  };
}
