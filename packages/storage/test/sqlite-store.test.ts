// Embedded-store specifics the conformance suite cannot see: the compact encoding on disk, attribute dedup,
// the recent -> events merge, entity tags, the time-window read path, read-only readers and retention counts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import Database from 'better-sqlite3';
import { StoreError } from '../src/errors';
import { type SqliteStoreOptions, SqliteTimeSeriesStore } from '../src/sqlite/sqlite-store';
import type { StateEvent } from '../src/types';
import { ev, HOUR, MINUTE, matches, readAll, SECOND, sorted, T0, ulid } from './conformance/fixtures';

const dir = tempDir('homeiq-sqlite-store-');
after(() => dir.remove());
let n = 0;

async function open(options: SqliteStoreOptions = {}) {
  const path = join(dir.path, `s${n++}.db`);
  const store = new SqliteTimeSeriesStore(path, options);
  await store.open();
  return { store, path };
}

function raw(path: string) {
  return new Database(path, { readonly: true });
}

describe('SqliteTimeSeriesStore', () => {
  test('stores each attribute set once, and {} as no set at all', async () => {
    const { store, path } = await open();
    const sets = [{ unit_of_measurement: '°C', friendly_name: 'T' }, { brightness: 128 }, { brightness: 255 }];
    const events: StateEvent[] = [];
    for (let i = 0; i < 600; i++) {
      events.push(ev(`sensor.s${i % 10}`, T0 + i * SECOND, String(i), { attributes: i % 4 === 3 ? {} : sets[i % 3]! }));
    }
    await store.writeEvents(events.slice(0, 300));
    await store.close();
    await store.open(); // a fresh process finds the stored sets instead of adding copies
    await store.writeEvents(events.slice(300));
    const db = raw(path);
    assert.equal(db.prepare('SELECT count(*) FROM attributes').pluck().get(), 3);
    const noSet =
      'SELECT (SELECT count(*) FROM events WHERE a IS NULL) + (SELECT count(*) FROM recent WHERE a IS NULL)';
    assert.equal(db.prepare(noSet).pluck().get(), 150);
    db.close();
    assert.deepEqual(await readAll(store, {}, 'asc'), sorted(events));
    await store.close();
  });

  test('rows are compact: integer times and states, 10-byte contexts, zero flags', async () => {
    const { store, path } = await open();
    const t = T0 + 5 * SECOND + 17;
    await store.writeEvents([
      ev('sensor.t', t, '21.4', { contextId: ulid(t, 1) }),
      ev('light.l', t, 'on', {
        contextId: 'not-a-ulid',
        origin: 'REMOTE',
        contextUserId: '9f2d7a4c1b3e5f60718293a4b5c6d7e8',
      }),
    ]);
    const db = raw(path);
    const rows = db
      .prepare(
        'SELECT typeof(t) tt, typeof(s) ts, s, lc, length(c) lcx, typeof(c) tc, f, typeof(x) tx FROM recent ORDER BY e',
      )
      .all();
    db.close();
    assert.deepEqual(rows, [
      { tt: 'integer', ts: 'integer', s: 214, lc: 0, lcx: 10, tc: 'blob', f: 4, tx: 'null' },
      { tt: 'integer', ts: 'text', s: 'on', lc: 0, lcx: 10, tc: 'text', f: 1, tx: 'blob' },
    ]);
    await store.close();
  });

  test('merges move every event once; a replay after the merge counts as duplicates', async () => {
    const { store, path } = await open({ mergeRows: 100 });
    const events = Array.from({ length: 250 }, (_, i) => ev(`sensor.m${i % 7}`, T0 + i * SECOND, `${i}`));
    for (let i = 0; i < 250; i += 50) await store.writeEvents(events.slice(i, i + 50));
    const db = raw(path);
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    assert.equal(count('events'), 200);
    assert.equal(count('recent'), 50);
    const again = await store.writeEvents(events);
    assert.deepEqual([again.written, again.duplicates], [0, 250]);
    assert.equal((await store.info()).events, 250);
    assert.deepEqual(await readAll(store, {}, 'desc', 33), sorted(events, 'desc'));
    await store.close(); // close merges the rest
    assert.deepEqual([count('events'), count('recent')], [250, 0]);
    db.close();
  });

  test("an entity's tags follow its newest event, not a backfilled older one", async () => {
    const { store, path } = await open();
    const attrs = { device_class: 'temperature', unit_of_measurement: '°C' };
    await store.writeEvents([ev('sensor.t', T0 + HOUR, '1', { areaId: 'kitchen', deviceId: 'd1', attributes: attrs })]);
    await store.writeEvents([ev('sensor.t', T0, '0', { areaId: 'attic', deviceId: 'd0' })]);
    const tags = () => {
      const db = raw(path);
      const row = db
        .prepare('SELECT area_id, device_id, device_class, unit FROM entities WHERE entity_id = ?')
        .get('sensor.t');
      db.close();
      return row;
    };
    assert.deepEqual(tags(), { area_id: 'kitchen', device_id: 'd1', device_class: 'temperature', unit: '°C' });
    await store.writeEvents([
      ev('sensor.t', T0 + 2 * HOUR, '2', { areaId: 'garage', deviceId: 'd1', attributes: attrs }),
    ]);
    assert.deepEqual(tags(), { area_id: 'garage', device_id: 'd1', device_class: 'temperature', unit: '°C' });
    assert.equal((await readAll(store, { areaId: 'garage' })).length, 3, 'areas are per entity in this store');
    await store.close();
  });

  test('many entities with gaps of days are paged by time windows, both ways', async () => {
    const { store } = await open({ mergeRows: 500 });
    const events: StateEvent[] = [];
    for (const day of [0, 3, 40]) {
      for (let i = 0; i < 300; i++) {
        const id = i % 3 === 0 ? `light.l${i % 150}` : `sensor.s${i % 150}`;
        events.push(ev(id, T0 + day * 24 * HOUR + Math.floor(i / 5) * MINUTE, String(i % 4), { areaId: `a${i % 2}` }));
      }
    }
    const unique = [...new Map(events.map((e) => [`${e.entityId}@${e.time}`, e])).values()];
    await store.writeEvents(unique.slice(0, 700));
    await store.writeEvents(unique.slice(700));
    for (const f of [
      {},
      { domain: 'sensor' },
      { areaId: 'a1', state: '1' },
      { start: T0 + 24 * HOUR, end: T0 + 41 * 24 * HOUR },
    ]) {
      const want = unique.filter((e) => matches(e, f));
      assert.deepEqual(await readAll(store, f, 'desc', 97), sorted(want, 'desc'), JSON.stringify(f));
      assert.deepEqual(await readAll(store, f, 'asc', 250), sorted(want, 'asc'), JSON.stringify(f));
    }
    await store.close();
  });

  test('bad events are rejected naming the field; the rest of the batch is stored', async () => {
    const { store } = await open();
    const good = ev('sensor.ok', T0, '1');
    const bad = [
      { ...good, entityId: '' },
      { ...good, time: 1.5 },
      { ...good, state: 5 as unknown as string },
      { ...good, attributes: [] as unknown as Record<string, unknown> },
      { ...good, contextId: 7 as unknown as string },
      { ...good, time: T0 + 1, attributes: { big: 10n } },
    ];
    const result = await store.writeEvents([good, ...bad]);
    assert.equal(result.written, 1);
    assert.deepEqual(
      result.rejected.map((r) => [r.index, r.reason.split(':')[0]]),
      [
        [1, 'entityId'],
        [2, 'time'],
        [3, 'state'],
        [4, 'attributes'],
        [5, 'contextId'],
        [6, 'attributes'],
      ],
    );
    await store.close();
  });

  test('times far from the epoch (1990, 2100) round-trip', async () => {
    const { store } = await open();
    const events = [
      ev('sensor.old', Date.UTC(1990, 0, 1) * 1000 + 1, 'a'),
      ev('sensor.new', Date.UTC(2100, 0, 1) * 1000 + 999, 'b'),
    ];
    await store.writeEvents(events);
    assert.deepEqual(await readAll(store, {}, 'asc'), sorted(events));
    assert.equal(await store.lastEventTime(), events[1]!.time);
    await store.close();
  });

  test('retention deletes in chunks from both tables and keeps the event count exact', async () => {
    const { store, path } = await open({ mergeRows: 120, deleteChunk: 13 });
    const events = Array.from({ length: 400 }, (_, i) => ev(`sensor.r${i % 9}`, T0 + i * SECOND, 'x'));
    await store.writeEvents(events.slice(0, 150));
    await store.writeEvents(events.slice(150));
    assert.equal(await store.deleteBefore('events', T0 + 333 * SECOND), 333);
    const db = raw(path);
    assert.equal(db.prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM recent)').pluck().get(), 67);
    db.close();
    assert.equal((await store.info()).events, 67);
    await store.close();
  });
});

describe('a read-only store beside the writer', () => {
  test('another process reads while this one writes and merges', async () => {
    const { store, path } = await open({ mergeRows: 300 });
    const total = 2000;
    const module = new URL('../src/sqlite/sqlite-store.ts', import.meta.url).pathname;
    const script = `
      const { SqliteTimeSeriesStore } = await import(${JSON.stringify(module)});
      const reader = new SqliteTimeSeriesStore(${JSON.stringify(path)}, { readonly: true });
      await reader.open();
      process.stdout.write('ready\\n');
      const seen = [];
      for (let i = 0; i < 400; i++) {
        const page = await reader.queryEvents({ limit: ${total}, order: 'asc' });
        const keys = new Set(page.events.map((e) => e.entityId + '@' + e.time));
        if (keys.size !== page.events.length) throw new Error('duplicate in a read');
        seen.push(page.events.length);
        if (page.events.length === ${total}) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      await reader.close();
      process.stdout.write(JSON.stringify(seen));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor(() => out.startsWith('ready\n'), 20_000, 'the reader process');
    for (let i = 0; i < total; i += 100) {
      await store.writeEvents(
        Array.from({ length: 100 }, (_, j) => ev(`sensor.p${(i + j) % 11}`, T0 + (i + j) * SECOND, 'v')),
      );
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(await exited, 0);
    const seen = JSON.parse(out.slice('ready\n'.length)) as number[];
    assert.equal(seen.at(-1), total, 'the reader ends up seeing everything');
    assert.ok(seen.length > 3 && seen[0]! < total, `the reader read while the writer wrote: ${seen.join(',')}`);
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]! >= seen[i - 1]!, 'never fewer than before (merges are atomic)');
    await store.close();
  });

  test('sees what the writer committed, in both tables, and refuses writes', async () => {
    const { store, path } = await open({ mergeRows: 50 });
    const reader = new SqliteTimeSeriesStore(path, { readonly: true });
    await reader.open();
    const events = Array.from({ length: 80 }, (_, i) => ev('sensor.shared', T0 + i * SECOND, String(i)));
    await store.writeEvents(events.slice(0, 60));
    await store.writeEvents(events.slice(60));
    assert.deepEqual(await readAll(reader, {}, 'asc'), sorted(events));
    await assert.rejects(reader.writeEvents(events), (e: unknown) => e instanceof StoreError && !e.retryable);
    await assert.rejects(reader.deleteBefore('events', T0 + HOUR), StoreError);
    assert.equal((await reader.info()).events, 80);
    await reader.close();
    await store.close();
  });
});
