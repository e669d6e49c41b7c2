// Conformance: writing and reading events (round trip, paging, order, idempotency, history, scan).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findLateDuplicates } from '../../src/repair';
import type { StateEvent } from '../../src/types';
import {
  canonical,
  ev,
  HOUR,
  homeFixture,
  type MakeStore,
  MINUTE,
  matches,
  readAll,
  SECOND,
  sorted,
  T0,
  ulid,
  withStore,
} from './fixtures';

export function eventTests(make: MakeStore): void {
  test('an empty store has no events', () =>
    withStore(make, async (store) => {
      assert.equal(await store.lastEventTime(), null);
      assert.deepEqual((await store.queryEvents({ limit: 10, order: 'desc' })).events, []);
      assert.equal(await store.hasEntity('sensor.nothing'), false);
      await store.ping();
    }));

  test('write then read back every field, by entity and time range', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      const result = await store.writeEvents(events);
      assert.deepEqual(result.rejected, []);
      assert.equal(result.written + result.duplicates, events.length);
      assert.equal(result.written, events.length, 'a fresh store writes every new event');

      assert.deepEqual(await readAll(store, {}), sorted(events, 'desc'));
      const f = { entityIds: ['light.kitchen'], start: T0 + 30 * MINUTE, end: T0 + 2 * HOUR };
      const got = await readAll(store, f, 'asc');
      assert.ok(got.length > 5);
      assert.deepEqual(got, sorted(events.filter((e) => matches(e, f))));
      assert.equal(await store.hasEntity('light.kitchen'), true);
      assert.equal(await store.hasEntity('light.kitch'), false);
      assert.equal(await store.lastEventTime(), Math.max(...events.map((e) => e.time)));
      const info = await store.info();
      assert.equal(info.kind, store.kind);
      if (info.events !== null) assert.equal(info.events, events.length);
    }));

  test('order asc and desc (default newest first) sort by (time, entity id), ties included', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const desc = await store.queryEvents({ limit: 30, order: 'desc' });
      assert.deepEqual(desc.events.map(canonical), sorted(events, 'desc').slice(0, 30));
      assert.ok(desc.nextCursor);
      const asc = await store.queryEvents({ limit: 30, order: 'asc' });
      assert.deepEqual(asc.events.map(canonical), sorted(events, 'asc').slice(0, 30));
      const all = await store.queryEvents({ limit: 1000, order: 'asc' });
      assert.equal(all.events.length, events.length);
      assert.equal(all.nextCursor, undefined, 'no cursor when the last page is short');
    }));

  for (const order of ['desc', 'asc'] as const) {
    test(`${order} paging with a cursor is stable while new events arrive`, () =>
      withStore(make, async (store) => {
        const events = homeFixture();
        await store.writeEvents(events);
        const expected = sorted(events, order);
        const seen: StateEvent[] = [];
        let cursor: { time: number; entityId: string } | undefined;
        let pages = 0;
        const newestAtStart = Math.max(...events.map((e) => e.time));
        for (;;) {
          const page = await store.queryEvents({ limit: 7, order, ...(cursor ? { cursor } : {}) });
          assert.ok(page.events.length <= 7);
          seen.push(...page.events.map(canonical));
          pages++;
          // Meanwhile: newer live events, and (for desc) a backfill inside the already-read range.
          const t = newestAtStart + pages * SECOND;
          const same = { areaId: 'living_room', deviceId: 'dev-thermo-1' }; // tags stay constant per entity
          const arriving = [ev('sensor.temperature_salon', t, '30.0', same), ev('sensor.new_one', t, '1')];
          if (order === 'desc') arriving.push(ev('sensor.late', newestAtStart - pages, 'x'));
          await store.writeEvents(arriving);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
          if (order === 'asc' && seen.length >= expected.length) break;
        }
        assert.ok(pages >= Math.ceil(expected.length / 7));
        assert.deepEqual(seen.slice(0, expected.length), expected, 'no event skipped or repeated');
        if (order === 'desc') assert.equal(seen.length, expected.length, 'newer events never enter a desc walk');
      }));
  }

  test('a cursor inside a run of equal timestamps continues with the next entity', () =>
    withStore(make, async (store) => {
      const t = T0 + 5 * SECOND;
      const ids = ['sensor.a', 'sensor.b', 'sensor.c', 'sensor.d', 'sensor.e'];
      await store.writeEvents(ids.map((id) => ev(id, t, '1')));
      await store.writeEvents([ev('sensor.a', t - 1, 'older'), ev('sensor.z', t + 1, 'newer')]);
      const page = await store.queryEvents({ limit: 10, order: 'desc', cursor: { time: t, entityId: 'sensor.c' } });
      assert.deepEqual(
        page.events.map((e) => [e.entityId, e.time]),
        [
          ['sensor.b', t],
          ['sensor.a', t],
          ['sensor.a', t - 1],
        ],
      );
      const up = await store.queryEvents({ limit: 10, order: 'asc', cursor: { time: t, entityId: 'sensor.c' } });
      assert.deepEqual(
        up.events.map((e) => e.entityId),
        ['sensor.d', 'sensor.e', 'sensor.z'],
      );
    }));

  test('an event written twice (in two batches and within one batch) is stored once', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const again = await store.writeEvents(events.slice(0, 40));
      assert.deepEqual(again.rejected, []);
      assert.equal(again.written + again.duplicates, 40);
      const first = events[0]!;
      await store.writeEvents([first, { ...first }, first]);
      assert.equal((await readAll(store, {})).length, events.length);
      assert.deepEqual(await readAll(store, { entityIds: [first.entityId], start: first.time, end: first.time + 1 }), [
        canonical(first),
      ]);
    }));

  test('a removal round-trips as state "" with removed=true', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const got = await readAll(store, { entityIds: ['switch.pump'] }, 'asc');
      assert.equal(got.length, 3);
      assert.deepEqual(got[2], canonical(events.find((e) => e.removed)!));
      assert.equal(got[2]?.state, '');
      assert.equal(got[2]?.removed, true);
      assert.equal(got[1]?.removed, false);
      assert.equal(got[1]?.lastChanged, got[0]?.time, 'last_changed of an attribute-only update round-trips');
    }));

  test('history: the state in force at start, then the events in [start, end) oldest first', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const id = 'binary_sensor.door';
      const mine = sorted(events.filter((e) => e.entityId === id));
      const start = mine[3]!.time + 1;
      const end = mine[8]!.time;
      const plain = await store.history({ entityId: id, start, end, includeStartState: false });
      assert.deepEqual(plain.map(canonical), mine.slice(4, 8));
      const withStart = await store.history({ entityId: id, start, end, includeStartState: true });
      assert.deepEqual(withStart.map(canonical), mine.slice(3, 8));
      const exact = await store.history({ entityId: id, start: mine[3]!.time, end, includeStartState: true });
      assert.deepEqual(exact.map(canonical), mine.slice(2, 8), 'an event at start is inside the range');
      const before = await store.history({ entityId: id, start: T0 - HOUR, end: T0, includeStartState: true });
      assert.deepEqual(before, [], 'no state before the first event');
      const none = await store.history({ entityId: 'sensor.unknown', start, end, includeStartState: true });
      assert.deepEqual(none, []);
    }));

  test('scan streams every matching event oldest first', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const all: StateEvent[] = [];
      for await (const e of store.scan({})) all.push(canonical(e));
      assert.equal(all.length, events.length);
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.time <= all[i]!.time, 'time order');
      assert.deepEqual(sorted(all), sorted(events));
      const f = { entityIds: ['sensor.humidity_salon', 'light.kitchen'], start: T0 + HOUR, end: T0 + 2 * HOUR };
      const some: StateEvent[] = [];
      for await (const e of store.scan(f)) some.push(canonical(e));
      assert.deepEqual(sorted(some), sorted(events.filter((e) => matches(e, f))));
    }));

  test('deleteEvents removes exactly the given identities; findLateDuplicates finds 1 µs-late backfilled copies', () =>
    withStore(make, async (store) => {
      const live = ev('sensor.a', T0 + SECOND, '21.5');
      const lateCopy = ev('sensor.a', T0 + SECOND + 1, '21.5', { contextId: null, origin: null });
      const other = ev('sensor.a', T0 + 2 * SECOND, '21.6');
      // Not duplicates: a different state 1 µs later, and two live events 1 µs apart.
      const changed = ev('sensor.b', T0 + SECOND, 'on');
      const changedLater = ev('sensor.b', T0 + SECOND + 1, 'off', { contextId: null, origin: null });
      const liveTwin = ev('sensor.c', T0 + SECOND, '1');
      const liveTwinLater = ev('sensor.c', T0 + SECOND + 1, '1', { contextId: ulid(T0, 99) });
      await store.writeEvents([live, lateCopy, other, changed, changedLater, liveTwin, liveTwinLater]);
      const found = [];
      for await (const pair of findLateDuplicates(store)) found.push(pair);
      assert.deepEqual(found, [
        {
          remove: { entityId: 'sensor.a', time: lateCopy.time },
          keep: { entityId: 'sensor.a', time: live.time },
          state: '21.5',
        },
      ]);
      const removed = await store.deleteEvents([found[0]!.remove, { entityId: 'sensor.none', time: T0 }]);
      assert.equal(removed, 1);
      const left = await readAll(store, {});
      assert.equal(left.length, 6);
      assert.ok(!left.some((e) => e.entityId === 'sensor.a' && e.time === lateCopy.time));
      assert.ok(left.some((e) => e.entityId === 'sensor.a' && e.time === live.time));
      const again = [];
      for await (const pair of findLateDuplicates(store)) again.push(pair);
      assert.deepEqual(again, []);
    }));
}
