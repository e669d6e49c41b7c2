// Every sports-data route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang, RSS
// bounded. Not started: no feed is polled and no webhook is delivered.
import { test } from 'node:test';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { API_KEY, sportsFixture } from './helpers';

test('fuzz every sports-data route', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const fx = await sportsFixture({ start: false, env: { SPORTS_FEED_URL: 'http://127.0.0.1:9' } });
  try {
    assertFuzzClean(await fuzzRoutes(fx.app, { apiKey: API_KEY, seed: 5 }), 5);
  } finally {
    await fx.close();
  }
});
