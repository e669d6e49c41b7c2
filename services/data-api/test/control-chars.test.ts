// NUL and other control characters in stored text and in filters, on both stores (real SQLite, real influxd):
// stored and read back exactly, matched literally, never a 500 (InfluxQL cannot hold a NUL in a string literal).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig, silentLogger } from '@homeiq/core';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { type StateEvent, storageSchema, type TimeSeriesStore } from '@homeiq/storage';
import { InfluxStore } from '@homeiq/storage/influx/influx-store';
import { AUTH, makeApp, sqliteFixture, T0 } from './fixtures';

const influxd = influxdAvailability();
const STATE = 'a\u0000b\u0001c\td\u001be\u007f';
const AREA = 'area\u0000one';
const DEVICE = 'dev\u0007\r\nice';

function events(): StateEvent[] {
  const base = {
    lastChanged: 0,
    removed: false,
    contextId: null,
    contextParentId: null,
    contextUserId: null,
    origin: null,
  };
  return [
    {
      ...base,
      entityId: 'sensor.ctl',
      time: T0,
      state: STATE,
      attributes: { unit_of_measurement: 'k\u0000W', n: 'x\u0000' },
      areaId: AREA,
      deviceId: DEVICE,
    },
    {
      ...base,
      entityId: 'sensor.ctl',
      time: T0 + 1_000_000,
      state: 'a',
      attributes: {},
      areaId: AREA,
      deviceId: DEVICE,
    },
    {
      ...base,
      entityId: 'sensor.other',
      time: T0 + 2_000_000,
      state: 'a\u0000',
      attributes: {},
      areaId: null,
      deviceId: null,
    },
  ].map((e) => ({ ...e, lastChanged: e.time }));
}

let server: InfluxServer | undefined;
let fx: Awaited<ReturnType<typeof sqliteFixture>>;
const apps: Array<{ kind: string; app: ReturnType<typeof makeApp>['app'] }> = [];

before(async () => {
  fx = await sqliteFixture(false);
  await fx.store.writeEvents(events());
  apps.push({ kind: 'sqlite', app: makeApp(fx.store, fx.metadata).app });
  if (influxd.skip) return;
  server = await startInfluxd();
  const influx: TimeSeriesStore = new InfluxStore(
    loadConfig(storageSchema, { INFLUXDB_URL: server.url, INFLUXDB_DATABASE: 'control_chars' }),
    silentLogger(),
  );
  await influx.open();
  await influx.writeEvents(events());
  apps.push({ kind: 'influxdb', app: makeApp(influx, fx.metadata).app });
});
after(async () => {
  for (const { app } of apps) await app.close();
  await fx.cleanup();
  await server?.stop();
});

describe('control characters on both stores', () => {
  const filters: Array<[string, string, number]> = [
    ['state', STATE, 1],
    ['state', 'a\u0000', 1],
    ['state', '\u0000', 0],
    ['area_id', AREA, 2],
    ['device_id', DEVICE, 2],
    ['area_id', 'area\u0000', 0],
  ];
  for (const [param, value, count] of filters) {
    test(`${param}=${JSON.stringify(value)}: ${count} event(s), the same on every store`, {
      skip: influxd.skip,
    }, async () => {
      const answers: string[] = [];
      for (const { kind, app } of apps) {
        const url = `/api/v1/events?${param}=${encodeURIComponent(value)}`;
        const res = await app.inject({ method: 'GET', url, headers: AUTH });
        assert.equal(res.statusCode, 200, `${kind}: ${res.body}`);
        const body = res.json() as {
          events: Array<{ state: string; area_id: string; device_id: string; attributes: unknown }>;
        };
        assert.equal(body.events.length, count, kind);
        answers.push(JSON.stringify(body.events));
      }
      assert.equal(new Set(answers).size, 1, 'both stores answer the same');
    });
  }

  test('the stored text comes back exactly', { skip: influxd.skip }, async () => {
    for (const { kind, app } of apps) {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/events?entity_id=sensor.ctl&order=asc',
        headers: AUTH,
      });
      const first = (res.json() as { events: Array<Record<string, unknown>> }).events[0]!;
      assert.equal(first.state, STATE, kind);
      assert.equal(first.area_id, AREA, kind);
      assert.equal(first.device_id, DEVICE, kind);
      assert.deepEqual(first.attributes, { unit_of_measurement: 'k\u0000W', n: 'x\u0000' }, kind);
    }
  });
});
