import { createServiceApp, type HealthCheck, type HttpApp, type Logger } from '@homeiq/core';
import type { TimeSeriesStore } from '@homeiq/storage';
import { type WeatherConfig, weatherSchema } from './config';
import { fetchHaHomeConfig } from './ha-location';
import { registerWeatherMetrics } from './metrics';
import { WEATHER_OPENAPI } from './openapi';
import { type HomeLocation, WeatherPoller } from './poller';
import { OpenMeteoProvider } from './providers/open-meteo';
import { OpenWeatherMapProvider } from './providers/openweathermap';
import type { WeatherProvider } from './providers/types';
import { registerWeatherRoutes } from './routes/weather';

export interface WeatherAppDeps {
  config: WeatherConfig;
  logger: Logger;
  apiKey: string;
  store: () => Promise<TimeSeriesStore>;
  colocated?: () => string[];
  clock?: () => number;
  random?: () => number;
}

export function createProvider(config: WeatherConfig): WeatherProvider {
  return config.apiKey
    ? new OpenWeatherMapProvider(config.openWeatherMapUrl, config.apiKey, config.timeout)
    : new OpenMeteoProvider(config.openMeteoUrl, config.timeout);
}

/** WEATHER_LATITUDE/LONGITUDE, else Home Assistant's configured home location. */
export function locationResolver(config: WeatherConfig): () => Promise<HomeLocation> {
  return async () => {
    if (config.latitude !== undefined && config.longitude !== undefined) {
      return { latitude: config.latitude, longitude: config.longitude, name: config.location ?? 'home' };
    }
    if (!config.haUrl || !config.haToken) {
      throw new Error('no location: set WEATHER_LATITUDE and WEATHER_LONGITUDE, or HA_URL and HA_TOKEN');
    }
    const ha = await fetchHaHomeConfig(config.haUrl, config.haToken, config.timeout);
    return { latitude: ha.latitude, longitude: ha.longitude, name: config.location ?? ha.locationName ?? 'home' };
  };
}

/** Builds weather-api (routes, poller) without listening or fetching; `poller.start()` begins the fetches. */
export function buildWeatherApp(deps: WeatherAppDeps): { app: HttpApp; poller: WeatherPoller } {
  const clock = deps.clock ?? Date.now;
  const { config } = deps;
  const poller = new WeatherPoller({
    provider: createProvider(config),
    resolveLocation: locationResolver(config),
    store: deps.store,
    logger: deps.logger.child({ module: 'weather-poller' }),
    intervalMs: config.interval,
    retryBaseMs: config.retryBase,
    secrets: [config.apiKey, config.haToken],
    clock,
    random: deps.random,
  });
  const { app, metrics } = createServiceApp({
    name: 'weather-api',
    logger: deps.logger,
    apiKey: deps.apiKey,
    colocated: deps.colocated,
    config: () => [{ schema: weatherSchema, config: { ...config } }],
    checks: () => ({ provider: providerCheck(poller, clock), store: storeCheck(poller) }),
    openApi: WEATHER_OPENAPI,
  });
  registerWeatherMetrics(metrics, poller);
  registerWeatherRoutes(app, { poller, store: deps.store, intervalMs: config.interval, clock });
  return { app, poller };
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function providerCheck(poller: WeatherPoller, clock: () => number): HealthCheck {
  const s = poller.status();
  const detail = {
    source: s.source,
    lastSuccess: isoOrNull(s.lastSuccessAt),
    lastAttempt: isoOrNull(s.lastAttemptAt),
    nextAttempt: isoOrNull(s.nextAttemptAt),
    consecutiveFailures: s.consecutiveFailures,
    cacheAgeSeconds: s.lastSuccessAt === null ? null : Math.round((clock() - s.lastSuccessAt) / 1000),
  };
  if (s.consecutiveFailures === 0) return { status: 'healthy', ...detail };
  const since = s.lastSuccessAt === null ? 'no reading yet' : `last success ${new Date(s.lastSuccessAt).toISOString()}`;
  return { status: 'degraded', reason: `${s.source} failing (${since}): ${s.lastError}`, ...detail };
}

function storeCheck(poller: WeatherPoller): HealthCheck {
  const s = poller.status();
  if (s.storeError === null) return { status: 'healthy', pendingPoints: s.pendingPoints };
  return { status: 'degraded', reason: `cannot write weather points: ${s.storeError}`, pendingPoints: s.pendingPoints };
}
