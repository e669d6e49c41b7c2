// Every weather-api route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang, RSS
// bounded. The poller is not started: nothing is fetched from any provider.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { API_KEY, AUTH, weatherFixture } from './helpers';

test('fuzz every weather-api route', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const fx = await weatherFixture({ WEATHER_OPEN_METEO_URL: 'http://127.0.0.1:9' });
  try {
    assertFuzzClean(await fuzzRoutes(fx.app, { apiKey: API_KEY, seed: 9 }), 3);
  } finally {
    await fx.close();
  }
});

test('weather history: a limit that is not a finite integer is a 400 naming it', async () => {
  const fx = await weatherFixture({ WEATHER_OPEN_METEO_URL: 'http://127.0.0.1:9' });
  try {
    for (const limit of ['Infinity', '1e309', '-Infinity', '9007199254740993']) {
      const res = await fx.app.inject({ url: `/api/v1/weather/history?limit=${limit}`, headers: AUTH });
      assert.equal(res.statusCode, 400, `${limit}: ${res.body}`);
      assert.equal((res.json() as { field: string }).field, 'querystring.limit');
    }
    assert.equal((await fx.app.inject({ url: '/api/v1/weather/history?limit=10', headers: AUTH })).statusCode, 200);
  } finally {
    await fx.close();
  }
});
