import { listen, type Service, servicePort } from '@homeiq/core';
import type { Runtime } from '@homeiq/storage';
import { buildWeatherApp } from './app';
import { loadWeatherConfig } from './config';

export { buildWeatherApp } from './app';
export { loadWeatherConfig, weatherSchema } from './config';

/** weather-api: current weather from Open-Meteo or OpenWeatherMap, cached and written as the `weather` measurement. */
export function createService(runtime: Runtime): Service {
  const config = loadWeatherConfig(runtime.env);
  const port = servicePort('weather-api', runtime.env);
  const logger = runtime.logger.child({ service: 'weather-api' });
  const { app, poller } = buildWeatherApp({
    config,
    logger,
    apiKey: runtime.apiKey,
    store: () => runtime.timeSeries(),
    colocated: () => [...runtime.local],
  });
  let bound: number | undefined;
  let stopped = false;
  return {
    name: 'weather-api',
    app,
    get port() {
      return bound;
    },
    async start() {
      bound = await listen(app, port, runtime.common.httpHost);
      poller.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await poller.stop();
      await app.close();
    },
  };
}
