// Home Assistant's real limits, met by the real service: a reader paused by a full spool is disconnected by HA's
// slow-client rule (4096 pending messages) and the backfill recovers every event; a Home Assistant without the
// history integration is reported once, loudly, on /health, and asked again only rarely.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { startSimulatedHome } from '@homeiq/ha';
import { startIngestion, waitFor, waitForExact } from './helpers';

const influxd = influxdAvailability();

test('a reader paused on a full spool is cut by HA (4096 pending); the backfill recovers everything', {
  skip: influxd.skip,
}, async () => {
  const server = await startInfluxd();
  const home = await startSimulatedHome({ rate: 0, entityCount: 200, seed: 21, recorderCommitIntervalMs: 1000 });
  const ing = await startIngestion(home, {
    INFLUXDB_URL: server.url,
    INFLUXDB_DATABASE: 'slow_reader',
    SPOOL_MAX_BYTES: String(256 * 1024),
    MAX_RETRIES: '0',
    HA_RECORDER_COMMIT_INTERVAL: '1s',
  });
  try {
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
    // The store goes away: the spool fills, reading pauses, Home Assistant's queue for us grows until it cuts us.
    await server.kill();
    home.controls.setRate(2000);
    await waitFor(() => ing.service.stats().pauses > 0, 30_000, 'reading paused on a full spool');
    await waitFor(() => home.controls.clients() === 0, 30_000, 'HA to drop the paused reader');
    home.controls.setRate(0);
    await server.restart();
    await waitFor(() => ing.service.stats().reconnects > 0, 60_000, 'reconnected');
    await waitFor(() => !ing.service.stats().backfillPending, 60_000, 'the gap closed');
    await waitForExact(home, ing, 60_000);
    assert.ok(ing.service.stats().backfilled > 0, 'the gap came back from history');
    assert.ok(home.controls.emitted().length > 4096);
  } finally {
    await ing.stop();
    await home.stop();
    await server.stop();
  }
});

test('without the history integration: one error, /health degraded with what to do, live events still stored', async () => {
  const home = await startSimulatedHome({ rate: 0, entityCount: 30, seed: 22, history: false });
  const ing = await startIngestion(home, { HOMEIQ_INITIAL_BACKFILL: '1h' });
  try {
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
    const base = `http://127.0.0.1:${ing.service.port}`;
    const health = await waitFor(
      async () => {
        const body = (await (await fetch(`${base}/health`)).json()) as {
          status: string;
          checks: Record<string, { status: string; reason?: string }>;
        };
        return body.checks.backfill?.status === 'degraded' ? body : undefined;
      },
      10_000,
      'backfill reported degraded',
    );
    assert.equal(health?.status, 'degraded');
    assert.match(String(health?.checks.backfill?.reason), /history integration.*configuration\.yaml/);
    home.controls.fire('sensor.still_live', '1');
    await waitForExact(home, ing, 10_000);
  } finally {
    await ing.stop();
    await home.stop();
  }
});
