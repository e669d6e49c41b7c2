// Conformance: every filter, and strings that try to break a query language or an encoding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventFilter, StateEvent } from '../../src/types';
import {
  canonical,
  ev,
  HOUR,
  homeFixture,
  type MakeStore,
  MINUTE,
  matches,
  readAll,
  sorted,
  T0,
  withStore,
} from './fixtures';

/** Strings aimed at SQL, InfluxQL, line protocol, regexes, LIKE patterns and JSON. */
export const HOSTILE = [
  `'; DROP TABLE events; --`,
  `" OR 1=1 --`,
  `' OR '1'='1`,
  `/regex/`,
  `.*`,
  `%`,
  `_`,
  `back\\slash \\" \\\\`,
  `comma,equals=space here`,
  `quote's "double" \`tick\``,
  `line\nbreak\r\nand\ttab`,
  `$1 ? :name @p ; -- /* */`,
  `{"json": [1, "two"]}`,
  `emoji 🏠🔥 中文 العربية ελληνικά`,
  ` leading and trailing `,
  `null`,
];

/** Ids for tags: the same spirit, without newlines or a trailing backslash (line protocol cannot carry those). */
export const HOSTILE_IDS = [
  `sensor.x'; DROP TABLE events; --`,
  `sensor." OR 1=1 --`,
  `sensor./regex/`,
  `sensor.a,b=c d\\e`,
  `sensor.température_été`,
  `sensor.温度_客厅`,
  `sensor.🏠`,
  `we'ird.do"main`,
];

function hostileEvents(): StateEvent[] {
  return HOSTILE_IDS.flatMap((id, i) =>
    HOSTILE.map((s, j) =>
      ev(id, T0 + (i * 100 + j) * 1000 + 1, s, {
        attributes: { [s]: s, nested: { list: [s, j, null, true], empty: {} }, friendly_name: `${id} ${s}` },
        areaId: `area '${i}', "x"=y\\z ü`,
        deviceId: i % 2 ? `device;${i} DROP` : null,
        contextId: j % 3 === 0 ? s : ev(id, T0 + j, '').contextId,
        contextParentId: j % 4 === 0 ? `parent ${s}` : null,
        contextUserId: j % 5 === 0 ? s : null,
        origin: j % 2 ? 'REMOTE' : s,
      }),
    ),
  );
}

export function filterTests(make: MakeStore): void {
  test('every filter alone and combined, paged both ways', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const filters: EventFilter[] = [
        { entityIds: ['sensor.temperature_salon'] },
        { entityIds: ['light.kitchen', 'binary_sensor.door'] },
        { domain: 'sensor' },
        { domain: 'binary_sensor' },
        { areaId: 'living_room' },
        { deviceId: 'dev-door-1' },
        { state: 'on' },
        { state: '' },
        { start: T0 + 2 * HOUR },
        { end: T0 + 45 * MINUTE + 123_457 },
        { start: T0 + 10 * MINUTE, end: T0 + 70 * MINUTE + 1 },
        { domain: 'sensor', areaId: 'living_room', start: T0 + HOUR, end: T0 + 2 * HOUR },
        { entityIds: ['light.kitchen'], state: 'off', deviceId: 'dev-light-1', start: T0 + 30 * MINUTE },
        { areaId: 'garage', domain: 'switch' },
      ];
      for (const f of filters) {
        const want = events.filter((e) => matches(e, f));
        assert.ok(want.length > 0, `fixture covers ${JSON.stringify(f)}`);
        assert.deepEqual(await readAll(store, f, 'desc', 5), sorted(want, 'desc'), `desc ${JSON.stringify(f)}`);
        assert.deepEqual(await readAll(store, f, 'asc', 1000), sorted(want, 'asc'), `asc ${JSON.stringify(f)}`);
      }
      const empty: EventFilter[] = [
        { domain: 'sens' },
        { domain: 'sensor.temperature_salon' },
        { areaId: 'living' },
        { entityIds: ['sensor.temperature'] },
        { state: 'o' },
        { start: T0 + 10 * HOUR },
        { end: T0 },
        { start: T0 + HOUR, end: T0 + HOUR },
      ];
      for (const f of empty) assert.deepEqual(await readAll(store, f), [], `nothing for ${JSON.stringify(f)}`);
    }));

  test('hostile and unicode strings round-trip in ids, states, attributes and contexts', () =>
    withStore(make, async (store) => {
      const events = hostileEvents();
      const result = await store.writeEvents(events);
      assert.deepEqual(result.rejected, []);
      assert.deepEqual(await readAll(store, {}, 'asc'), sorted(events));
      for (const id of HOSTILE_IDS) {
        const got = await readAll(store, { entityIds: [id] }, 'asc');
        assert.deepEqual(got, sorted(events.filter((e) => e.entityId === id)), `entity ${id}`);
        assert.equal(await store.hasEntity(id), true, id);
        const h = await store.history({ entityId: id, start: T0, end: T0 + HOUR, includeStartState: true });
        assert.equal(h.length, HOSTILE.length, `history of ${id}`);
      }
      for (const s of HOSTILE) {
        const f = { state: s };
        assert.deepEqual(
          await readAll(store, f),
          sorted(
            events.filter((e) => matches(e, f)),
            'desc',
          ),
          `state ${s}`,
        );
      }
      assert.deepEqual(
        await readAll(store, { domain: `we'ird` }),
        sorted(
          events.filter((e) => e.entityId.startsWith(`we'ird.`)),
          'desc',
        ),
      );
      const area = events[HOSTILE.length]!.areaId!;
      assert.deepEqual(
        await readAll(store, { areaId: area }),
        sorted(
          events.filter((e) => e.areaId === area),
          'desc',
        ),
      );
      const device = events.find((e) => e.deviceId)!.deviceId!;
      assert.deepEqual(
        await readAll(store, { deviceId: device }),
        sorted(
          events.filter((e) => e.deviceId === device),
          'desc',
        ),
      );
    }));

  test('metacharacters in filter values match literally, never as patterns or code', () =>
    withStore(make, async (store) => {
      await store.writeEvents(hostileEvents());
      const total = (await readAll(store, {})).length;
      for (const s of [...HOSTILE, `sensor.%`, `sensor._`, `sensor.*`, `sensor.x' OR '1'='1`]) {
        assert.deepEqual(await readAll(store, { entityIds: [s] }), [], `entity ${JSON.stringify(s)}`);
        assert.deepEqual(await readAll(store, { domain: s }), [], `domain ${JSON.stringify(s)}`);
        assert.deepEqual(await readAll(store, { areaId: s }), [], `area ${JSON.stringify(s)}`);
        assert.deepEqual(await readAll(store, { deviceId: s }), [], `device ${JSON.stringify(s)}`);
        assert.equal(await store.hasEntity(s), false, `hasEntity ${JSON.stringify(s)}`);
      }
      assert.equal((await readAll(store, {})).length, total, 'nothing was dropped');
    }));

  test('64 KB attributes with unicode round-trip exactly', () =>
    withStore(make, async (store) => {
      const attrs: Record<string, unknown> = {
        unicode: 'é🏠中\u00a0'.repeat(200),
        numbers: [0, -1.5, 0.1, 1e21, 123456789012, Number.MAX_SAFE_INTEGER],
        flags: { yes: true, no: false, none: null, empty: '', arr: [], obj: {} },
      };
      const size = () => Buffer.byteLength(JSON.stringify(attrs));
      attrs.big = '';
      attrs.big = 'x'.repeat(65_000 - size());
      assert.equal(size(), 65_000);
      const events = [
        ev('sensor.big', T0 + 1, 'a', { attributes: attrs }),
        ev('sensor.big', T0 + 2, 'b', { attributes: attrs }),
        ev('sensor.big_twin', T0 + 2, 'a', { attributes: { ...attrs, big: `${attrs.big}y`.slice(1) } }),
      ];
      await store.writeEvents(events);
      const got = await readAll(store, {}, 'asc');
      assert.deepEqual(got, sorted(events));
      assert.equal(Buffer.byteLength(JSON.stringify(got[0]?.attributes)), 65_000);
      assert.deepEqual(canonical(got[2]!).attributes, events[2]!.attributes);
    }));
}
