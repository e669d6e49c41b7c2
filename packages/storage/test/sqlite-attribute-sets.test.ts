// Attribute sets stored as patches on a keyframe: the pure encode/apply pair, then the store around it (which
// sets become patches, dedup by full text across restarts and hash collisions, rollbacks, a version-1 file).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '@homeiq/core/testing/temp';
import Database from 'better-sqlite3';
import { applyPatch, encodePatch, keyframe } from '../src/sqlite/attribute-sets';
import { hash53 } from '../src/sqlite/codec';
import { SqliteTimeSeriesStore } from '../src/sqlite/sqlite-store';
import type { StateEvent } from '../src/types';
import { ev, readAll, SECOND, sorted, T0 } from './conformance/fixtures';

type Attrs = Record<string, unknown>;

const LIGHT = {
  min_color_temp_kelvin: 2202,
  max_color_temp_kelvin: 6535,
  supported_color_modes: ['color_temp', 'hs'],
  color_mode: 'color_temp',
  brightness: 128,
  color_temp_kelvin: 2700,
  hs_color: [30.5, 60],
  effect_list: ['none', 'colorloop', 'random'],
  friendly_name: 'Kitchen ceiling',
  supported_features: 44,
};

/** The patch of `next` against `base` (both JSON texts, as the writer has them), or undefined. */
const patchOf = (base: string, next: string) =>
  encodePatch(keyframe(1, JSON.parse(base) as Attrs), JSON.parse(next) as Attrs, next);

describe('attribute set patches', () => {
  const roundTrips: Array<[name: string, base: string, next: string, patch: string]> = [
    ['changed values', JSON.stringify(LIGHT), JSON.stringify({ ...LIGHT, brightness: 200 }), '{"brightness":200}'],
    [
      'values becoming null, and a nested array',
      JSON.stringify(LIGHT),
      JSON.stringify({ ...LIGHT, color_mode: null, brightness: null, hs_color: [31, 60] }),
      '{"color_mode":null,"brightness":null,"hs_color":[31,60]}',
    ],
    [
      'nested objects: an equal copy is no change, a deep change is the whole value',
      JSON.stringify({ ...LIGHT, extra: { a: { b: [1, { c: 2 }] }, d: 'x' } }),
      JSON.stringify({ ...LIGHT, extra: { a: { b: [1, { c: 3 }] }, d: 'x' } }),
      '{"extra":{"a":{"b":[1,{"c":3}]},"d":"x"}}',
    ],
    [
      'unicode: accents, CJK, emoji, lone surrogates',
      JSON.stringify({ ...LIGHT, effect: 'Ça plane', friendly_name: 'Küche 台所' }),
      JSON.stringify({ ...LIGHT, effect: '\ud83d💡 \ud800 台', friendly_name: 'Küche 台所' }),
      '{"effect":"\\ud83d💡 \\ud800 台"}',
    ],
    [
      'a key named __proto__ (an own property, as JSON.parse makes it)',
      `{"__proto__":{"polluted":1},${JSON.stringify(LIGHT).slice(1)}`,
      `{"__proto__":{"polluted":2},${JSON.stringify(LIGHT).slice(1)}`,
      '{"__proto__":{"polluted":2}}',
    ],
    [
      'integer-like keys (JSON.stringify puts them first, ascending)',
      JSON.stringify({ ...LIGHT, 10: 'ten', 2: 'two', '-1': 'minus' }),
      JSON.stringify({ ...LIGHT, 10: 'TEN', 2: 'two', '-1': 'MINUS' }),
      '{"10":"TEN","-1":"MINUS"}',
    ],
    [
      'numbers that print differently from their source',
      JSON.stringify({ ...LIGHT, v: 1e21, w: -0, x: 0.1 + 0.2 }),
      JSON.stringify({ ...LIGHT, v: 1e-7, w: 5e-324, x: 0.1 + 0.2 }),
      '{"v":1e-7,"w":5e-324}',
    ],
  ];
  for (const [name, base, next, want] of roundTrips) {
    test(`round trip: ${name}`, () => {
      const patch = patchOf(base, next);
      assert.equal(patch, want);
      assert.equal(applyPatch(base, patch!), next);
      assert.ok(patch!.length * 2 < next.length, 'a patch is under half of the text');
    });
  }

  test('a patch never reaches the prototype', () => {
    const base = `{"__proto__":null,"a":1,${JSON.stringify(LIGHT).slice(1)}`;
    const next = `{"__proto__":{"isAdmin":true},"a":1,${JSON.stringify(LIGHT).slice(1)}`;
    const text = applyPatch(base, patchOf(base, next)!);
    assert.equal(text, next);
    assert.equal(({} as Attrs).isAdmin, undefined);
    assert.equal(Object.getPrototypeOf(JSON.parse(text)), Object.prototype);
    // Even a patch key the base lacks (never written so) stays an own key.
    assert.equal(applyPatch('{"a":1}', '{"__proto__":{"x":1}}'), '{"a":1,"__proto__":{"x":1}}');
  });

  test('another key order, another key set, or a large patch: stored whole', () => {
    const base = JSON.stringify(LIGHT);
    const { brightness, ...rest } = LIGHT;
    const cases: Attrs[] = [
      { brightness, ...rest }, // the same keys, brightness moved first
      { ...LIGHT, effect: 'none' }, // one more key
      rest, // one fewer
      { ...rest, brightnes: brightness }, // as many keys, one renamed
      { ...LIGHT, friendly_name: 'x'.repeat(300) }, // the patch would not be under half of the text
    ];
    for (const next of cases) assert.equal(patchOf(base, JSON.stringify(next)), undefined, JSON.stringify(next));
  });

  test('an identical set is an empty patch', () => {
    const base = JSON.stringify(LIGHT);
    assert.equal(patchOf(base, base), '{}');
    assert.equal(applyPatch(base, '{}'), base);
  });
});

const dir = tempDir('homeiq-sqlite-attrs-');
after(() => dir.remove());
let n = 0;

async function open(path = join(dir.path, `a${n++}.db`)) {
  const store = new SqliteTimeSeriesStore(path, { mergeRows: 50 });
  await store.open();
  return { store, path };
}

/** The attribute rows: [id, base, json]. */
function rows(path: string): Array<[number, number | null, string]> {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT id, base, json FROM attributes ORDER BY id').all() as Array<Attrs>).map((r) => [
      r.id as number,
      r.base as number | null,
      r.json as string,
    ]);
  } finally {
    db.close();
  }
}

/** Everything stored reads back, attributes to the exact text (key order included). */
async function assertReadsBack(store: SqliteTimeSeriesStore, events: StateEvent[]) {
  const got = await readAll(store, {}, 'asc');
  const want = sorted(events);
  assert.deepEqual(got, want);
  assert.deepEqual(
    got.map((e) => JSON.stringify(e.attributes)),
    want.map((e) => JSON.stringify(e.attributes)),
  );
}

const light = (i: number, attributes: Attrs) => ev('light.kitchen', T0 + i * SECOND, 'on', { attributes });

describe('the store with attribute patches', () => {
  test('a set with its keyframe keys is a patch; other keys make a new keyframe', async () => {
    const { store, path } = await open();
    const { brightness, ...rest } = LIGHT;
    const sets: Attrs[] = [
      LIGHT, // 1: full, the keyframe
      { ...LIGHT, brightness: 200 }, // 2: patch on 1
      { ...LIGHT, brightness: 201, color_temp_kelvin: 3000 }, // 3: patch on 1
      LIGHT, // found again: no row
      { brightness, ...rest }, // 4: another key order: full, the new keyframe
      { brightness: 7, ...rest }, // 5: patch on 4
      { ...rest, effect: 'none' }, // 6: another key set: full
      { ...rest, effect: 'colorloop' }, // 7: patch on 6
      { ...LIGHT, brightness: 9 }, // 8: full (its keyframe is 6 now)
    ];
    const events = sets.map((a, i) => light(i, a));
    await store.writeEvents(events);
    assert.deepEqual(
      rows(path).map(([id, base, json]) => [id, base, base === null ? 'full' : json]),
      [
        [1, null, 'full'],
        [2, 1, '{"brightness":200}'],
        [3, 1, '{"brightness":201,"color_temp_kelvin":3000}'],
        [4, null, 'full'],
        [5, 4, '{"brightness":7}'],
        [6, null, 'full'],
        [7, 6, '{"effect":"colorloop"}'],
        [8, null, 'full'],
      ],
    );
    await assertReadsBack(store, events);
    await store.close();
  });

  test('sets with __proto__, integer-like and unicode keys round-trip through patches', async () => {
    const { store, path } = await open();
    const set = (i: number) =>
      JSON.parse(
        `{"__proto__":{"n":${i % 2}},"b":1,"7":"sieben ${i}","Küche 台所":"💡${i}",${JSON.stringify(LIGHT).slice(1)}`,
      ) as Attrs;
    const events = Array.from({ length: 6 }, (_, i) => light(i, set(i)));
    await store.writeEvents(events);
    assert.deepEqual(
      rows(path).map(([, base]) => base),
      [null, 1, 1, 1, 1, 1],
    );
    await assertReadsBack(store, events);
    await store.close();
  });

  test('a new writer (empty caches) reads old patches and dedups against them', async () => {
    const { store, path } = await open();
    const sets = Array.from({ length: 40 }, (_, i) => ({ ...LIGHT, brightness: i, friendly_name: 'Küche 💡' }));
    const events = sets.map((a, i) => light(i, a));
    await store.writeEvents(events);
    await store.close();
    const before = rows(path);
    assert.equal(before.filter(([, base]) => base !== null).length, 39);

    const again = await open(path);
    const reader = new SqliteTimeSeriesStore(path, { readonly: true });
    await reader.open();
    await assertReadsBack(reader, events);
    // The same sets later, in another order: every one is found, none is stored again.
    const later = sets.map((a, i) => light(100 + i, a)).reverse();
    await again.store.writeEvents(later);
    assert.deepEqual(rows(path), before);
    // A new set after the restart: a full row (no keyframe yet), then patches on it.
    const fresh = [light(200, { ...LIGHT, brightness: 77 }), light(201, { ...LIGHT, brightness: 78 })];
    await again.store.writeEvents(fresh);
    assert.deepEqual(
      rows(path)
        .slice(before.length)
        .map(([, base]) => base),
      [null, before.length + 1],
    );
    await assertReadsBack(reader, [...events, ...later, ...fresh]);
    await reader.close();
    await again.store.close();
  });

  test('sets sharing a hash are told apart by their full text', async () => {
    const { store, path } = await open();
    await store.writeEvents([light(0, LIGHT)]);
    await store.close();
    const wanted = { ...LIGHT, brightness: 99 };
    const wantedText = JSON.stringify(wanted);
    const other = { ...LIGHT, brightness: 98 };
    const db = new Database(path);
    const insert = db.prepare('INSERT INTO attributes (id, hash, json, base) VALUES (?, ?, ?, ?)');
    // Crafted collisions: a full set and a patch that hash like `wanted` but are other sets.
    insert.run(10, hash53(wantedText), JSON.stringify(other), null);
    insert.run(11, hash53(wantedText), '{"brightness":98}', 1);
    // A patch that really is `reused` (stored by some other writer): found through its hash, reconstructed.
    const reused = { ...LIGHT, brightness: 42 };
    insert.run(12, hash53(JSON.stringify(reused)), '{"brightness":42}', 1);
    db.close();

    const again = await open(path);
    const events = [light(0, LIGHT), light(1, wanted), light(2, reused), light(3, other)];
    await again.store.writeEvents(events.slice(1));
    // wanted and other are new rows (other a patch on wanted, the keyframe); reused is found.
    assert.deepEqual(rows(path).slice(4), [
      [13, null, wantedText],
      [14, 13, '{"brightness":98}'],
    ]);
    await assertReadsBack(again.store, events);
    await again.store.close();
  });

  test('a rolled-back batch leaves no keyframe behind', async () => {
    const { store, path } = await open();
    await store.writeEvents([light(0, LIGHT)]);
    const ddl = new Database(path);
    ddl.exec(`CREATE TRIGGER boom BEFORE INSERT ON recent WHEN NEW.s = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    const { brightness, ...rest } = LIGHT;
    // Its new keyframe (another key order) is inserted, then the batch fails and is rolled back.
    await assert.rejects(
      store.writeEvents([light(1, { brightness, ...rest }), ev('sensor.x', T0 + 2 * SECOND, 'boom')]),
      /boom/,
    );
    ddl.exec('DROP TRIGGER boom');
    ddl.close();
    const events = [light(0, LIGHT), light(3, { brightness: 1, ...rest }), light(4, { brightness: 2, ...rest })];
    await store.writeEvents(events.slice(1));
    assert.deepEqual(
      rows(path).map(([, base]) => base),
      [null, null, 2],
    );
    await assertReadsBack(store, events);
    await store.close();
  });

  test('a version-1 database (no base column) is migrated and reads back', async () => {
    const { store, path } = await open();
    const old = [light(0, LIGHT), ev('sensor.t', T0, '21.5', { attributes: { unit_of_measurement: '°C' } })];
    await store.writeEvents(old);
    await store.close();
    const db = new Database(path);
    db.exec('ALTER TABLE attributes DROP COLUMN base');
    db.pragma('user_version = 1');
    db.close();

    const again = await open(path);
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), 2);
    const columns = (check.pragma('table_info(attributes)') as Array<{ name: string }>).map((c) => c.name);
    check.close();
    assert.deepEqual(columns, ['id', 'hash', 'json', 'base']);
    const events = [
      ...old,
      light(1, { ...LIGHT, brightness: 3 }),
      light(2, LIGHT),
      light(3, { ...LIGHT, brightness: 4 }),
    ];
    await again.store.writeEvents(events.slice(2));
    // The old rows; the first new set after the restart is full, the next one a patch on it.
    assert.deepEqual(
      rows(path).map(([, base]) => base),
      [null, null, null, 3],
    );
    await assertReadsBack(again.store, events);
    await again.store.close();
  });

  test('a database from a newer HomeIQ is refused, not misread', async () => {
    const { store, path } = await open();
    await store.close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    const newer = new SqliteTimeSeriesStore(path);
    await assert.rejects(newer.open(), /schema version 99 is newer than this HomeIQ understands/);
  });
});
