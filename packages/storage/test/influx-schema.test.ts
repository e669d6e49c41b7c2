// The schema on a real InfluxDB: what lands in the measurement (types, tags, encodings), hostile strings and 64 KB
// attributes round-tripping through the store, and the raw points a Grafana query would see.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InfluxStore } from '../src/influx/influx-store';
import type { StateEvent } from '../src/types';
import { HOSTILE } from './conformance/filters-suite';
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

type Series = { name: string; columns: string[]; values: unknown[][]; tags?: Record<string, string> };
type Results = { results: Array<{ series?: Series[] }> };

const rows = async (server: InfluxServer, db: string, q: string): Promise<Array<Record<string, unknown>>> => {
  const body = (await influxql(server, db, q)) as Results;
  const s = body.results[0]?.series?.[0];
  if (!s) return [];
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
};

describe('InfluxDB schema', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  let store: InfluxStore;
  let db: string;
  before(async () => {
    server = await startInfluxd();
    db = freshDatabase('schema');
    store = await openStore(server, db);
  });
  after(async () => {
    await store?.close();
    await dropDatabase(server, db).catch(() => undefined);
    await server?.stop();
  });

  test('the database is created at open; field types are fixed: value float, the rest strings', async () => {
    const events: StateEvent[] = [
      event(1, { state: '1' }), // integer-looking: must still be a float
      event(2, { state: '2.5', oldState: '1', durationInStateSeconds: 3 }),
      event(3, { entityId: 'light.k', state: 'on', attributes: { device_class: 'light', brightness: 7 } }),
      event(4, { entityId: 'switch.x', state: '', removed: true, attributes: {}, contextId: null, origin: null }),
      event(5, { entityId: 'sensor.s5', state: '7', lastChanged: 1_600_000_000_000_000 }),
    ];
    const result = await store.writeEvents(events);
    assert.deepEqual(result, { written: 5, duplicates: 0, rejected: [] });
    const fields = Object.fromEntries(
      (await rows(server, db, 'SHOW FIELD KEYS FROM home_assistant_events')).map((r) => [r.fieldKey, r.fieldType]),
    );
    assert.deepEqual(fields, {
      attributes: 'string',
      context_id: 'string',
      duration_in_state_seconds: 'float',
      last_changed: 'float',
      old_state: 'string',
      origin: 'string',
      removed: 'boolean',
      state: 'string',
      value: 'float',
    });
    const tags = (await rows(server, db, 'SHOW TAG KEYS FROM home_assistant_events')).map((r) => r.tagKey);
    assert.deepEqual(tags, ['device_class', 'domain', 'entity_id', 'unit_of_measurement']);
    const raw = await rows(server, db, 'SELECT * FROM home_assistant_events ORDER BY time ASC');
    assert.equal(raw[0]?.value, 1);
    assert.equal(raw[0]?.unit_of_measurement, '°C');
    assert.equal(raw[0]?.domain, 'sensor');
    assert.equal(raw[2]?.value, 1, 'on is mapped to 1 as Home Assistant maps it');
    assert.equal(raw[2]?.device_class, 'light');
    assert.deepEqual(
      [raw[3]?.state, raw[3]?.removed, raw[3]?.context_id],
      ['', true, null],
      'a removal: empty state, removed=true, null strings omitted',
    );
    assert.equal(raw[4]?.last_changed, 1_600_000_000_000_000);
    assert.equal(raw[1]?.last_changed, null, 'last_changed only when it differs from the time');
    const back = await store.queryEvents({ limit: 10, order: 'asc' });
    assert.deepEqual(
      back.events,
      events.sort((a, b) => a.time - b.time),
    );
  });

  test('hostile strings in every tag and field, and 64 KB attributes, round-trip exactly', async () => {
    const big = { blob: 'é🏠"\\\n'.repeat(13_000), list: HOSTILE };
    assert.ok(Buffer.byteLength(JSON.stringify(big)) > 64 * 1024);
    const events = HOSTILE.map((s, i) =>
      event(100 + i, {
        entityId: `sensor.h${i}`,
        state: s,
        oldState: s,
        attributes: { [s]: s, unit_of_measurement: s, device_class: `${s}\\` },
        areaId: s,
        deviceId: `${s}\n`,
        contextId: s,
        contextParentId: s,
        contextUserId: s,
        origin: s,
      }),
    );
    events.push(event(200, { entityId: 'sensor.big', attributes: big }));
    const result = await store.writeEvents(events);
    assert.deepEqual(result.rejected, []);
    for (const e of events) {
      const [got] = await store.history({
        entityId: e.entityId,
        start: e.time,
        end: e.time + 1,
        includeStartState: false,
      });
      assert.deepEqual(got, e, `round trip of ${JSON.stringify(e.state)}`);
      if (e.areaId === null || e.deviceId === null) continue;
      const byArea = await store.queryEvents({ limit: 5, order: 'desc', areaId: e.areaId, entityIds: [e.entityId] });
      assert.equal(byArea.events.length, 1);
      assert.equal((await store.queryEvents({ limit: 5, order: 'desc', deviceId: e.deviceId })).events.length, 1);
    }
    // What Grafana sees for a tag holding a line break: the reversible `\n` text.
    const raw = await rows(server, db, `SELECT "state" FROM home_assistant_events WHERE "entity_id" = 'sensor.h10'`);
    assert.equal(raw.length, 1);
    const [tagged] = await rows(
      server,
      db,
      `SELECT "state", "area_id" FROM home_assistant_events WHERE "entity_id" = 'sensor.h10'`,
    );
    assert.equal(tagged?.area_id, 'line\\nbreak\\r\\nand\ttab');
  });

  test("the README's Grafana query works on the measurement as written", async () => {
    const base = Date.UTC(2025, 0, 10, 10) * 1000;
    const temps = ['20.5', '21.5', 'unavailable', '22.5'].map((state, i) =>
      event(5000 + i, { entityId: 'sensor.living_room_temperature', time: base + i * 60_000_000, state }),
    );
    await store.writeEvents(temps);
    // Grafana substitutes $timeFilter and $__interval; here a fixed hour and 1h.
    const q = `SELECT mean("value") FROM "home_assistant_events" WHERE "entity_id" = 'sensor.living_room_temperature' AND time >= ${base}u AND time < ${base + 3_600_000_000}u GROUP BY time(1h) fill(null)`;
    const [row] = await rows(server, db, q);
    assert.equal(row?.mean, 21.5, 'the non-numeric state is no value, not a zero');
  });

  test('writes are idempotent: the same events again leave one point each', async () => {
    const events = Array.from({ length: 50 }, (_, i) => event(1000 + i));
    await store.writeEvents(events);
    await store.writeEvents(events);
    await store.writeEvents([...events.slice(0, 5), ...events.slice(0, 5)]);
    const [row] = await rows(
      server,
      db,
      `SELECT count("state") FROM home_assistant_events WHERE time >= ${events[0]!.time}u AND time <= ${events[49]!.time}u`,
    );
    assert.equal(row?.count, 50);
  });
});
