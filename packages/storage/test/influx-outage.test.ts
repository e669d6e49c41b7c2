// The outage the pipeline exists for: influxd is SIGKILLed for 20 s while 500 events/s flow through the durable
// pipeline, then restarted. Every event must be stored exactly once (points counted per entity and in total).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import type { InfluxStore } from '../src/influx/influx-store';
import { createEventPipeline } from '../src/pipeline/event-pipeline';
import {
  dropDatabase,
  freshDatabase,
  type InfluxServer,
  influxd,
  influxql,
  openStore,
  startInfluxd,
} from './influx-helpers';
import { event } from './pipeline-helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('InfluxDB outage under load', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  let store: InfluxStore;
  let db: string;
  const dir = tempDir('homeiq-outage-');
  before(async () => {
    server = await startInfluxd();
    db = freshDatabase('outage');
    store = await openStore(server, db);
  });
  after(async () => {
    await dropDatabase(server, db).catch(() => undefined);
    await server?.stop();
    dir.remove();
  });

  test('SIGKILL influxd for 20 s at 500 ev/s, restart: 0 lost, 0 duplicated', { timeout: 120_000 }, async () => {
    const pipeline = createEventPipeline({
      store,
      dir: join(dir.path, 'spool'),
      batchSize: 500,
      batchTimeoutMs: 1000,
      maxRetries: 3,
      spoolMaxBytes: 512 * 1024 * 1024,
      deadLetterPath: join(dir.path, 'dead-letter.jsonl'),
      logger: silentLogger(),
      outageMaxMs: 2000,
    });
    await pipeline.start();
    let n = 0;
    const perEntity = new Map<string, number>();
    const started = Date.now();
    // 5 events every 10 ms, paced by the wall clock so that timer drift does not lower the rate.
    const timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * 500);
      while (n < due) {
        const e = event(n++, { entityId: `sensor.load_${n % 40}` });
        perEntity.set(e.entityId, (perEntity.get(e.entityId) ?? 0) + 1);
        pipeline.accept([e]);
      }
    }, 10);
    await sleep(3000);
    await server.kill('SIGKILL');
    const killedAt = n;
    await sleep(20_000);
    const outage = pipeline.stats();
    assert.equal(outage.outage, true, 'outage mode while the server is gone');
    assert.ok(outage.pending >= n - killedAt, `pending ${outage.pending} covers the outage`);
    await server.restart();
    await sleep(3000);
    clearInterval(timer);
    await pipeline.flush();
    await pipeline.stop();
    const s = pipeline.stats();
    assert.ok(n >= 12_000, `about 13000 events offered (${n})`);
    assert.equal(s.received, n);
    assert.equal(s.pending, 0);
    assert.equal(s.rejected, 0);
    assert.equal(s.stored, n);
    assert.ok(s.retries > 3);

    const body = (await influxql(
      server,
      db,
      'SELECT count("state") FROM home_assistant_events GROUP BY "entity_id"',
    )) as {
      results: Array<{ series?: Array<{ tags: { entity_id: string }; values: unknown[][] }> }>;
    };
    const stored = new Map<string, number>();
    for (const series of body.results[0]?.series ?? [])
      stored.set(series.tags.entity_id, Number(series.values[0]?.[1]));
    assert.deepEqual(stored, perEntity, 'points per entity: none lost, none duplicated');
    const times = (await influxql(server, db, 'SELECT count(distinct("context_id")) FROM home_assistant_events')) as {
      results: Array<{ series?: Array<{ values: unknown[][] }> }>;
    };
    assert.equal(Number(times.results[0]?.series?.[0]?.values[0]?.[1]), n, 'every event distinct');
  });
});
