// Every websocket-ingestion route with random and hostile input (see core's route-fuzz), while it ingests from the
// simulated home: never a 5xx, never a hang, RSS bounded.
import { test } from 'node:test';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { startSimulatedHome } from '@homeiq/ha';
import { API_KEY, startIngestion, waitFor } from './helpers';

test('fuzz every websocket-ingestion route', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const home = await startSimulatedHome({ rate: 20, entityCount: 20, seed: 2 });
  const ing = await startIngestion(home);
  try {
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
    assertFuzzClean(await fuzzRoutes(ing.service.app, { apiKey: API_KEY, seed: 3 }), 4);
  } finally {
    await ing.stop();
    await home.stop();
  }
});
