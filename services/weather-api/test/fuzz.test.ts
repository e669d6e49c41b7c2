// Every weather-api route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang, RSS
// bounded. The poller is not started: nothing is fetched from any provider.
import { test } from 'node:test';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { API_KEY, weatherFixture } from './helpers';

test('fuzz every weather-api route', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const fx = await weatherFixture({ WEATHER_OPEN_METEO_URL: 'http://127.0.0.1:9' });
  try {
    assertFuzzClean(await fuzzRoutes(fx.app, { apiKey: API_KEY, seed: 9 }), 3);
  } finally {
    await fx.close();
  }
});
