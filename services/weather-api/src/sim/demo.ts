import type { Logger } from '@homeiq/core';
import { startSimulatedWeather } from './weather-sim';

/**
 * For `homeiq start` with no network (the simulated home): when no provider URL is configured, starts the
 * simulated provider and points weather-api at it (both the Open-Meteo and the OpenWeatherMap URL).
 * Returns the stop function, or undefined when a provider URL is configured.
 */
export async function startDemoWeather(
  env: Record<string, string | undefined>,
  logger: Logger,
): Promise<(() => Promise<void>) | undefined> {
  if (env.WEATHER_OPEN_METEO_URL || env.WEATHER_OPENWEATHERMAP_URL) return undefined;
  const sim = await startSimulatedWeather({ apiKey: env.WEATHER_API_KEY });
  env.WEATHER_OPEN_METEO_URL = sim.url;
  env.WEATHER_OPENWEATHERMAP_URL = sim.url;
  logger.warn({ url: sim.url }, 'No weather provider URL set: weather-api reads a SIMULATED weather provider.');
  return () => sim.stop();
}
