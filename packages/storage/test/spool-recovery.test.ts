// The spool on disk: records survive reopening, a torn or corrupted tail is cut off, the checkpoint decides what is
// replayed (exactly once), committed segments are deleted, and a kill -9 of a real process loses nothing accepted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@homeiq/core';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { createEventPipeline } from '../src/pipeline/event-pipeline';
import { offOf, segOf } from '../src/pipeline/record-format';
import { Spool } from '../src/pipeline/spool';
import { event, keyOf, MemoryStore } from './pipeline-helpers';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function folder(): string {
  const d = tempDir('homeiq-spool-');
  dirs.push(d);
  return d.path;
}

function readAll(spool: Spool, from: number): string[] {
  const reader = spool.reader(from);
  const out: string[] = [];
  for (let r = reader.next(); r; r = reader.next()) out.push(r.payload.toString());
  reader.close();
  return out;
}

const payloads = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `record ${from + i} ${'x'.repeat(i % 50)}`);

function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort();
}

describe('spool', () => {
  test('records read back in order across segments and after reopening', () => {
    const dir = folder();
    const spool = new Spool(dir, 1024, silentLogger());
    const first = spool.open();
    assert.equal(first.records, 0);
    const texts = payloads(100);
    const start = spool.writePos;
    for (const t of texts) spool.append(Buffer.from(t), 1, 1000);
    assert.ok(segments(dir).length > 3, 'rolled over to several segments');
    assert.deepEqual(readAll(spool, start), texts);
    spool.close();

    const again = new Spool(dir, 1024, silentLogger());
    const rec = again.open();
    assert.equal(rec.records, 100);
    assert.equal(rec.events, 100);
    assert.equal(rec.truncatedBytes, 0);
    assert.deepEqual(readAll(again, rec.from), texts);
    again.close();
  });

  test('a torn tail (half a record) and a corrupted last record are cut off; what precedes survives', () => {
    const dir = folder();
    const spool = new Spool(dir, 1 << 20, silentLogger());
    spool.open();
    const texts = payloads(10);
    for (const t of texts) spool.append(Buffer.from(t), 2, 5);
    spool.close();
    const seg = join(dir, segments(dir).at(-1)!);
    const goodSize = statSync(seg).size;
    // A kill or power loss in the middle of the next append: a header promising more than was written.
    const torn = Buffer.alloc(30);
    torn.writeUInt32LE(500, 0);
    appendFileSync(seg, torn);

    const reopened = new Spool(dir, 1 << 20, silentLogger());
    const rec = reopened.open();
    assert.equal(rec.records, 10);
    assert.equal(rec.events, 20);
    assert.equal(rec.truncatedBytes, 30);
    assert.equal(statSync(seg).size, goodSize);
    reopened.append(Buffer.from('after'), 1, 6);
    assert.deepEqual(readAll(reopened, rec.from), [...texts, 'after']);
    reopened.close();

    // Flip one byte inside the newest record of the last segment that holds data: its checksum fails.
    const last = join(dir, segments(dir).at(-1)!);
    const fd = openSync(last, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, statSync(last).size - 2);
    const third = new Spool(dir, 1 << 20, silentLogger());
    const rec3 = third.open();
    assert.equal(rec3.records, 10, 'the corrupted record is dropped, the others kept');
    assert.deepEqual(readAll(third, rec3.from), texts);
    third.close();
  });

  test('the checkpoint decides what is replayed: each uncommitted record exactly once; committed segments go', async () => {
    const dir = folder();
    const spool = new Spool(dir, 512, silentLogger());
    spool.open();
    const texts = payloads(60);
    const ends: number[] = [];
    for (const t of texts) {
      spool.append(Buffer.from(t), 1, 1);
      ends.push(spool.writePos);
    }
    const before = segments(dir).length;
    spool.commit(ends[39]!);
    await waitFor(() => segments(dir).length < before, 2000, 'segments before the checkpoint deleted');
    assert.equal(segOf(spool.commitPos), segOf(ends[39]!));
    spool.close();

    const reopened = new Spool(dir, 512, silentLogger());
    const rec = reopened.open();
    assert.equal(rec.records, 20);
    assert.equal(offOf(rec.from), offOf(ends[39]!));
    assert.deepEqual(readAll(reopened, rec.from), texts.slice(40));
    reopened.close();

    // An unreadable checkpoint: replay everything still on disk (safe: writes are idempotent).
    writeFileSync(join(dir, 'checkpoint'), Buffer.alloc(12, 7));
    const third = new Spool(dir, 512, silentLogger());
    const rec3 = third.open();
    assert.ok(rec3.records >= 20);
    assert.deepEqual(readAll(third, rec3.from).slice(-20), texts.slice(40));
    third.close();
  });

  test('kill -9 of a process that accepted events while the store was down: all replayed, once', async () => {
    const dir = folder();
    const spoolDir = join(dir, 'spool');
    const pipelineModule = fileURLToPath(new URL('../src/pipeline/event-pipeline.ts', import.meta.url));
    const helpers = fileURLToPath(new URL('./pipeline-helpers.ts', import.meta.url));
    const logger = fileURLToPath(new URL('../../core/src/logger.ts', import.meta.url));
    const child = join(dir, 'child.mts');
    writeFileSync(
      child,
      `import { silentLogger } from ${JSON.stringify(logger)};
import { createEventPipeline } from ${JSON.stringify(pipelineModule)};
import { event, MemoryStore } from ${JSON.stringify(helpers)};
const store = new MemoryStore();
store.down = true;
const p = createEventPipeline({ store: store.asStore(), dir: ${JSON.stringify(spoolDir)}, batchSize: 100,
  batchTimeoutMs: 50, maxRetries: 1, spoolMaxBytes: 1 << 30, deadLetterPath: ${JSON.stringify(join(dir, 'dl.jsonl'))},
  logger: silentLogger(), segmentBytes: 64 * 1024, retryBaseMs: 1, outageBaseMs: 5, outageMaxMs: 10 });
await p.start();
let i = 0;
setInterval(() => {
  p.accept(Array.from({ length: 50 }, () => event(i++)));
  process.stdout.write(i + '\\n');
}, 1);
`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let accepted = 0;
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        const lines = d.toString().trim().split('\n');
        accepted = Number(lines.at(-1));
        if (accepted >= 5000) {
          proc.kill('SIGKILL');
          resolve();
        }
      });
      proc.on('exit', (code) => (code === null ? undefined : reject(new Error(`child exited ${code}`))));
    });
    await new Promise((r) => proc.once('exit', r));
    // The last line read is a lower bound: events accepted after it were made durable too.
    const store = new MemoryStore();
    const p = createEventPipeline({
      store: store.asStore(),
      dir: spoolDir,
      batchSize: 500,
      batchTimeoutMs: 10,
      maxRetries: 1,
      spoolMaxBytes: 1 << 30,
      deadLetterPath: join(dir, 'dl.jsonl'),
      logger: silentLogger(),
    });
    await p.start();
    const replayed = p.stats().pending;
    assert.ok(replayed >= accepted, `replayed ${replayed} >= accepted ${accepted}`);
    assert.equal(replayed % 50, 0, 'whole records only');
    await p.flush();
    await p.stop();
    assert.equal(store.rows.size, replayed);
    assert.deepEqual([...store.rows.keys()].sort(), Array.from({ length: replayed }, (_, i) => keyOf(event(i))).sort());
    assert.ok(
      [...store.writesPerKey.values()].every((n) => n === 1),
      'each event replayed exactly once',
    );
    assert.equal(readFileSync(join(dir, 'dl.jsonl'), { flag: 'a+' }).length, 0);
  });
});
