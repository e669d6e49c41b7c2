// ONE conformance suite: every endpoint against the embedded SQLite store and a real InfluxDB, loaded with the same
// data; the JSON answers must be deep-equal. It also sends InfluxQL/SQL metacharacters in every parameter of every
// route to both: each must be escaped (a literal match, or no match) or rejected with a 400 naming it, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig, silentLogger } from '@homeiq/core';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { storageSchema } from '@homeiq/storage';
import { InfluxStore } from '@homeiq/storage/influx/influx-store';
import {
  AUTH,
  DAY,
  HOSTILE_AREA,
  HOSTILE_DEVICE,
  HOSTILE_STATE,
  HOUR,
  iso,
  makeApp,
  seedStore,
  sqliteFixture,
  T0,
} from './fixtures';

const influxd = influxdAvailability();
type App = ReturnType<typeof makeApp>['app'];

let server: InfluxServer | undefined;
let fx: Awaited<ReturnType<typeof sqliteFixture>>;
let sqliteApp: App;
let influxApp: App;

before(async () => {
  if (influxd.skip) return;
  server = await startInfluxd();
  fx = await sqliteFixture();
  const influx = new InfluxStore(
    loadConfig(storageSchema, { INFLUXDB_URL: server.url, INFLUXDB_DATABASE: 'data_api_conformance' }),
    silentLogger(),
  );
  await influx.open();
  await seedStore(influx);
  sqliteApp = makeApp(fx.store, fx.metadata).app;
  influxApp = makeApp(influx, fx.metadata).app;
});
after(async () => {
  await sqliteApp?.close();
  await influxApp?.close();
  await fx?.cleanup();
  await server?.stop();
});

interface Answer {
  status: number;
  body: unknown;
}

async function ask(app: App, url: string): Promise<Answer> {
  const res = await app.inject({ method: 'GET', url, headers: AUTH });
  return { status: res.statusCode, body: res.json() };
}

/** Both stores answer `url` identically; returns the answer. */
async function same(url: string): Promise<Answer> {
  const [a, b] = await Promise.all([ask(sqliteApp, url), ask(influxApp, url)]);
  assert.deepEqual(b, a, `influxdb and sqlite differ on ${url}`);
  assert.notEqual(a.status, 500, `500 on ${url}: ${JSON.stringify(a.body)}`);
  return a;
}

/** Follows next_cursor to the end on both stores in lockstep. */
async function allPages(url: string): Promise<number> {
  let cursor: string | null = null;
  let total = 0;
  for (let page = 0; page < 200; page++) {
    const { status, body } = await same(cursor ? `${url}&cursor=${cursor}` : url);
    assert.equal(status, 200, url);
    const b = body as { events: unknown[]; next_cursor: string | null };
    total += b.events.length;
    cursor = b.next_cursor;
    if (!cursor) return total;
  }
  throw new Error(`paging did not end: ${url}`);
}

const enc = encodeURIComponent;
const day1 = `start=${iso(T0)}&end=${iso(T0 + DAY)}`;
const both = `start=${iso(T0)}&end=${iso(T0 + 2 * DAY)}`;

describe('data-api conformance: sqlite and influxdb give the same answers', { skip: influxd.skip }, () => {
  test('events: filters, orders, windows', async () => {
    const urls = [
      '/api/v1/events',
      '/api/v1/events?order=asc',
      '/api/v1/events?limit=10000',
      '/api/v1/events?entity_id=sensor.power&entity_id=sensor.old_power&limit=50',
      '/api/v1/events?domain=light&order=asc',
      '/api/v1/events?area_id=kitchen&limit=7',
      '/api/v1/events?device_id=dev_meter&order=asc&limit=3',
      '/api/v1/events?state=on',
      '/api/v1/events?entity_id=binary_sensor.back_door&state=',
      `/api/v1/events?${day1}&domain=sensor&limit=500`,
      `/api/v1/events?start=${iso(T0 + 40 * HOUR)}&end=${iso(T0 + 40 * HOUR + 3 * 60_000_000)}`,
      `/api/v1/events?state=${enc(HOSTILE_STATE)}`,
      `/api/v1/events?area_id=${enc(HOSTILE_AREA)}`,
      `/api/v1/events?device_id=${enc(HOSTILE_DEVICE)}&order=asc`,
      '/api/v1/events?entity_id=sensor.never_seen',
    ];
    for (const url of urls) assert.equal((await same(url)).status, 200, url);
  });

  test('events: paging through everything, both orders, across same-time ties', async () => {
    const total = await allPages('/api/v1/events?limit=113');
    assert.equal(total, await allPages('/api/v1/events?order=asc&limit=1000'));
    assert.equal(await allPages('/api/v1/events?domain=binary_sensor&limit=1'), 13);
    assert.equal(await allPages(`/api/v1/events?${day1}&entity_id=sensor.kitchen_temperature&order=asc&limit=50`), 144);
  });

  test('history', async () => {
    const urls = [
      `/api/v1/entities/sensor.kitchen_temperature/history?${day1}`,
      `/api/v1/entities/sensor.kitchen_temperature/history?start=${iso(T0 + 5 * HOUR + 1)}&end=${iso(T0 + 9 * HOUR)}&minimal=true`,
      `/api/v1/entities/light.living_room/history?${both}`,
      `/api/v1/entities/light.living_room/history?start=${iso(T0 + 46 * HOUR)}&attributes=false`,
      `/api/v1/entities/sensor.power/history?${both}`,
      `/api/v1/entities/sensor.old_power/history?${both}`,
      `/api/v1/entities/binary_sensor.back_door/history?${both}`,
      `/api/v1/entities/sensor.hostile/history?${both}`,
      '/api/v1/entities/sensor.energy/history',
      '/api/v1/entities/sensor.registry_only/history',
      '/api/v1/entities/sensor.nope/history',
    ];
    for (const url of urls) await same(url);
  });

  test('statistics: every period and type set, stored and computed', async () => {
    for (const period of ['5minute', 'hour', 'day', 'week', 'month']) {
      const window = period === '5minute' ? `start=${iso(T0)}&end=${iso(T0 + 3 * HOUR)}` : both;
      const url = `/api/v1/statistics?entity_id=sensor.kitchen_temperature&entity_id=sensor.energy&period=${period}&${window}`;
      const { status, body } = await same(url);
      assert.equal(status, 200, url);
      assert.ok((body as { statistics: Record<string, unknown[]> }).statistics['sensor.energy']?.length, url);
    }
    await same(`/api/v1/statistics?entity_id=sensor.energy&types=sum,state&${both}`);
    await same(`/api/v1/statistics?entity_id=light.living_room&${both}`);
    await same('/api/v1/statistics?entity_id=sensor.power&period=day');
  });

  test('summary and registry', async () => {
    for (const url of [
      '/api/v1/summary',
      '/api/v1/summary?hours=48&busiest=100',
      `/api/v1/summary?end=${iso(T0 + 20 * HOUR)}&hours=3`,
      '/api/v1/devices',
      '/api/v1/areas/kitchen',
      '/api/v1/entities?area_id=kitchen',
    ]) {
      assert.equal((await same(url)).status, 200, url);
    }
  });

  test('metacharacters in every parameter: escaped or rejected, never a 500, same on both stores', async () => {
    const payloads = [
      "'",
      '"',
      '\\',
      "' OR '1'='1",
      '" OR ""="',
      "x'; DROP TABLE events; --",
      '"; DROP MEASUREMENT home_assistant_events; --',
      "') OR entity_id =~ /.*/ --",
      '/.*/',
      '.*',
      '*',
      '%',
      '_',
      '$1',
      '?',
      '\n',
      'a\tb',
      "\\'",
      'ü🏠',
      "sensor.x' OR time > 0 --",
    ];
    const routes: Array<{ path: (p: string) => string; params: string[]; base?: string }> = [
      {
        path: () => '/api/v1/events',
        params: ['entity_id', 'domain', 'area_id', 'device_id', 'state', 'start', 'end', 'limit', 'order', 'cursor'],
      },
      { path: (p) => `/api/v1/entities/${enc(p)}/history`, params: ['start', 'end', 'minimal', 'attributes'] },
      {
        path: () => '/api/v1/statistics',
        params: ['entity_id', 'period', 'start', 'end', 'types'],
        base: 'entity_id=sensor.energy',
      },
      { path: () => '/api/v1/devices', params: ['area_id'] },
      { path: (p) => `/api/v1/devices/${enc(p)}`, params: [] },
      { path: () => '/api/v1/entities', params: ['domain', 'device_id', 'area_id', 'platform'] },
      { path: (p) => `/api/v1/entities/${enc(p)}`, params: [] },
      { path: (p) => `/api/v1/areas/${enc(p)}`, params: [] },
      { path: () => '/api/v1/summary', params: ['hours', 'busiest', 'end'] },
      { path: () => '/api/v1/events/stream', params: ['entity_id', 'domain'] },
    ];
    let checked = 0;
    for (const payload of payloads) {
      for (const route of routes) {
        const urls: string[] = [];
        const pathUsesParam = route.path('X') !== route.path('Y');
        if (pathUsesParam) urls.push(route.path(payload));
        for (const param of route.params) {
          const path = pathUsesParam ? route.path('sensor.energy') : route.path('');
          const qs = [route.base, `${param}=${enc(payload)}`].filter(Boolean).join('&');
          urls.push(`${path}?${qs}`);
        }
        for (const url of urls) {
          const { status, body } = await same(url);
          checked++;
          assert.ok([200, 400, 404, 406].includes(status), `${url} -> ${status}`);
          if (status === 400) assert.ok((body as { field?: string }).field, `400 names the parameter: ${url}`);
          if (status === 200 && url.startsWith('/api/v1/events?')) {
            // A literal filter value that no stored event has: nothing matches (no injection widened it).
            assert.deepEqual((body as { events: unknown[] }).events, [], url);
          }
        }
      }
    }
    assert.ok(checked > 500, `checked ${checked} requests`);
  });
});
