// Every sports-data route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang, RSS
// bounded. Not started: no feed is polled and no webhook is delivered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { API_KEY, AUTH, createWebhook, sportsFixture } from './helpers';

test('fuzz every sports-data route', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const fx = await sportsFixture({ start: false, env: { SPORTS_FEED_URL: 'http://127.0.0.1:9' } });
  try {
    assertFuzzClean(await fuzzRoutes(fx.app, { apiKey: API_KEY, seed: 5 }), 5);
  } finally {
    await fx.close();
  }
});

test('webhook deliveries: a limit that is not a finite integer is a 400 naming it', async () => {
  const fx = await sportsFixture({ start: false, env: { SPORTS_FEED_URL: 'http://127.0.0.1:9' } });
  try {
    const id = await createWebhook(fx, { url: 'http://127.0.0.1:9/hook', events: ['game_ended'] });
    for (const limit of ['Infinity', '1e309', '-Infinity', '9007199254740993']) {
      const url = `/api/v1/webhooks/${id}/deliveries?limit=${limit}`;
      const res = await fx.app.inject({ url, headers: AUTH });
      assert.equal(res.statusCode, 400, `${limit}: ${res.body}`);
      assert.equal((res.json() as { field: string }).field, 'querystring.limit');
    }
    const ok = await fx.app.inject({ url: `/api/v1/webhooks/${id}/deliveries?limit=5`, headers: AUTH });
    assert.equal(ok.statusCode, 200);
  } finally {
    await fx.close();
  }
});
