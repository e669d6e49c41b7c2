// The pipeline on a real InfluxDB: a 400 partial write goes to the dead letter and nothing else is lost; the spool
// quota stops the source while influxd is down and lets it resume when the drain makes room.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { createEventPipeline } from '../src/pipeline/event-pipeline';
import type { EventPipeline } from '../src/pipeline-types';
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

async function count(server: InfluxServer, db: string): Promise<number> {
  const body = (await influxql(server, db, 'SELECT count("state") FROM home_assistant_events')) as {
    results: Array<{ series?: Array<{ values: unknown[][] }> }>;
  };
  return Number(body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('pipeline into InfluxDB', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  const dir = tempDir('homeiq-influx-pipeline-');
  before(async () => {
    server = await startInfluxd();
  });
  after(async () => {
    await server?.stop();
    dir.remove();
  });

  async function pipelineFor(db: string, name: string, over: { spoolMaxBytes?: number } = {}): Promise<EventPipeline> {
    const p = createEventPipeline({
      store: await openStore(server, db),
      dir: join(dir.path, name, 'spool'),
      batchSize: 500,
      batchTimeoutMs: 200,
      maxRetries: 2,
      spoolMaxBytes: over.spoolMaxBytes ?? 64 * 1024 * 1024,
      deadLetterPath: join(dir.path, name, 'dead-letter.jsonl'),
      logger: silentLogger(),
      retryBaseMs: 20,
      outageBaseMs: 100,
      outageMaxMs: 500,
    });
    await p.start();
    return p;
  }

  test('refused points (a parse error and type conflicts) go to the dead letter; nothing else is lost', async () => {
    const db = freshDatabase('deadletter');
    const p = await pipelineFor(db, 'dl');
    // Another writer typed old_state as a float in this shard.
    await fetch(`${server.url}/write?db=${db}&precision=u`, {
      method: 'POST',
      body: `home_assistant_events,entity_id=sensor.other old_state=1 ${event(0).time - 1}`,
    });
    const bad = new Set([10, 511, 777, 1500]);
    const events = Array.from({ length: 2000 }, (_, i) => event(i, bad.has(i) ? { oldState: 'on' } : {}));
    events[1234] = event(1234, { time: 9_300_000_000_000_000 });
    for (let i = 0; i < events.length; i += 10) p.accept(events.slice(i, i + 10));
    await p.flush();
    await p.stop();
    const s = p.stats();
    assert.equal(s.rejected, 5);
    assert.equal(s.deadLettered, 5);
    assert.equal(s.stored, 1995);
    assert.equal(await count(server, db), 1995, 'every other point is stored');
    const lines = readFileSync(join(dir.path, 'dl', 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; event: { state: string; last_updated: string } });
    assert.deepEqual(
      lines.map((l) => Number(l.event.state)).sort((a, b) => a - b),
      [10, 511, 777, 1234, 1500],
    );
    assert.ok(lines.every((l) => /field type conflict|time outside range/.test(l.reason)));
    assert.ok(
      lines.some((l) => l.event.last_updated.startsWith('2264')),
      'the export format keeps the bad time',
    );
    await dropDatabase(server, db);
  });

  test('spool quota with influxd down: full stops the source, the restart drains it, room resumes it', async () => {
    const db = freshDatabase('quota');
    const p = await pipelineFor(db, 'quota', { spoolMaxBytes: 256 * 1024 });
    await server.kill('SIGKILL');
    let n = 0;
    let paused = false;
    const resumed = new Promise<void>((resolve) => p.onRoom(() => resolve()));
    // The source: reads while there is room, pauses when the spool is full (what the ingestion service does).
    while (!p.stats().full) p.accept([event(n++)]);
    paused = true;
    const atFull = n;
    const s = p.stats();
    assert.ok(s.spoolBytes >= 256 * 1024);
    assert.ok(n > 500, `${n} events fit in the quota`);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(p.stats().full, true, 'stays full while the store is down');
    await server.restart();
    await resumed;
    paused = false;
    assert.equal(p.stats().full, false);
    for (let k = 0; k < 1000; k++) p.accept([event(n++)]);
    await p.flush();
    await p.stop();
    assert.equal(paused, false);
    assert.ok(n === atFull + 1000);
    await waitFor(async () => (await count(server, db)) === n, 10_000, `${n} points stored`);
    await dropDatabase(server, db);
  });
});
