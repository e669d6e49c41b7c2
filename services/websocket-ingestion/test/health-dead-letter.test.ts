// /health's store check reads the pipeline's dead-letter state: refused events that cannot be set aside make it
// degraded with the reason (the pipeline keeps them in the spool; see storage's dead-letter test for that part).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateMeter } from '../src/rate-meter';
import { healthChecks, type StatsSources } from '../src/stats';

function sources(pipeline: { deadLetterError: string | null; outage: boolean }): StatsSources {
  const stats = {
    received: 10,
    stored: 5,
    duplicates: 0,
    rejected: 0,
    deadLettered: 0,
    deadLetterFailures: pipeline.deadLetterError ? 3 : 0,
    pending: 5,
    spoolBytes: 100,
    spoolMaxBytes: 1000,
    oldestPendingMs: 10,
    writes: 1,
    retries: 0,
    writeLatencyMs: { p50: 1, p99: 1 },
    outage: pipeline.outage,
    full: false,
    lastError: pipeline.outage ? 'HTTP 503' : null,
    deadLetterError: pipeline.deadLetterError,
    lastWriteAt: null,
  };
  // The pieces collectStats reads, in the shapes the real ones have.
  return {
    connection: {
      counters: { reconnects: 0 },
      connected: true,
      state: 'connected',
      haVersion: '2026.1',
      lastError: null,
      endpoint: 'ws://127.0.0.1:1',
    },
    pipeline: { stats: () => stats },
    ingestion: {
      ingestor: {
        counters: { received: 10, backfilled: 0, rejected: 0, pauses: 0, spoolFailures: 0 },
        rates: new RateMeter(),
        lastEventAt: null,
        lastSpoolFailure: null,
      },
      backfill: { pending: false },
      authError: null,
    },
    normalizer: { filtered: 0, truncated: { attributes: 0, states: 0 } },
    lag: { percentiles: () => ({ p50: null, p99: null }) },
    simulated: false,
    startedAt: Date.now(),
  } as unknown as StatsSources;
}

test('store check: healthy, then degraded naming the dead letter while it fails, before an outage reason', () => {
  assert.equal(healthChecks(sources({ deadLetterError: null, outage: false })).store?.status, 'healthy');
  const failing = healthChecks(sources({ deadLetterError: 'dead letter not writable: EACCES', outage: true })).store;
  assert.equal(failing?.status, 'degraded');
  assert.match(String(failing?.reason), /dead letter not writable: EACCES; refused events wait in the spool/);
  const outage = healthChecks(sources({ deadLetterError: null, outage: true })).store;
  assert.match(String(outage?.reason), /store failing: HTTP 503/);
});
