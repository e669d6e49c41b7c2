// Conformance: summary, statistics, generic points and retention deletes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenericPoint, StatisticsRow } from '../../src/types';
import { HOUR, homeFixture, type MakeStore, MINUTE, matches, readAll, SECOND, sorted, T0, withStore } from './fixtures';

const domainOf = (id: string) => id.slice(0, id.indexOf('.'));

function stat(entityId: string, period: StatisticsRow['period'], start: number, mean: number): StatisticsRow {
  const withSum = entityId.startsWith('sensor.energy');
  return {
    entityId,
    period,
    start,
    unit: withSum ? 'kWh' : '°C',
    mean,
    min: mean - 1.25,
    max: mean + 2.5,
    count: 12,
    sum: withSum ? mean * 10 : null,
    state: withSum ? mean * 2 : null,
  };
}

const norm = (r: StatisticsRow): StatisticsRow => ({ ...r, sum: r.sum ?? null, state: r.state ?? null });
const byStat = (a: StatisticsRow, b: StatisticsRow) =>
  a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : a.start - b.start;

export function aggregateTests(make: MakeStore): void {
  test('summary: totals, per domain, per hour and the busiest entities in a window', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const start = T0 + HOUR;
      const end = T0 + 3 * HOUR;
      const inside = events.filter((e) => matches(e, { start, end }));
      const s = await store.summary(start, end, 3);
      assert.equal(s.totalEvents, inside.length);
      const byDomain: Record<string, number> = {};
      const perEntity = new Map<string, number>();
      const perHour = new Map<number, number>();
      for (const e of inside) {
        byDomain[domainOf(e.entityId)] = (byDomain[domainOf(e.entityId)] ?? 0) + 1;
        perEntity.set(e.entityId, (perEntity.get(e.entityId) ?? 0) + 1);
        const h = Math.floor(e.time / HOUR) * HOUR;
        perHour.set(h, (perHour.get(h) ?? 0) + 1);
      }
      assert.deepEqual(s.byDomain, byDomain);
      assert.deepEqual(
        s.perHour.filter((h) => h.count > 0),
        [...perHour].sort((a, b) => a[0] - b[0]).map(([hour, count]) => ({ hour, count })),
      );
      const busiest = [...perEntity]
        .map(([entityId, count]) => ({ entityId, count }))
        .sort((a, b) => b.count - a.count || (a.entityId < b.entityId ? -1 : 1))
        .slice(0, 3);
      assert.deepEqual(
        [...s.busiest].sort((a, b) => b.count - a.count || (a.entityId < b.entityId ? -1 : 1)),
        busiest,
      );
      const none = await store.summary(T0 + 10 * HOUR, T0 + 11 * HOUR, 5);
      assert.equal(none.totalEvents, 0);
      assert.deepEqual(none.busiest, []);
    }));

  test('statistics: write, replace the same entity/period/start, query by period and range', () =>
    withStore(make, async (store) => {
      const ids = ['sensor.temperature_salon', 'sensor.energy_total'];
      const rows: StatisticsRow[] = [];
      for (const id of ids) {
        for (let i = 0; i < 12; i++) rows.push(stat(id, '5minute', T0 + i * 5 * MINUTE, 20 + i / 8));
        for (let i = 0; i < 3; i++) rows.push(stat(id, 'hour', T0 + i * HOUR, 30 + i));
      }
      await store.writeStatistics(rows);
      const q5 = { entityIds: ids, period: '5minute' as const, start: T0 + 10 * MINUTE, end: T0 + 40 * MINUTE };
      const expect5 = rows.filter((r) => r.period === '5minute' && r.start >= q5.start && r.start < q5.end);
      assert.equal(expect5.length, 12);
      assert.deepEqual((await store.queryStatistics(q5)).map(norm).sort(byStat), expect5.map(norm).sort(byStat));

      const replaced = rows.filter((r) => r.period === '5minute' && r.start === T0 + 15 * MINUTE);
      const changed = replaced.map((r) => ({ ...r, mean: r.mean + 100, count: 99 }));
      await store.writeStatistics(changed);
      await store.writeStatistics(changed);
      const after = (await store.queryStatistics(q5)).map(norm).sort(byStat);
      assert.equal(after.length, 12, 'replaced, not added');
      assert.deepEqual(
        after,
        expect5
          .map((r) => changed.find((c) => c.entityId === r.entityId && c.start === r.start) ?? r)
          .map(norm)
          .sort(byStat),
      );
      const hour = await store.queryStatistics({ entityIds: [ids[1]!], period: 'hour', start: T0, end: T0 + 2 * HOUR });
      assert.deepEqual(
        hour.map(norm).sort(byStat),
        rows.filter((r) => r.period === 'hour' && r.entityId === ids[1] && r.start < T0 + 2 * HOUR).map(norm),
      );
      const other = await store.queryStatistics({
        entityIds: ['sensor.none'],
        period: 'hour',
        start: T0,
        end: T0 + HOUR,
      });
      assert.deepEqual(other, []);
    }));

  test('points: write, overwrite the same tags and time, query by tags, range, order and limit', () =>
    withStore(make, async (store) => {
      const home = { location: 'home', provider: 'open-meteo' };
      const weather: GenericPoint[] = [];
      for (let i = 0; i < 10; i++) {
        weather.push({
          time: T0 + i * 15 * MINUTE + 3,
          tags: home,
          fields: {
            temperature: 10 + i / 4,
            humidity: 60 + i,
            condition: `cloudy, "windy" = ${i}\n'ok'`,
            is_day: i < 5,
          },
        });
      }
      const away = { location: 'cabin "north", é', provider: 'open-meteo' };
      weather.push({
        time: T0 + 5,
        tags: away,
        fields: { temperature: -3.5, humidity: 90, condition: 'snow', is_day: false },
      });
      const w = await store.writePoints('weather', weather);
      assert.deepEqual(w.rejected, []);
      const sport: GenericPoint = {
        time: T0 + 7,
        tags: { team: 'Bayern München', league: "1. 'Bundesliga'" },
        fields: { score: 3, opponent_score: 1, status: 'final' },
      };
      await store.writePoints('sports_data', [sport]);

      const all = await store.queryPoints({ measurement: 'weather', tags: home, order: 'asc' });
      assert.deepEqual(
        all,
        weather.filter((p) => p.tags === home),
      );
      const desc = await store.queryPoints({ measurement: 'weather', tags: home, order: 'desc', limit: 3 });
      assert.deepEqual(
        desc,
        weather
          .filter((p) => p.tags === home)
          .reverse()
          .slice(0, 3),
      );
      const range = await store.queryPoints({
        measurement: 'weather',
        start: T0 + 15 * MINUTE + 3,
        end: T0 + 45 * MINUTE + 3,
        order: 'asc',
      });
      assert.deepEqual(range, weather.slice(1, 3));
      assert.deepEqual(await store.queryPoints({ measurement: 'weather', tags: away, order: 'asc' }), [weather[10]]);
      assert.deepEqual(await store.queryPoints({ measurement: 'weather', order: 'asc', limit: 2 }), [
        weather[0],
        weather[10],
      ]);
      assert.deepEqual(await store.queryPoints({ measurement: 'sports_data', order: 'asc' }), [sport]);
      assert.deepEqual(
        await store.queryPoints({ measurement: 'weather', tags: { location: `home' OR '1'='1` }, order: 'asc' }),
        [],
      );

      const updated = { ...weather[0]!, fields: { ...weather[0]!.fields, temperature: 11.75, condition: 'sunny' } };
      await store.writePoints('weather', [updated]);
      const first = await store.queryPoints({ measurement: 'weather', tags: home, order: 'asc', limit: 1 });
      assert.deepEqual(first, [updated]);
      assert.equal(
        (await store.queryPoints({ measurement: 'weather', order: 'asc' })).length,
        11,
        'overwritten, not added',
      );
    }));

  test('deleteBefore removes only the older part of the named tier', () =>
    withStore(make, async (store) => {
      const events = homeFixture();
      await store.writeEvents(events);
      const cut = T0 + HOUR + 30 * SECOND;
      const deleted = await store.deleteBefore('events', cut);
      const older = events.filter((e) => e.time < cut).length;
      if (deleted !== null) assert.equal(deleted, older);
      assert.deepEqual(
        await readAll(store, {}),
        sorted(
          events.filter((e) => e.time >= cut),
          'desc',
        ),
      );
      assert.equal(await store.lastEventTime(), Math.max(...events.map((e) => e.time)));

      const rows = [0, 1, 2, 3].flatMap((i) => [
        stat('sensor.t', '5minute', T0 + i * HOUR, i),
        stat('sensor.t', 'hour', T0 + i * HOUR, i),
      ]);
      await store.writeStatistics(rows);
      await store.deleteBefore('5minute', T0 + 2 * HOUR);
      const q = { entityIds: ['sensor.t'], start: T0, end: T0 + 10 * HOUR };
      assert.equal((await store.queryStatistics({ ...q, period: '5minute' })).length, 2);
      assert.equal((await store.queryStatistics({ ...q, period: 'hour' })).length, 4);
      await store.deleteBefore('hour', T0 + HOUR);
      assert.equal((await store.queryStatistics({ ...q, period: 'hour' })).length, 3);

      const pts = (m: number): GenericPoint[] =>
        [0, 1, 2].map((i) => ({ time: T0 + i * HOUR + m, tags: { k: 'v' }, fields: { x: i } }));
      await store.writePoints('weather', pts(0));
      await store.writePoints('sports_data', pts(1));
      await store.deleteBefore('weather', T0 + HOUR);
      assert.deepEqual(await store.queryPoints({ measurement: 'weather', order: 'asc' }), pts(0).slice(1));
      assert.deepEqual(await store.queryPoints({ measurement: 'sports_data', order: 'asc' }), pts(1));
      assert.equal((await readAll(store, {})).length, events.filter((e) => e.time >= cut).length, 'events untouched');
    }));
}
