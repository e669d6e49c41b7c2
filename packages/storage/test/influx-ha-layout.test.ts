// The home-assistant layout on a real InfluxDB: the queries Grafana users already run against HA's own integration
// answer from what HomeIQ wrote, the series equal those of a reference encoder written here from HA's documented
// rules (not HomeIQ code), and deletes reach the HA points.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InfluxStore } from '../src/influx/influx-store';
import type { StateEvent } from '../src/types';
import { ev, MINUTE, T0 } from './conformance/fixtures';
import {
  dropDatabase,
  freshDatabase,
  type InfluxServer,
  influxd,
  influxql,
  openStore,
  querySeries,
  startInfluxd,
} from './influx-helpers';

/** Grafana's macro substitution for InfluxQL: $timeFilter as ms bounds, $__interval as a duration. */
function grafana(query: string, from: number, to: number, interval: string): string {
  const ms = (us: number) => `${Math.floor(us / 1000)}ms`;
  return query
    .replaceAll('$timeFilter', `time >= ${ms(from)} and time <= ${ms(to)}`)
    .replaceAll('$__interval', interval);
}

const LIVING = { unit_of_measurement: '°C', device_class: 'temperature', friendly_name: 'Living room' };
const KITCHEN = { unit_of_measurement: '°C', device_class: 'temperature', friendly_name: 'Kitchen' };

function home(): StateEvent[] {
  const out: StateEvent[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(ev('sensor.living_room_temperature', T0 + i * 5 * MINUTE, String(20 + i / 2), { attributes: LIVING }));
    out.push(ev('sensor.kitchen_temperature', T0 + i * 5 * MINUTE + 1, String(18 + i), { attributes: KITCHEN }));
    const door = { device_class: 'door', friendly_name: 'Front door' };
    out.push(ev('binary_sensor.front_door', T0 + i * 5 * MINUTE + 2, i % 3 === 0 ? 'on' : 'off', { attributes: door }));
  }
  out.push(
    ev('person.anna', T0 + 3, 'not_home', { attributes: { friendly_name: 'Anna', source: 'device_tracker.p' } }),
  );
  out.push(ev('sensor.living_room_temperature', T0 + 61 * MINUTE, 'unavailable', { attributes: LIVING }));
  return out;
}

/** HA's layout from its documentation, spelled out by hand for the events of home() (friendly_name as a tag). */
function referenceLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) {
    const t = T0 + i * 5 * MINUTE;
    lines.push(
      `°C,domain=sensor,entity_id=living_room_temperature,friendly_name=Living\\ room device_class_str="temperature",value=${20 + i / 2} ${t}`,
      `°C,domain=sensor,entity_id=kitchen_temperature,friendly_name=Kitchen device_class_str="temperature",value=${18 + i} ${t + 1}`,
      `binary_sensor.front_door,domain=binary_sensor,entity_id=front_door,friendly_name=Front\\ door device_class_str="door",state="${i % 3 === 0 ? 'on' : 'off'}",value=${i % 3 === 0 ? 1 : 0} ${t + 2}`,
    );
  }
  lines.push(
    `person.anna,domain=person,entity_id=anna,friendly_name=Anna source_str="device_tracker.p",state="not_home",value=0 ${T0 + 3}`,
  );
  return lines;
}

describe('InfluxDB home-assistant layout', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  let store: InfluxStore;
  const database = freshDatabase('ha_layout');
  const reference = freshDatabase('ha_reference');
  const from = T0 - MINUTE;
  const to = T0 + 2 * 60 * MINUTE;

  before(async () => {
    server = await startInfluxd();
    store = await openStore(server, database, {
      INFLUXDB_LAYOUT: 'home-assistant',
      INFLUXDB_HA_TAGS_ATTRIBUTES: 'friendly_name',
    });
    const result = await store.writeEvents(home());
    assert.deepEqual(result.rejected, []);
    await influxql(server, reference, `CREATE DATABASE "${reference}"`);
    const res = await fetch(`${server.url}/write?db=${reference}&precision=u`, {
      method: 'POST',
      body: referenceLines().join('\n'),
    });
    assert.equal(res.status, 204, await res.text());
  });
  after(async () => {
    await store?.close();
    if (server) {
      await dropDatabase(server, database);
      await dropDatabase(server, reference);
      await server.stop();
    }
  });

  test('mean("value") FROM "°C" for one entity, GROUP BY time($__interval)', async () => {
    const q = grafana(
      `SELECT mean("value") FROM "°C" WHERE "entity_id"='living_room_temperature' AND $timeFilter GROUP BY time($__interval) fill(none)`,
      from,
      to,
      '30m',
    );
    const [s] = await querySeries(server, database, q);
    const means = s!.values.map((row) => row[1]);
    // 12 readings 20, 20.5, ... 25.5 every 5 minutes from T0 (a whole hour): two 30-minute buckets of six.
    assert.deepEqual(means, [(20 + 20.5 + 21 + 21.5 + 22 + 22.5) / 6, (23 + 23.5 + 24 + 24.5 + 25 + 25.5) / 6]);
  });

  test('count("value") of a binary sensor counts every state written', async () => {
    const q = grafana(
      `SELECT count("value"), sum("value") FROM "binary_sensor.front_door" WHERE $timeFilter`,
      from,
      to,
      '1m',
    );
    const [s] = await querySeries(server, database, q);
    assert.deepEqual(s!.values[0]!.slice(1), [12, 4]);
  });

  test('GROUP BY "friendly_name" (a tags_attribute) gives one series per entity', async () => {
    const q = grafana(`SELECT last("value") FROM "°C" WHERE $timeFilter GROUP BY "friendly_name"`, from, to, '1m');
    const got = (await querySeries(server, database, q)).map((s) => [s.tags?.friendly_name, s.values[0]![1]]);
    assert.deepEqual(got, [
      ['Kitchen', 29],
      ['Living room', 25.5],
    ]);
  });

  test("the same series and points as the reference encoder of HA's documented layout", async () => {
    const ha = (await querySeries(server, database, 'SHOW SERIES')).flatMap((s) => s.values.map((v) => String(v[0])));
    const ref = (await querySeries(server, reference, 'SHOW SERIES')).flatMap((s) => s.values.map((v) => String(v[0])));
    assert.deepEqual(
      ha.filter((key) => !key.startsWith('home_assistant_events,')),
      ref,
    );
    for (const m of ['°C', 'binary_sensor.front_door', 'person.anna']) {
      const q = `SELECT * FROM "${m}" GROUP BY *`;
      assert.deepEqual(await querySeries(server, database, q), await querySeries(server, reference, q), m);
    }
  });

  test('HomeIQ reads its events back, unavailable included, though HA writes no point for it', async () => {
    const events = await store.history({
      entityId: 'sensor.living_room_temperature',
      start: from,
      end: to,
      includeStartState: false,
    });
    assert.equal(events.length, 13);
    assert.equal(events.at(-1)?.state, 'unavailable');
  });

  test('deletes reach the HA points: one event, then retention', async () => {
    const count = async () => {
      const [s] = await querySeries(
        server,
        database,
        `SELECT count("value") FROM "°C" WHERE "entity_id"='kitchen_temperature'`,
      );
      return s?.values[0]?.[1] ?? 0;
    };
    assert.equal(await count(), 12);
    assert.equal(await store.deleteEvents([{ entityId: 'sensor.kitchen_temperature', time: T0 + 1 }]), 1);
    assert.equal(await count(), 11);
    await store.deleteBefore('events', T0 + 30 * MINUTE);
    assert.equal(await count(), 6);
    const [door] = await querySeries(server, database, `SELECT count("value") FROM "binary_sensor.front_door"`);
    assert.equal(door?.values[0]?.[1], 6);
  });
});

// The integration's documented examples: the full 1.x configuration (default_measurement: state; tags instance=prod,
// source=hass) and the influxdb sensor's example queries (`select <group_function>(<field>) as value from
// <measurement> where <where>`: mean of "°C", min of "%" for entity_id 'salon').
describe('InfluxDB home-assistant layout: the integration documentation examples', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  let store: InfluxStore;
  const database = freshDatabase('ha_docs');

  before(async () => {
    server = await startInfluxd();
    store = await openStore(server, database, {
      INFLUXDB_LAYOUT: 'home-assistant',
      INFLUXDB_HA_DEFAULT_MEASUREMENT: 'state',
      INFLUXDB_HA_TAGS: 'instance=prod,source=hass',
    });
    const events: StateEvent[] = [];
    for (let i = 0; i < 6; i++) {
      events.push(ev('sensor.foo', T0 + i * MINUTE, String(10 + i), { attributes: { unit_of_measurement: '°C' } }));
      events.push(
        ev('sensor.salon', T0 + i * MINUTE + 1, String(40 + (i % 3)), { attributes: { unit_of_measurement: '%' } }),
      );
      events.push(ev('switch.heater', T0 + i * MINUTE + 2, i % 2 ? 'on' : 'off'));
    }
    assert.deepEqual((await store.writeEvents(events)).rejected, []);
  });
  after(async () => {
    await store?.close();
    if (server) {
      await dropDatabase(server, database);
      await server.stop();
    }
  });

  test('sensor example: mean value of foo from "°C"', async () => {
    const [s] = await querySeries(
      server,
      database,
      `select mean("value") as value from "°C" where "entity_id" = 'foo'`,
    );
    assert.deepEqual(s?.columns, ['time', 'value']);
    assert.equal(s?.values[0]?.[1], 12.5);
  });

  test('sensor example: min for the salon from "%"', async () => {
    const [s] = await querySeries(
      server,
      database,
      `select min("value") as value from "%" where "entity_id" = 'salon'`,
    );
    assert.equal(s?.values[0]?.[1], 40);
  });

  test('configuration example: states without a unit in "state", every point tagged instance=prod, source=hass', async () => {
    const [s] = await querySeries(
      server,
      database,
      `SELECT count("value"), sum("value") FROM "state" WHERE "entity_id" = 'heater' AND "domain" = 'switch'`,
    );
    assert.deepEqual(s?.values[0]?.slice(1), [6, 3]);
    for (const m of ['state', '°C', '%']) {
      const keys = await querySeries(server, database, `SHOW TAG KEYS FROM "${m}"`);
      assert.deepEqual(
        keys[0]?.values.map((v) => v[0]),
        ['domain', 'entity_id', 'instance', 'source'],
        m,
      );
    }
    const tagged = await querySeries(
      server,
      database,
      `SELECT count("value") FROM /./ WHERE "instance" = 'prod' AND "source" = 'hass' AND "entity_id" !~ /\\./`,
    );
    assert.deepEqual(
      tagged.map((t) => [t.name, t.values[0]?.[1]]),
      [
        ['%', 6],
        ['state', 6],
        ['°C', 6],
      ],
    );
  });
});
