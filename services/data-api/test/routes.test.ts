// The fast layer: the real app over the real embedded store and metadata.db, through app.inject.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig, silentLogger } from '@homeiq/core';
import { freePort } from '@homeiq/core/testing/temp';
import { domainOf, type StateEvent, storageSchema } from '@homeiq/storage';
import { InfluxStore } from '@homeiq/storage/influx/influx-store';
import {
  AUTH,
  DAY,
  fixtureEvents,
  HOSTILE_AREA,
  HOSTILE_DEVICE,
  HOSTILE_STATE,
  HOUR,
  iso,
  KEY,
  MIN,
  makeApp,
  NOW_MS,
  sqliteFixture,
  T0,
} from './fixtures';

type Fixture = Awaited<ReturnType<typeof sqliteFixture>>;
let fx: Fixture;
let app: ReturnType<typeof makeApp>['app'];

before(async () => {
  fx = await sqliteFixture();
  app = makeApp(fx.store, fx.metadata).app;
  await app.ready();
});
after(async () => {
  await app.close();
  await fx.cleanup();
});

async function get(url: string, headers: Record<string, string> = AUTH) {
  const res = await app.inject({ method: 'GET', url, headers });
  return {
    status: res.statusCode,
    body: String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body,
  };
}

const byKey = (a: StateEvent, b: StateEvent) =>
  a.time - b.time || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0);

describe('auth, health and docs', () => {
  test('401 without a key, 403 with a wrong one, on every keyed route', async () => {
    for (const url of ['/api/v1/events', '/api/v1/areas', '/api/v1/summary', '/api/v1/process']) {
      assert.equal((await get(url, {})).status, 401, url);
      assert.equal((await get(url, { authorization: 'Bearer nope' })).status, 403, url);
    }
  });

  test('?api_key is a 401 outside the live streams, even with the right key', async () => {
    for (const url of ['/api/v1/events?limit=1', '/api/v1/areas', '/api/v1/config', '/api/v1/process']) {
      const sep = url.includes('?') ? '&' : '?';
      const res = await get(`${url}${sep}api_key=${KEY}`, {});
      assert.equal(res.status, 401, url);
      assert.match((res.body as { message: string }).message, /accepted only on the live streams/);
    }
  });

  test('/health, /openapi.json and /docs need no key; the document lists every route with its parameters', async () => {
    const health = await get('/health', {});
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'healthy');
    assert.equal(health.body.checks.timeseries.kind, 'sqlite');
    const doc = await get('/openapi.json', {});
    assert.equal(doc.status, 200);
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/v1/events',
      '/api/v1/events/stream',
      '/api/v1/entities/{entity_id}/history',
      '/api/v1/statistics',
      '/api/v1/devices',
      '/api/v1/devices/{device_id}',
      '/api/v1/entities',
      '/api/v1/entities/{entity_id}',
      '/api/v1/areas',
      '/api/v1/areas/{area_id}',
      '/api/v1/summary',
      '/health',
    ]) {
      assert.ok(paths.includes(p), `openapi lists ${p}`);
    }
    const params = doc.body.paths['/api/v1/events'].get.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(params.sort(), [
      'area_id',
      'cursor',
      'device_id',
      'domain',
      'end',
      'entity_id',
      'limit',
      'order',
      'start',
      'state',
    ]);
    assert.ok(doc.body.paths['/api/v1/events'].get.responses['400'], 'error responses documented');
    const docs = await app.inject({ method: 'GET', url: '/docs/', headers: {} });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });

  test('/health is degraded with the reason when the store is unreachable', async () => {
    const broken = makeApp(fx.store, fx.metadata, {
      timeSeries: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
      },
    }).app;
    const res = await broken.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, 'degraded');
    assert.match(body.reasons.join(' '), /timeseries: .*ECONNREFUSED/);
    await broken.close();
  });

  test('an unreachable InfluxDB: /health degraded, queries 503 with Retry-After, bad input still 400', async () => {
    const port = await freePort();
    const influx = new InfluxStore(
      loadConfig(storageSchema, { INFLUXDB_URL: `http://127.0.0.1:${port}`, MAX_RETRIES: '0' }),
      silentLogger(),
    );
    const down = makeApp(influx, fx.metadata).app;
    const health = (await down.inject({ method: 'GET', url: '/health' })).json();
    assert.equal(health.status, 'degraded');
    const res = await down.inject({ method: 'GET', url: '/api/v1/events', headers: AUTH });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.json().error, 'store_unavailable');
    const bad = await down.inject({ method: 'GET', url: '/api/v1/events?limit=0', headers: AUTH });
    assert.equal(bad.statusCode, 400);
    assert.equal((await down.inject({ method: 'GET', url: '/api/v1/areas', headers: AUTH })).statusCode, 200);
    await down.close();
  });
});

describe('GET /api/v1/events', () => {
  const all = fixtureEvents().sort(byKey);

  test('newest first, default limit 100, export format', async () => {
    const { status, body } = await get('/api/v1/events');
    assert.equal(status, 200);
    assert.equal(body.events.length, 100);
    assert.equal(body.events[0].entity_id, 'sensor.kitchen_temperature');
    assert.equal(body.events[0].last_updated, '2024-03-11T23:50:00.001234+00:00');
    assert.equal(body.events[1].entity_id, 'sensor.energy');
    assert.equal(typeof body.next_cursor, 'string');
  });

  test('paging asc with a cursor returns every event exactly once, in (time, entity_id) order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const {
        status,
        body,
      }: {
        status: number;
        body: { events: Array<{ entity_id: string; last_updated: string }>; next_cursor: string | null };
      } = await get(`/api/v1/events?order=asc&limit=97${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(status, 200);
      for (const e of body.events) seen.push(`${e.last_updated}|${e.entity_id}`);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    assert.equal(seen.length, all.length);
    assert.equal(new Set(seen).size, all.length, 'no duplicates');
    assert.equal(seen[0]?.split('|')[1], all[0]?.entityId);
  });

  test('same-time events of two entities page across the tie without loss', async () => {
    const url = '/api/v1/events?domain=binary_sensor&limit=1';
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const { body } = await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(
        ...body.events.map((e: { entity_id: string; last_updated: string }) => `${e.entity_id}@${e.last_updated}`),
      );
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    assert.equal(ids.length, 13);
    assert.equal(new Set(ids).size, 13);
  });

  test('a cursor stays stable while new events arrive', async () => {
    const first = await get('/api/v1/events?limit=10');
    const reference = await get('/api/v1/events?limit=20');
    await fx.store.writeEvents([
      {
        ...(all[0] as StateEvent),
        entityId: 'sensor.late',
        time: T0 + 3 * DAY,
        lastChanged: T0 + 3 * DAY,
        areaId: null,
        deviceId: null,
      },
    ]);
    const second = await get(`/api/v1/events?limit=10&cursor=${first.body.next_cursor}`);
    assert.deepEqual(second.body.events, reference.body.events.slice(10));
    const fresh = await get('/api/v1/events?limit=1');
    assert.equal(fresh.body.events[0].entity_id, 'sensor.late');
  });

  test('filters: entity_id (repeatable), domain, area_id, device_id, state, start/end', async () => {
    const q = async (qs: string) =>
      (await get(`/api/v1/events?limit=10000&${qs}`)).body.events as Array<Record<string, unknown>>;
    const two = await q('entity_id=sensor.power&entity_id=sensor.old_power');
    assert.equal(two.length, 24);
    assert.equal((await q('domain=light')).length, 17);
    assert.ok((await q('domain=light')).every((e) => domainOf(e.entity_id as string) === 'light'));
    assert.equal((await q('area_id=kitchen')).length, 288);
    assert.equal((await q('device_id=dev_meter')).length, 192);
    assert.equal((await q('state=on&domain=light')).length, 8);
    const window = await q(`entity_id=sensor.kitchen_temperature&start=${iso(T0 + HOUR)}&end=${iso(T0 + 2 * HOUR)}`);
    assert.equal(window.length, 6, 'start inclusive, end exclusive');
    const removal = await q('entity_id=binary_sensor.back_door&state=');
    assert.equal(removal.length, 1);
    assert.equal(removal[0]?.removed, true);
  });

  test('hostile strings in state, area_id and device_id match literally', async () => {
    for (const qs of [
      `state=${encodeURIComponent(HOSTILE_STATE)}`,
      `area_id=${encodeURIComponent(HOSTILE_AREA)}&state=plain`,
      `device_id=${encodeURIComponent(HOSTILE_DEVICE)}&state=${encodeURIComponent(HOSTILE_STATE)}`,
    ]) {
      const { status, body } = await get(`/api/v1/events?${qs}`);
      assert.equal(status, 200, qs);
      assert.equal(body.events.length, 1, qs);
      assert.equal(body.events[0].entity_id, 'sensor.hostile');
    }
    const { body } = await get(`/api/v1/events?state=${encodeURIComponent(HOSTILE_STATE)}`);
    assert.equal(body.events[0].state, HOSTILE_STATE);
    assert.equal(body.events[0].attributes.emoji, '🏠');
    assert.equal((await get(`/api/v1/events?state=${encodeURIComponent("' OR '1'='1")}`)).body.events.length, 0);
  });

  test('400 names the parameter: bad ISO, start after end, limit range, order, cursor, entity id, unknown parameter', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['start=yesterday', 'start', /ISO 8601/],
      ['end=2024-02-30T00:00:00Z', 'end', /ISO 8601/],
      [`start=${iso(T0 + DAY)}&end=${iso(T0)}`, 'start', /after end/],
      ['limit=0', 'querystring.limit', />= 1/],
      ['limit=10001', 'querystring.limit', /<= 10000/],
      ['limit=ten', 'querystring.limit', /integer/],
      ['order=up', 'querystring.order', /allowed values|must be/],
      ['cursor=%25%25', 'cursor', /base64url/],
      [`cursor=${Buffer.from('{"t":"x"}').toString('base64url')}`, 'cursor', /not a cursor/],
      ['entity_id=Not%20An%20Id', 'querystring.entity_id.0', /pattern/],
      ["domain=light'--", 'querystring.domain', /pattern/],
      ['entity=sensor.x', 'entity', /unknown parameter/],
    ];
    for (const [qs, field, message] of cases) {
      const { status, body } = await get(`/api/v1/events?${qs}`);
      assert.equal(status, 400, qs);
      assert.equal(body.field, field, qs);
      assert.match(body.message, message, qs);
    }
  });

  test('a cursor is bound to its order and filters', async () => {
    const { body } = await get('/api/v1/events?limit=5&domain=sensor');
    const other = await get(`/api/v1/events?limit=5&domain=light&cursor=${body.next_cursor}`);
    assert.equal(other.status, 400);
    assert.match(other.body.message, /different filters/);
    const asc = await get(`/api/v1/events?limit=5&domain=sensor&order=asc&cursor=${body.next_cursor}`);
    assert.equal(asc.status, 400);
    assert.match(asc.body.message, /order=desc/);
  });
});

describe('GET /api/v1/entities/{entity_id}/history', () => {
  test('states in order, the state in force at start first, with attributes', async () => {
    const start = T0 + HOUR + 30 * MIN;
    const { status, body } = await get(
      `/api/v1/entities/light.living_room/history?start=${iso(start)}&end=${iso(start + 6 * HOUR)}`,
    );
    assert.equal(status, 200);
    assert.equal(body.entity_id, 'light.living_room');
    assert.deepEqual(
      body.states.map((s: { state: string }) => s.state),
      ['on', 'off', 'on'],
      'the state at start (set at T0), then 3 h and 6 h',
    );
    assert.equal(body.states[0].last_updated, '2024-03-10T00:00:00.000500+00:00');
    assert.deepEqual(body.states[0].attributes, { brightness: 100, color_mode: 'brightness' });
  });

  test('last_changed and last_updated differ on an attribute-only update', async () => {
    const { body } = await get(
      `/api/v1/entities/light.living_room/history?start=${iso(T0 + 46 * HOUR)}&end=${iso(T0 + 48 * HOUR)}`,
    );
    const last = body.states[body.states.length - 1];
    assert.equal(last.last_updated, '2024-03-11T23:00:00.000000+00:00');
    assert.equal(last.last_changed, '2024-03-11T21:00:00.000500+00:00');
  });

  test('minimal=true and attributes=false', async () => {
    const url = `/api/v1/entities/sensor.kitchen_temperature/history?start=${iso(T0)}&end=${iso(T0 + HOUR)}`;
    const minimal = (await get(`${url}&minimal=true`)).body.states;
    assert.equal(minimal.length, 6);
    assert.ok(minimal[0].attributes && minimal[0].last_updated);
    assert.ok(minimal[5].attributes && minimal[5].last_updated);
    assert.deepEqual(Object.keys(minimal[2]).sort(), ['last_changed', 'state']);
    const bare = (await get(`${url}&attributes=false`)).body.states;
    assert.ok(bare.every((s: Record<string, unknown>) => !('attributes' in s) && 'last_updated' in s));
    assert.equal((await get(`${url}&minimal=maybe`)).status, 400);
  });

  test('a renamed entity includes its history under the former id', async () => {
    const { body } = await get(
      `/api/v1/entities/sensor.power/history?start=${iso(T0 + 20 * HOUR)}&end=${iso(T0 + 30 * HOUR)}`,
    );
    assert.deepEqual(
      body.states.map((s: { state: string; entity_id?: string }) => `${s.state}:${s.entity_id ?? ''}`),
      ['109:sensor.old_power', '110:sensor.old_power', '111:sensor.old_power', '112:', '113:', '114:'],
    );
  });

  test('default window is the 24 h before now; a registry-only entity has an empty history; unknown is 404', async () => {
    const { body } = await get('/api/v1/entities/sensor.energy/history');
    assert.equal(body.start, '2024-03-11T00:00:00.000000+00:00');
    assert.equal(body.end, '2024-03-12T00:00:00.000000+00:00');
    assert.equal(body.states.length, 97, '96 in the window and the state at start');
    const empty = await get('/api/v1/entities/sensor.registry_only/history');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body.states, []);
    const missing = await get('/api/v1/entities/sensor.nope/history');
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /sensor\.nope/);
  });

  test('400 for a bad entity id, bad times, start after end', async () => {
    assert.equal((await get("/api/v1/entities/sensor.x'%20OR%201=1/history")).body.field, 'params.entity_id');
    assert.equal((await get('/api/v1/entities/sensor.x/history?start=2024-13-01T00:00:00Z')).body.field, 'start');
    const r = await get(`/api/v1/entities/sensor.x/history?start=${iso(T0 + HOUR)}&end=${iso(T0)}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'start');
  });
});

describe('GET /api/v1/statistics', () => {
  const url = (qs: string) =>
    `/api/v1/statistics?entity_id=sensor.kitchen_temperature&start=${iso(T0)}&end=${iso(T0 + 2 * DAY)}&${qs}`;

  test('hour: stored rows where data-retention wrote them, computed from raw events after', async () => {
    const { status, body } = await get(url('period=hour'));
    assert.equal(status, 200);
    const rows = body.statistics['sensor.kitchen_temperature'];
    assert.equal(rows.length, 48);
    assert.equal(rows[0].source, 'statistics');
    assert.equal(rows[0].mean, 20);
    assert.equal(rows[23].source, 'statistics');
    assert.equal(rows[24].source, 'computed');
    assert.equal(rows[24].count, 6);
    assert.equal(rows[24].start, '2024-03-11T00:00:00.000000+00:00');
    const samples = fixtureEvents()
      .filter((e) => e.entityId === 'sensor.kitchen_temperature' && e.time >= T0 + DAY && e.time < T0 + DAY + HOUR)
      .map((e) => Number(e.state));
    assert.equal(rows[24].min, Math.min(...samples));
    assert.equal(rows[24].max, Math.max(...samples));
    assert.ok(Math.abs(rows[24].mean - samples.reduce((a, b) => a + b, 0) / samples.length) < 1e-9);
    assert.equal(body.units['sensor.kitchen_temperature'], '°C');
  });

  test('5minute: stored short-term rows first, then computed', async () => {
    const { body } = await get(
      `/api/v1/statistics?entity_id=sensor.kitchen_temperature&period=5minute&start=${iso(T0)}&end=${iso(T0 + 2 * HOUR)}`,
    );
    const rows = body.statistics['sensor.kitchen_temperature'];
    assert.equal(rows.filter((r: { source: string }) => r.source === 'statistics').length, 12);
    assert.deepEqual(
      rows.filter((r: { source: string }) => r.source === 'computed').map((r: { start: string }) => r.start),
      [
        '2024-03-10T01:00:00.000000+00:00',
        '2024-03-10T01:10:00.000000+00:00',
        '2024-03-10T01:20:00.000000+00:00',
        '2024-03-10T01:30:00.000000+00:00',
        '2024-03-10T01:40:00.000000+00:00',
        '2024-03-10T01:50:00.000000+00:00',
      ],
    );
  });

  test('day, week (Monday) and month aggregate hourly rows', async () => {
    const day = (await get(url('period=day'))).body.statistics['sensor.kitchen_temperature'];
    assert.equal(day.length, 2);
    assert.equal(day[0].source, 'statistics');
    assert.equal(day[0].count, 144);
    const storedMeans = Array.from({ length: 24 }, (_, h) => 20 + h / 8);
    assert.ok(Math.abs(day[0].mean - storedMeans.reduce((a, b) => a + b) / 24) < 1e-9);
    assert.equal(day[0].min, 18);
    assert.equal(day[1].source, 'computed');
    const week = (await get(url('period=week'))).body.statistics['sensor.kitchen_temperature'];
    assert.deepEqual(
      week.map((r: { start: string; end: string }) => [r.start.slice(0, 10), r.end.slice(0, 10)]),
      [
        ['2024-03-04', '2024-03-11'],
        ['2024-03-11', '2024-03-18'],
      ],
    );
    const month = (await get(url('period=month'))).body.statistics['sensor.kitchen_temperature'];
    assert.equal(month.length, 1);
    assert.equal(month[0].start, '2024-03-01T00:00:00.000000+00:00');
    assert.equal(month[0].end, '2024-04-01T00:00:00.000000+00:00');
    assert.equal(month[0].source, 'mixed');
    assert.equal(month[0].count, 288);
  });

  test('sum and state continue from stored rows across a meter reset', async () => {
    const { body } = await get(
      `/api/v1/statistics?entity_id=sensor.energy&period=hour&start=${iso(T0)}&end=${iso(T0 + 2 * DAY)}&types=sum,state`,
    );
    const rows = body.statistics['sensor.energy'];
    assert.deepEqual(Object.keys(rows[0]).sort(), ['count', 'end', 'source', 'start', 'state', 'sum']);
    assert.equal(rows[11].sum, 12);
    assert.equal(rows[12].source, 'computed');
    assert.equal(rows[12].sum, 13);
    assert.equal(rows[12].state, 112.75);
    // 29 h: 129.75 at the end; 30 h: the meter restarts at 0 and counts up 0.25 per 15 min.
    const before = rows[29];
    const reset = rows[30];
    assert.equal(before.state, 129.75);
    assert.equal(reset.state, 0.75);
    assert.equal(reset.sum - before.sum, 0.75, 'a reset adds the new reading, not a negative delta');
  });

  test('errors: unknown period/types, missing entity_id, unknown entity, too long a window', async () => {
    const bad = async (qs: string, field: string, message: RegExp) => {
      const { status, body } = await get(`/api/v1/statistics?${qs}`);
      assert.equal(status, 400, qs);
      assert.equal(body.field, field, qs);
      assert.match(body.message, message, qs);
    };
    await bad('entity_id=sensor.energy&period=fortnight', 'period', /unknown period "fortnight"; one of 5minute/);
    await bad('entity_id=sensor.energy&types=mean,median', 'types', /median/);
    await bad('period=hour', 'querystring.entity_id', /required/);
    await bad(`entity_id=sensor.energy&period=5minute&start=2000-01-01T00:00:00Z&end=${iso(T0)}`, 'start', /limit/);
    const missing = await get('/api/v1/statistics?entity_id=sensor.nope');
    assert.equal(missing.status, 404);
  });
});

describe('registry: devices, entities, areas', () => {
  test('lists and filters', async () => {
    assert.equal((await get('/api/v1/devices')).body.devices.length, 4);
    assert.deepEqual(
      (await get('/api/v1/devices?area_id=kitchen')).body.devices.map((d: { id: string }) => d.id).sort(),
      ['dev_plug', 'dev_thermo'],
    );
    const ents = async (qs: string) =>
      (await get(`/api/v1/entities?${qs}`)).body.entities.map((e: { entity_id: string }) => e.entity_id).sort();
    assert.equal((await ents('')).length, 7);
    assert.deepEqual(await ents('domain=light'), ['light.living_room']);
    assert.deepEqual(await ents('platform=zha'), ['binary_sensor.front_door', 'sensor.kitchen_temperature']);
    assert.deepEqual(await ents('device_id=dev_plug'), ['sensor.power']);
    assert.deepEqual(await ents('area_id=kitchen'), [
      'sensor.kitchen_temperature',
      'sensor.power',
      'sensor.registry_only',
    ]);
    assert.deepEqual(await ents(`platform=${encodeURIComponent(HOSTILE_STATE)}`), ['sensor.hostile']);
    assert.deepEqual(await ents(`device_id=${encodeURIComponent("x' OR 1=1 --")}`), []);
  });

  test('one device, entity, area; 404 for unknown ones', async () => {
    const device = await get('/api/v1/devices/dev_thermo');
    assert.equal(device.body.manufacturer, 'Acme "Q"');
    assert.deepEqual(
      device.body.entities.map((e: { entity_id: string }) => e.entity_id),
      ['sensor.kitchen_temperature'],
    );
    const entity = await get('/api/v1/entities/sensor.power');
    assert.deepEqual(entity.body.previous_entity_ids, ['sensor.old_power']);
    assert.equal(entity.body.effective_area_id, 'kitchen');
    const area = await get('/api/v1/areas/kitchen');
    assert.equal(area.body.name, 'Küche');
    assert.deepEqual(area.body.devices.map((d: { id: string }) => d.id).sort(), ['dev_plug', 'dev_thermo']);
    assert.equal(area.body.entities.length, 3);
    const hostile = await get(`/api/v1/areas/${encodeURIComponent(HOSTILE_AREA)}`);
    assert.equal(hostile.status, 200);
    assert.deepEqual(
      hostile.body.devices.map((d: { id: string }) => d.id),
      [HOSTILE_DEVICE],
    );
    for (const url of ['/api/v1/devices/nope', '/api/v1/entities/sensor.nope', "/api/v1/areas/x'%20OR%201=1"]) {
      const r = await get(url);
      assert.equal(r.status, 404, url);
      assert.equal(r.body.error, 'not_found');
    }
    assert.equal((await get('/api/v1/areas')).body.areas.length, 4);
  });
});

describe('GET /api/v1/summary', () => {
  test('counts per domain, per hour (every hour, zeros included) and busiest entities over the last 24 h', async () => {
    const { status, body } = await get('/api/v1/summary?busiest=3');
    assert.equal(status, 200);
    const end = NOW_MS * 1000 + HOUR; // the hour containing now, whole
    const start = end - DAY;
    const inWindow = fixtureEvents().filter((e) => e.time >= start && e.time < end);
    assert.equal(body.total_events, inWindow.length);
    const domains: Record<string, number> = {};
    for (const e of inWindow) domains[domainOf(e.entityId)] = (domains[domainOf(e.entityId)] ?? 0) + 1;
    assert.deepEqual(body.by_domain, domains);
    assert.equal(body.per_hour.length, 24);
    assert.equal(body.per_hour[0].hour, iso(start).replace('Z', '000+00:00'));
    assert.equal(body.per_hour[23].count, 0, 'the hour after the data');
    assert.equal(
      body.per_hour.reduce((a: number, h: { count: number }) => a + h.count, 0),
      inWindow.length,
    );
    const perEntity = new Map<string, number>();
    for (const e of inWindow) perEntity.set(e.entityId, (perEntity.get(e.entityId) ?? 0) + 1);
    const busiest = [...perEntity]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 3)
      .map(([entity_id, count]) => ({ entity_id, count }));
    assert.deepEqual(body.busiest, busiest);
    assert.equal(busiest[0]?.count, 138, 'a kitchen reading every 10 minutes from 25 h to 47:50');
    assert.equal((await get('/api/v1/summary?hours=0')).body.field, 'querystring.hours');
  });
});

describe('GET /api/v1/events/stream without a stream client', () => {
  test('406 for a plain GET, 400 for bad filters before any upgrade', async () => {
    assert.equal((await get('/api/v1/events/stream')).status, 406);
    const bad = await get('/api/v1/events/stream?domain=Li%22ght', { ...AUTH, accept: 'text/event-stream' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'querystring.domain.0');
  });
});
