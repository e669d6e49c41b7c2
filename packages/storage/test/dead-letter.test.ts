// The dead letter keeps every record it is given, whatever its shape, and the pipeline never counts refused events
// as done while the dead letter cannot take them.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { DeadLetter } from '../src/pipeline/dead-letter';
import { createEventPipeline } from '../src/pipeline/event-pipeline';
import { writeJsonChunks } from '../src/pipeline/safe-json';
import { event, MemoryStore } from './pipeline-helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 'x\u0000y' };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function depthOf(v: unknown): number {
  let d = 0;
  let cur = v as Record<string, unknown> | undefined;
  while (cur && typeof cur.a === 'object') {
    cur = cur.a as Record<string, unknown>;
    d++;
  }
  return d;
}

describe('dead letter', () => {
  test('records JSON.stringify cannot take (5000 deep, 100000 deep, cyclic, BigInt) are all written, losslessly where JSON can', () => {
    const dir = tempDir('homeiq-dl-');
    cleanups.push(() => dir.remove());
    const dl = new DeadLetter(join(dir.path, 'dl.jsonl'));
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const items = [
      { event: event(1), reason: 'plain' },
      { event: event(2, { attributes: nested(5000) }), reason: 'deep' },
      { event: event(3, { attributes: nested(100_000) }), reason: 'deeper' },
      { event: event(4, { attributes: cyclic }), reason: 'cyclic' },
      { event: event(5, { attributes: { big: 10n ** 30n } }), reason: 'bigint' },
      { event: event(6), reason: 'after' },
    ];
    assert.throws(() => JSON.stringify(nested(100_000)), RangeError, 'the case the slow path exists for');
    assert.equal(dl.append(items, Date.UTC(2026, 0, 1)), items.length);
    const lines = readFileSync(dl.path, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, items.length);
    type Attrs = Record<string, unknown> & { a?: Attrs; leaf?: string; big?: string };
    const records = lines.map((l) => JSON.parse(l) as { reason: string; event: { state: string; attributes: Attrs } });
    assert.deepEqual(
      records.map((r) => r.reason),
      items.map((i) => i.reason),
    );
    assert.equal(depthOf(records[1]!.event.attributes), 5000);
    assert.equal(depthOf(records[2]!.event.attributes), 100_000);
    let leaf: Attrs = records[2]!.event.attributes;
    while (leaf.a) leaf = leaf.a;
    assert.equal(leaf.leaf, 'x\u0000y', 'control characters survive');
    assert.deepEqual(records[3]!.event.attributes, { name: 'loop', self: '[Circular]' });
    assert.equal(records[4]!.event.attributes.big, '1000000000000000000000000000000');
    assert.equal(records[5]!.event.state, '6');
  });

  test('the chunked serializer equals JSON.stringify wherever that works', () => {
    const values: unknown[] = [
      { a: [1, 'two', null, true, { b: undefined, c: () => 1, d: Number.NaN }], e: 'é😀"\\\n' },
      [undefined, -0, 1e21, 'x'.repeat((1 << 20) + 3) + '😀'],
      'plain',
      42,
      null,
    ];
    for (const v of values) {
      let text = '';
      writeJsonChunks(v, (chunk) => {
        text += chunk;
      });
      assert.equal(text, JSON.stringify(v));
    }
  });

  test('an unwritable dead letter: events stay pending (not lost), health sees it, all arrive once it is writable', async () => {
    const dir = tempDir('homeiq-dl-pipe-');
    const dlPath = join(dir.path, 'dead-letter.jsonl');
    mkdirSync(dlPath); // a folder where the file should be: every append fails
    const store = new MemoryStore();
    store.refuse = (e) => (Number(e.state) % 5 === 0 ? 'refused' : undefined);
    const p = createEventPipeline({
      store: store.asStore(),
      dir: join(dir.path, 'spool'),
      batchSize: 10,
      batchTimeoutMs: 20,
      maxRetries: 1,
      spoolMaxBytes: 64 * 1024 * 1024,
      deadLetterPath: dlPath,
      logger: silentLogger(),
      retryBaseMs: 5,
      outageBaseMs: 20,
      outageMaxMs: 50,
    });
    cleanups.push(async () => {
      await p.stop(200);
      dir.remove();
    });
    await p.start();
    p.accept(Array.from({ length: 20 }, (_, i) => event(i + 1)));
    await waitFor(() => p.stats().deadLetterFailures >= 3, 5000);
    const failing = p.stats();
    assert.match(failing.deadLetterError ?? '', /dead letter not writable/);
    assert.equal(failing.deadLettered, 0);
    assert.ok(failing.pending >= 10, `refused events' batches stay pending, got ${failing.pending}`);
    rmSync(dlPath, { recursive: true });
    await p.flush();
    const fixed = p.stats();
    assert.equal(fixed.deadLetterError, null);
    assert.equal(fixed.deadLettered, 4);
    assert.equal(fixed.pending, 0);
    const states = readFileSync(dlPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: { state: string } }).event.state);
    assert.deepEqual(states.sort(), ['10', '15', '20', '5']);
    assert.equal(store.rows.size, 16);
  });
});
