// Every data-api route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang, RSS bounded.
import { after, before, test } from 'node:test';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { KEY, makeApp, sqliteFixture } from './fixtures';

let fx: Awaited<ReturnType<typeof sqliteFixture>>;
before(async () => {
  fx = await sqliteFixture();
});
after(async () => {
  await fx.cleanup();
});

test('fuzz every data-api route (embedded store)', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const { app } = makeApp(fx.store, fx.metadata);
  try {
    assertFuzzClean(await fuzzRoutes(app, { apiKey: KEY, seed: 6 }), 10);
  } finally {
    await app.close();
  }
});
