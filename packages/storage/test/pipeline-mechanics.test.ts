// The durable pipeline's mechanics (batching, order, retries, outage, dead letter, quota, memory bound) against an
// in-memory store double; the real backends are exercised in pipeline-sqlite and influx-outage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { createEventPipeline, type EventPipelineOptions } from '../src/pipeline/event-pipeline';
import type { EventPipeline } from '../src/pipeline-types';
import type { StateEvent } from '../src/types';
import { event, keyOf, MemoryStore } from './pipeline-helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function make(store: MemoryStore, over: Partial<EventPipelineOptions> = {}): { p: EventPipeline; dir: string } {
  const dir = tempDir('homeiq-pipeline-');
  const p = createEventPipeline({
    store: store.asStore(),
    dir: join(dir.path, 'spool'),
    batchSize: 10,
    batchTimeoutMs: 40,
    maxRetries: 2,
    spoolMaxBytes: 64 * 1024 * 1024,
    deadLetterPath: join(dir.path, 'dead-letter.jsonl'),
    logger: silentLogger(),
    retryBaseMs: 5,
    outageBaseMs: 20,
    outageMaxMs: 60,
    ...over,
  });
  cleanups.push(async () => {
    await p.stop(200);
    dir.remove();
  });
  return { p, dir: dir.path };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => event(from + i));

describe('pipeline mechanics', () => {
  test('batches by size, then by timeout; flush waits for all; counters add up', async () => {
    const store = new MemoryStore();
    const { p } = make(store);
    await p.start();
    for (const e of range(0, 15)) p.accept([e]);
    await waitFor(() => store.calls.length >= 2, 2000, 'a full batch, then the rest after the timeout');
    assert.deepEqual(
      store.calls.map((c) => c.length),
      [10, 5],
    );
    // A backlog of more than two batches goes out in one larger write.
    for (const e of range(15, 25)) p.accept([e]);
    await waitFor(() => store.calls.length >= 3, 2000, 'a drain write');
    p.accept(range(40, 3));
    await p.flush();
    assert.deepEqual(
      store.calls.map((c) => c.length),
      [10, 5, 25, 3],
      'flush sends the partial batch at once',
    );
    const s = p.stats();
    assert.equal(s.received, 43);
    assert.equal(s.stored, 43);
    assert.equal(s.pending, 0);
    assert.equal(s.oldestPendingMs, null);
    assert.equal(s.writes, 4);
    assert.ok(s.writeLatencyMs.p50 !== null);
    assert.ok(s.spoolBytes === 0, 'everything committed');
  });

  test('order of commit and onStored follows acceptance with concurrent writes of random latency', async () => {
    const store = new MemoryStore();
    store.delayMs = () => Math.floor(Math.random() * 8);
    const { p } = make(store, { batchSize: 50, concurrency: 4, drainBatchSize: 200 });
    const seen: StateEvent[] = [];
    p.onStored((events) => seen.push(...events));
    await p.start();
    const all = range(0, 5000);
    for (let i = 0; i < all.length; i += 7) p.accept(all.slice(i, i + 7));
    await p.flush();
    assert.equal(store.rows.size, 5000);
    assert.deepEqual(
      seen.map((e) => e.state),
      all.map((e) => e.state),
    );
    assert.equal(p.stats().stored, 5000);
  });

  test('quick retries, then outage mode; drains in order when the store returns, nothing lost or repeated', async () => {
    const store = new MemoryStore();
    store.down = true;
    const { p } = make(store);
    await p.start();
    p.accept(range(0, 100));
    await waitFor(() => p.stats().outage, 3000, 'outage mode');
    assert.ok(store.attempts >= 3, 'maxRetries quick retries came first');
    p.accept(range(100, 100));
    assert.equal(p.stats().pending, 200);
    assert.ok(p.stats().lastError?.includes('store down'));
    store.down = false;
    await p.flush();
    assert.equal(store.rows.size, 200);
    assert.ok(
      [...store.writesPerKey.values()].every((n) => n === 1),
      'each event written once',
    );
    assert.deepEqual(
      store.calls.flat().map((e) => e.state),
      range(0, 200).map((e) => e.state),
    );
    const s = p.stats();
    assert.equal(s.outage, false);
    assert.ok(s.retries >= 3);
  });

  test("the server's Retry-After is honoured", async () => {
    const store = new MemoryStore();
    store.down = true;
    store.retryAfterMs = 300;
    const { p } = make(store);
    await p.start();
    p.accept([event(1)]);
    await waitFor(() => store.attempts >= 2, 3000, 'a retry');
    const gap = store.attemptTimes[1]! - store.attemptTimes[0]!;
    assert.ok(gap >= 280, `waited ${gap} ms`);
    store.down = false;
    await p.flush();
    assert.equal(store.rows.size, 1);
  });

  test('refused events go to the dead letter with the reason; the rest is stored', async () => {
    const store = new MemoryStore();
    store.refuse = (e) => (Number(e.state) % 10 === 3 ? `field type conflict on ${e.entityId}` : undefined);
    const { p, dir } = make(store);
    const stored: StateEvent[] = [];
    p.onStored((events) => stored.push(...events));
    await p.start();
    p.accept(range(0, 40));
    await p.flush();
    const lines = readFileSync(join(dir, 'dead-letter.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    const first = JSON.parse(lines[0]!) as { at: string; reason: string; event: Record<string, unknown> };
    assert.equal(first.event.state, '3');
    assert.equal(first.event.last_updated, '2023-11-14T22:13:20.000003+00:00');
    assert.equal(first.reason, 'field type conflict on sensor.s3');
    assert.ok(!Number.isNaN(Date.parse(first.at)));
    const s = p.stats();
    assert.equal(s.rejected, 4);
    assert.equal(s.deadLettered, 4);
    assert.equal(s.stored, 36);
    assert.equal(s.pending, 0);
    assert.equal(stored.length, 36, 'only stored events are announced');
  });

  test('a batch failing as a whole (non-retryable) is bisected: only the poison event is set aside', async () => {
    const store = new MemoryStore();
    store.poison = (e) => e.state === '17';
    const { p, dir } = make(store, { batchSize: 32 });
    await p.start();
    p.accept(range(0, 32));
    await p.flush();
    assert.equal(store.rows.size, 31);
    const dead = readFileSync(join(dir, 'dead-letter.jsonl'), 'utf8').trim().split('\n');
    assert.equal(dead.length, 1);
    assert.match(dead[0]!, /"state":"17"/);
    assert.match(dead[0]!, /poison in batch/);
    assert.equal(p.stats().rejected, 1);
  });

  test('spool quota: full stops the source, room fires after the drain, nothing is dropped', async () => {
    const store = new MemoryStore();
    store.down = true;
    const { p } = make(store, { spoolMaxBytes: 64 * 1024, segmentBytes: 16 * 1024 });
    let rooms = 0;
    p.onRoom(() => rooms++);
    await p.start();
    let i = 0;
    while (!p.stats().full) p.accept([event(i++)]);
    const s = p.stats();
    assert.ok(s.spoolBytes >= 64 * 1024 && s.spoolBytes < 64 * 1024 + 1024, `spoolBytes ${s.spoolBytes}`);
    // A source that keeps reading a little after the signal still loses nothing.
    for (let k = 0; k < 10; k++) p.accept([event(i++)]);
    assert.equal(rooms, 0);
    store.down = false;
    await waitFor(() => rooms === 1, 5000, 'room');
    await p.flush();
    assert.equal(p.stats().full, false);
    assert.equal(store.rows.size, i);
    assert.ok(p.stats().spoolBytes < 64 * 1024 * 0.9);
  });

  test('a long outage stays within the memory bound: the backlog is re-read from disk, in order', async () => {
    const store = new MemoryStore();
    store.down = true;
    const { p } = make(store, { memoryMaxBytes: 8 * 1024, segmentBytes: 64 * 1024, batchSize: 100 });
    await p.start();
    const all = range(0, 20_000);
    for (let i = 0; i < all.length; i += 3) p.accept(all.slice(i, i + 3));
    store.down = false;
    await p.flush();
    assert.equal(store.rows.size, 20_000);
    const states = store.calls.flat().map((e) => e.state);
    assert.deepEqual(
      states,
      all.map((e) => e.state),
    );
    assert.ok(
      store.calls.some((c) => c.length === 5000),
      'catching up uses large writes',
    );
    const replayed = store.calls.flat().find((e) => e.state === '19999');
    assert.deepEqual(replayed, all[19_999], 'events read back from disk are intact');
  });

  test('stop during an outage keeps the events; a new pipeline on the same folder stores them once', async () => {
    const store = new MemoryStore();
    store.down = true;
    const { p, dir } = make(store);
    await p.start();
    p.accept(range(0, 123));
    await p.stop(100);
    assert.throws(() => p.accept([event(999)]), /accept\(\) while stopped/);
    store.down = false;
    const again = createEventPipeline({
      store: store.asStore(),
      dir: join(dir, 'spool'),
      batchSize: 10,
      batchTimeoutMs: 20,
      maxRetries: 2,
      spoolMaxBytes: 1024 * 1024,
      deadLetterPath: join(dir, 'dead-letter.jsonl'),
      logger: silentLogger(),
    });
    await again.start();
    assert.equal(again.stats().pending, 123);
    await again.flush();
    await again.stop();
    assert.equal(store.rows.size, 123);
    assert.ok([...store.writesPerKey.values()].every((n) => n === 1));
    assert.deepEqual([...store.rows.values()].map(keyOf).sort(), range(0, 123).map(keyOf).sort());
  });

  test('raw records with a custom decoder are replayed through the decoder', async () => {
    const store = new MemoryStore();
    store.down = true;
    const decode = (b: Buffer) =>
      b
        .toString()
        .split(',')
        .map((n) => event(Number(n)));
    const { p, dir } = make(store, { decode });
    await p.start();
    p.accept([event(1), event(2)], Buffer.from('1,2'));
    assert.throws(() => make(store).p.accept([event(1)]), /accept\(\) while new/);
    await p.stop(50);
    store.down = false;
    const again = createEventPipeline({
      store: store.asStore(),
      dir: join(dir, 'spool'),
      batchSize: 10,
      batchTimeoutMs: 10,
      maxRetries: 0,
      spoolMaxBytes: 1024 * 1024,
      deadLetterPath: join(dir, 'dl.jsonl'),
      logger: silentLogger(),
      decode,
    });
    await again.start();
    await again.flush();
    await again.stop();
    assert.deepEqual([...store.rows.values()], [event(1), event(2)]);
  });
});
