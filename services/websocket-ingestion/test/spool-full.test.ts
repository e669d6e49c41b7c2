import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { type Started, startIngestion, waitFor, waitForExact } from './helpers';

let home: SimulatedHome;
let ing: Started;

before(async () => {
  home = await startSimulatedHome({ rate: 0, entityCount: 40, seed: 9 });
  // A tiny quota: the spool is full after every frame, so reading pauses until each batch is committed.
  ing = await startIngestion(home, { SPOOL_MAX_BYTES: '1024', BATCH_TIMEOUT: '50ms' });
  await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
});

after(async () => {
  await ing?.stop();
  await home?.stop();
});

test('a full spool pauses reading until the store catches up; nothing is lost', async () => {
  home.controls.setRate(300);
  await new Promise((r) => setTimeout(r, 1500));
  home.controls.setRate(0);
  await waitForExact(home, ing, 30_000);
  const stats = ing.service.stats();
  assert.ok(stats.pauses > 0, 'reading was paused');
  assert.equal(stats.pending, 0);
  assert.equal(home.controls.clients(), 1);
});
