// Statistics against values computed independently here: each window is sampled second by second (every event sits
// on a whole second, so the sample mean IS the time-weighted mean), and meter sums are worked out by hand.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { numericValue, type StateEvent, type StatisticsRow } from '@homeiq/storage';
import { ManualClock } from '../src/clock';
import type { JobContext } from '../src/jobs/runner';
import { ev, freshStore, HOUR, KINDS, MINUTE, SECOND, service, skipKind, stopInfluxServer } from './helpers';

const T0 = Date.UTC(2025, 0, 10, 0, 0, 0) * 1000; // hour-aligned
const at = (min: number, sec = 0) => T0 + min * MINUTE + sec * SECOND;
const ctx: JobContext = { id: 'test', progress: () => {} };

const TEMP = { unit_of_measurement: '°C', state_class: 'measurement' };
const ENERGY = { unit_of_measurement: 'kWh', state_class: 'total_increasing' };
const gas = (lastReset: string) => ({ unit_of_measurement: 'm³', state_class: 'total', last_reset: lastReset });

const EVENTS: StateEvent[] = [
  ev('sensor.temp', at(-10), '20', TEMP), // carried into the first window
  ev('sensor.temp', at(2), '22', TEMP),
  ev('sensor.temp', at(7, 30), '21.5', TEMP),
  ev('sensor.temp', at(8), 'unavailable', TEMP), // a minute without a number: left out of the weighting
  ev('sensor.temp', at(9), '23', TEMP),
  ev('sensor.temp', at(55), '19', TEMP), // a 46-minute gap before this: windows carry 23
  ev('sensor.temp', at(70), '25', TEMP),
  ev('sensor.energy', at(-1), '100', ENERGY),
  ev('sensor.energy', at(1), '101.5', ENERGY),
  ev('sensor.energy', at(6), '103', ENERGY),
  ev('sensor.energy', at(12), '102.9', ENERGY), // a dip of < 10%: not a reset
  ev('sensor.energy', at(20), '2', ENERGY), // meter reset: a new cycle from 0
  ev('sensor.energy', at(40), '4.5', ENERGY),
  ev('sensor.energy', at(90), '6', ENERGY),
  ev('sensor.gas', at(-2), '10', gas('2025-01-09T00:00:00+00:00')),
  ev('sensor.gas', at(3), '12', gas('2025-01-09T00:00:00+00:00')),
  ev('sensor.gas', at(33), '1', gas('2025-01-10T00:30:00+00:00')), // last_reset changed: new cycle
  ev('sensor.gas', at(34), '3', gas('2025-01-10T00:30:00+00:00')),
  ev('sensor.new', at(62, 30), '10'), // appears mid-window: mean over the part it existed
  ev('sensor.new', at(64), '12'),
  ev('light.kitchen', at(5), 'on'),
  ev('light.kitchen', at(50), 'off'),
];

/** Mean/min/max/count of one entity in [start, end), by sampling every second. */
function expected(events: StateEvent[], entityId: string, start: number, end: number) {
  const mine = events.filter((e) => e.entityId === entityId).sort((a, b) => a.time - b.time);
  const samples: number[] = [];
  for (let t = start; t < end; t += SECOND) {
    const current = mine.filter((e) => e.time <= t).at(-1);
    const v = current ? numericValue(current.state) : undefined;
    if (v !== undefined) samples.push(v);
  }
  if (samples.length === 0) return undefined;
  const count = mine.filter((e) => e.time >= start && e.time < end && numericValue(e.state) !== undefined).length;
  return {
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    min: Math.min(...samples),
    max: Math.max(...samples),
    count,
  };
}

// Hand-worked sums at the end of the window starting at minute m (zero point: the value carried in at T0).
const ENERGY_SUM: Array<[number, number, number]> = [
  // [window start minute, sum, state]
  [0, 1.5, 101.5],
  [5, 3, 103],
  [10, 2.9, 102.9], // 103 -> 102.9 counts -0.1
  [15, 2.9, 102.9],
  [20, 4.9, 2], // reset: the new cycle's 2 counts in full
  [40, 7.4, 4.5],
  [85, 7.4, 4.5],
  [90, 8.9, 6],
  [115, 8.9, 6],
];
const GAS_SUM: Array<[number, number, number]> = [
  [0, 2, 12],
  [30, 5, 3], // +1 for the new cycle, +2 from 1 to 3
  [60, 5, 3],
];

function byStart(rows: StatisticsRow[], entityId: string): Map<number, StatisticsRow> {
  return new Map(rows.filter((r) => r.entityId === entityId).map((r) => [r.start, r]));
}

function near(actual: number | null | undefined, want: number, what: string) {
  assert.ok(typeof actual === 'number' && Math.abs(actual - want) < 1e-9, `${what}: got ${actual}, want ${want}`);
}

for (const kind of KINDS) {
  describe(`statistics on ${kind}`, { skip: skipKind(kind) }, () => {
    after(stopInfluxServer);

    test('5-minute and hourly windows match an independent computation; sums survive a reset; catch-up and re-runs', async () => {
      const h = await freshStore(kind);
      try {
        await h.store.writeEvents(EVENTS);
        const clock = new ManualClock((at(120) + 20 * SECOND) / 1000);
        const svc = service(h, clock);
        const first = await svc.statistics.run(ctx);
        // The first run starts at the hour of the oldest event (T0 - 1h) and ends at the last closed window.
        assert.equal(first.from, new Date((T0 - HOUR) / 1000).toISOString());
        assert.equal(first.windows, 36);
        assert.equal(first.hours, 3);
        const ids = ['sensor.temp', 'sensor.energy', 'sensor.gas', 'sensor.new', 'light.kitchen'];
        const query = (period: '5minute' | 'hour') =>
          h.store.queryStatistics({ entityIds: ids, period, start: T0 - HOUR, end: T0 + 10 * HOUR });

        const short = await query('5minute');
        assert.equal(short.filter((r) => r.entityId === 'light.kitchen').length, 0, 'no statistics for on/off');
        for (const entityId of ['sensor.temp', 'sensor.energy', 'sensor.gas', 'sensor.new']) {
          const rows = byStart(short, entityId);
          for (let w = 0; w < 24; w++) {
            const start = at(w * 5);
            const want = expected(EVENTS, entityId, start, start + 5 * MINUTE);
            const got = rows.get(start);
            if (!want) {
              assert.equal(got, undefined, `${entityId} ${w}: no row expected`);
              continue;
            }
            assert.ok(got, `${entityId} window ${w} missing`);
            near(got.mean, want.mean, `${entityId} window ${w} mean`);
            near(got.min, want.min, `${entityId} window ${w} min`);
            near(got.max, want.max, `${entityId} window ${w} max`);
            assert.equal(got.count, want.count, `${entityId} window ${w} count`);
          }
        }
        // The gap: windows 15..50 minutes hold no temp event, and carry 23.
        const gap = byStart(short, 'sensor.temp').get(at(30));
        assert.deepEqual([gap?.mean, gap?.min, gap?.max, gap?.count], [23, 23, 23, 0]);
        // The unavailable minute is left out: (21.5*30 + 23*60 ... ) over 4 minutes of numbers, not 5.
        near(byStart(short, 'sensor.temp').get(at(5))?.mean, (22 * 150 + 21.5 * 30 + 23 * 60) / 240, 'temp 5-10');
        near(byStart(short, 'sensor.new').get(at(60))?.mean, (10 * 90 + 12 * 60) / 150, 'new entity mid-window');
        assert.equal(byStart(short, 'sensor.temp').get(at(0))?.unit, '°C');

        const energy = byStart(short, 'sensor.energy');
        for (const [m, sum, state] of ENERGY_SUM) {
          near(energy.get(at(m))?.sum, sum, `energy sum after window ${m}`);
          near(energy.get(at(m))?.state, state, `energy state after window ${m}`);
        }
        const gasRows = byStart(short, 'sensor.gas');
        for (const [m, sum, state] of GAS_SUM) {
          near(gasRows.get(at(m))?.sum, sum, `gas sum after window ${m}`);
          near(gasRows.get(at(m))?.state, state, `gas state after window ${m}`);
        }
        assert.equal(byStart(short, 'sensor.temp').get(at(0))?.sum ?? null, null, 'a measurement has no sum');

        const hourly = await query('hour');
        for (const entityId of ['sensor.temp', 'sensor.energy', 'sensor.new']) {
          for (const hr of [0, 1]) {
            const want = expected(EVENTS, entityId, T0 + hr * HOUR, T0 + (hr + 1) * HOUR);
            const got = byStart(hourly, entityId).get(T0 + hr * HOUR);
            if (!want) continue;
            assert.ok(got, `${entityId} hour ${hr}`);
            near(got.mean, want.mean, `${entityId} hour ${hr} mean`);
            near(got.min, want.min, `${entityId} hour ${hr} min`);
            near(got.max, want.max, `${entityId} hour ${hr} max`);
            assert.equal(got.count, want.count, `${entityId} hour ${hr} count`);
          }
        }
        near(byStart(hourly, 'sensor.energy').get(T0)?.sum, 7.4, 'hourly sum = last 5-minute sum of the hour');
        near(byStart(hourly, 'sensor.energy').get(T0 + HOUR)?.sum, 8.9, 'hour 2 sum');

        // Nothing new closed: a second run is a no-op.
        assert.match(String((await svc.statistics.run(ctx)).skipped), /no window closed/);

        // Downtime: 3 hours pass; meanwhile one more meter reading arrived. Every missing window is compiled.
        await h.store.writeEvents([ev('sensor.energy', at(180), '7', ENERGY)]);
        clock.advance(3 * 3_600_000);
        const caught = await svc.statistics.run(ctx);
        assert.equal(caught.from, new Date(at(60) / 1000).toISOString(), 'resumes at the checkpoint hour');
        const later = await query('5minute');
        const temp = byStart(later, 'sensor.temp');
        for (let w = 0; w < 60; w++) assert.ok(temp.has(at(w * 5)), `temp window ${w} after catch-up`);
        near(temp.get(at(295))?.mean, 25, 'carried through the downtime');
        near(byStart(later, 'sensor.energy').get(at(180))?.sum, 9.9, 'sum continues across runs');
        assert.equal((await query('hour')).filter((r) => r.entityId === 'sensor.temp').length, 6, 'hours -1..4');

        // Idempotent: recompiling from T0 rewrites the same windows, nothing doubles.
        const before = await query('5minute');
        await svc.statistics.run(ctx, { since: T0 });
        const again = await query('5minute');
        assert.equal(again.length, before.length);
        const key = (r: StatisticsRow) => `${r.entityId}@${r.start}`;
        const was = new Map(before.map((r) => [key(r), r]));
        for (const r of again) {
          const old = was.get(key(r));
          assert.ok(old, `unexpected row ${key(r)}`);
          near(r.mean, old.mean, `${key(r)} mean after recompile`);
          assert.equal(r.sum ?? null, old.sum ?? null, `${key(r)} sum after recompile`);
        }
      } finally {
        await h.cleanup();
      }
    });
  });
}

test('a 3-day catch-up goes a day at a time: a run stopped mid-way resumes at its last finished day', async () => {
  const h = await freshStore('sqlite');
  try {
    const DAY = 24 * HOUR;
    await h.store.writeEvents([
      ev('sensor.temp', T0 + MINUTE, '10', TEMP),
      ev('sensor.temp', T0 + DAY + 7 * HOUR, '11', TEMP),
      ev('sensor.temp', T0 + 2 * DAY + 3 * HOUR, '12', TEMP),
    ]);
    const clock = new ManualClock((T0 + 10 * MINUTE) / 1000);
    const svc = service(h, clock);
    await svc.statistics.run(ctx);
    clock.advance((3 * DAY) / 1000);
    // The service stops while the second day is being compiled.
    const stopping: JobContext = {
      id: 'stopping',
      progress: (f) => {
        if (f > 0.5) throw new Error('stopping');
      },
    };
    await assert.rejects(svc.statistics.run(stopping), /stopping/);
    const resumed = await svc.statistics.run(ctx);
    assert.equal(resumed.from, new Date((T0 + DAY) / 1000).toISOString(), 'resumes after the finished first day');
    const rows = await h.store.queryStatistics({
      entityIds: ['sensor.temp'],
      period: '5minute',
      start: T0,
      end: T0 + 4 * DAY,
    });
    assert.equal(rows.length, (3 * DAY + 5 * MINUTE) / (5 * MINUTE), 'every window up to the last closed one');
    const at = (t: number) => rows.find((r) => r.start === t)?.mean;
    assert.equal(at(T0 + DAY + 8 * HOUR), 11);
    assert.equal(at(T0 + 3 * DAY), 12);
  } finally {
    await h.cleanup();
  }
});
