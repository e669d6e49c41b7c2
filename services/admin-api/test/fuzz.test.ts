// Every admin-api route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang, RSS bounded.
import { test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import { Runtime } from '@homeiq/storage';
import { createService } from '../src/index';

const KEY = 'admin-fuzz-key-0123456789';

test('fuzz every admin-api route', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const dir = tempDir('homeiq-admin-fuzz-');
  // It watches only itself, at a loopback port where nothing listens: no request leaves the machine.
  const env = {
    HOMEIQ_DATA_DIR: dir.path,
    API_KEY: KEY,
    MONITORED_SERVICES: 'admin-api',
    ADMIN_API_URL: `http://127.0.0.1:${await freePort()}`,
    HEALTH_TIMEOUT_MS: '200',
  };
  const runtime = new Runtime(env, silentLogger());
  const service = createService(runtime);
  try {
    assertFuzzClean(await fuzzRoutes(service.app, { apiKey: KEY, seed: 4 }), 5);
  } finally {
    await service.stop();
    await runtime.close();
    dir.remove();
  }
});
