// The same durable pipeline in front of the embedded SQLite store (the default when INFLUXDB_URL is unset).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { createEventPipeline } from '../src/pipeline/event-pipeline';
import { SqliteTimeSeriesStore } from '../src/sqlite/sqlite-store';
import type { StateEvent } from '../src/types';
import { event } from './pipeline-helpers';

describe('pipeline into SQLite', () => {
  const dir = tempDir('homeiq-pipeline-sqlite-');
  after(() => dir.remove());

  test('stores everything in order; a replay of already stored events is counted as duplicates', async () => {
    const store = new SqliteTimeSeriesStore(join(dir.path, 'homeiq.db'));
    await store.open();
    const options = {
      store,
      dir: join(dir.path, 'spool'),
      batchSize: 500,
      batchTimeoutMs: 100,
      maxRetries: 3,
      spoolMaxBytes: 64 * 1024 * 1024,
      deadLetterPath: join(dir.path, 'dead-letter.jsonl'),
      logger: silentLogger(),
    };
    const p = createEventPipeline(options);
    const announced: StateEvent[] = [];
    p.onStored((events) => announced.push(...events));
    await p.start();
    const events = Array.from({ length: 10_000 }, (_, i) => event(i));
    for (let i = 0; i < events.length; i += 4) p.accept(events.slice(i, i + 4));
    await p.flush();
    await p.stop();
    assert.equal(p.stats().stored, 10_000);
    assert.deepEqual(
      announced.map((e) => e.state),
      events.map((e) => e.state),
    );
    const page = await store.queryEvents({ limit: 20_000, order: 'asc' });
    assert.equal(page.events.length, 10_000);

    // The same events arriving again (a backfill overlapping what is stored) are recognised, not duplicated.
    const again = createEventPipeline(options);
    await again.start();
    again.accept(events.slice(0, 300));
    await again.flush();
    await again.stop();
    assert.equal(again.stats().duplicates, 300);
    assert.equal(again.stats().stored, 0);
    assert.equal((await store.queryEvents({ limit: 20_000, order: 'asc' })).events.length, 10_000);
    await store.close();
  });
});
