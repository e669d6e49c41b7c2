// Every data-retention route with random and hostile input (see core's route-fuzz): never a 5xx, never a hang,
// RSS bounded. Jobs it starts (backups, retention) run on the temp store, and are awaited before closing.
import { test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { assertFuzzClean, fuzzDurationMs, fuzzRoutes } from '@homeiq/core/testing/route-fuzz';
import { tempDir } from '@homeiq/core/testing/temp';
import { Runtime } from '@homeiq/storage';
import { createService } from '../src/index';

const KEY = 'retention-fuzz-key-0123456789';

test('fuzz every data-retention route (embedded store)', { timeout: fuzzDurationMs() + 60_000 }, async () => {
  const dir = tempDir('homeiq-retention-fuzz-');
  const runtime = new Runtime({ HOMEIQ_DATA_DIR: dir.path, API_KEY: KEY }, silentLogger());
  const service = createService(runtime);
  try {
    assertFuzzClean(await fuzzRoutes(service.app, { apiKey: KEY, seed: 8 }), 5);
  } finally {
    await service.stop();
    await runtime.close();
    dir.remove();
  }
});
