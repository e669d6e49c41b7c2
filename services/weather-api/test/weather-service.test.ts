import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@homeiq/core/testing/temp';
import { type SimulatedWeather, startSimulatedWeather } from '../src/sim/weather-sim';
import { AUTH, weatherFixture } from './helpers';

type Fixture = Awaited<ReturnType<typeof weatherFixture>>;

async function weatherPoints(f: Fixture) {
  return f.store.queryPoints({ measurement: 'weather' });
}

describe('weather-api on Open-Meteo', () => {
  let sim: SimulatedWeather;
  let f: Fixture;
  let now = Date.UTC(2025, 0, 10, 10, 7);
  before(async () => {
    sim = await startSimulatedWeather({ clock: () => now });
    // Warm up fetch (undici loads lazily) so that a busy machine does not turn the first request into a timeout.
    await (await fetch(`${sim.url}/v1/forecast?latitude=0&longitude=0`)).text();
    f = await weatherFixture(
      {
        WEATHER_OPEN_METEO_URL: sim.url,
        WEATHER_TIMEOUT: '300ms',
        WEATHER_RETRY_BASE: '20s',
        WEATHER_LOCATION: 'amsterdam',
      },
      () => now,
    );
  });
  after(async () => {
    await f.close();
    await sim.stop();
  });

  test('a fetch asks Open-Meteo in its public format and writes one weather point', async () => {
    sim.setWeather({ wmoCode: 63, temperature: 7.5, humidity: 88, precipitation: 1.2 });
    assert.equal(await f.poller.pollOnce(), 15 * 60_000);
    const request = sim.requests.at(-1);
    assert.equal(request?.path, '/v1/forecast');
    assert.equal(request?.query.latitude, '52.37');
    assert.match(request?.query.current ?? '', /temperature_2m/);
    const points = await weatherPoints(f);
    assert.equal(points.length, 1);
    assert.deepEqual(points[0]?.tags, { location: 'amsterdam', condition: 'rain' });
    assert.equal(points[0]?.time, Date.UTC(2025, 0, 10, 10, 0) * 1000); // the observation's 15-minute slot
    assert.equal(points[0]?.fields.temperature, 7.5);
    assert.equal(points[0]?.fields.humidity, 88);
    assert.equal(points[0]?.fields.precipitation, 1.2);
    for (const field of ['feels_like', 'pressure', 'wind_speed', 'wind_direction', 'cloudiness']) {
      assert.equal(typeof points[0]?.fields[field], 'number', field);
    }
  });

  test('the same observation fetched again is not written twice', async () => {
    await f.poller.pollOnce();
    assert.equal((await weatherPoints(f)).length, 1);
  });

  test('GET /api/v1/weather/current serves the cached reading with its age and source', async () => {
    now += 90_000;
    const res = await f.app.inject({ url: '/api/v1/weather/current', headers: AUTH });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.source, 'open-meteo');
    assert.equal(body.location, 'amsterdam');
    assert.equal(body.condition, 'rain');
    assert.equal(body.temperature, 7.5);
    assert.equal(body.age_seconds, 90);
    assert.equal(body.stale, false);
  });

  for (const fault of ['http500', 'http429', 'timeout', 'malformed', 'wrong-shape'] as const) {
    test(`provider ${fault}: cached value served with its age, health degraded, nothing written, backoff`, async () => {
      const before = (await weatherPoints(f)).length;
      sim.setWeather({ temperature: 30 }); // would be a new value if anything were written
      now += 15 * 60_000; // a new observation slot
      sim.failNext(fault);
      const delay = await f.poller.pollOnce();
      assert.ok(delay >= 10_000 && delay <= 20_000, `first retry after 10-20 s (base 20 s, jitter), got ${delay}`);
      assert.equal((await weatherPoints(f)).length, before, 'no made-up value written');

      const current = (await f.app.inject({ url: '/api/v1/weather/current', headers: AUTH })).json();
      assert.equal(current.temperature, 7.5, 'the last good reading');
      assert.equal(current.stale, true);
      assert.ok(current.age_seconds >= 15 * 60, `age ${current.age_seconds}`);
      assert.ok(current.last_error, 'says why it is stale');

      const health = await f.app.inject({ url: '/health' });
      assert.equal(health.statusCode, 200);
      const report = health.json();
      assert.equal(report.status, 'degraded');
      assert.equal(report.checks.provider.consecutiveFailures, 1);
      assert.ok(report.checks.provider.lastSuccess, 'time of the last success');
      assert.match(report.reasons[0], /open-meteo failing \(last success 2025-01-10T/);

      // Recovery: the next fetch succeeds, writes the new observation, health is back.
      assert.equal(await f.poller.pollOnce(), 15 * 60_000);
      assert.equal((await weatherPoints(f)).length, before + 1);
      assert.equal((await f.app.inject({ url: '/health' })).json().status, 'healthy');
      sim.setWeather({ temperature: 7.5 });
      await f.poller.pollOnce();
    });
  }

  test('consecutive failures back off exponentially, capped at the interval; 429 Retry-After is honoured', async () => {
    sim.setFault('http500');
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) delays.push(await f.poller.pollOnce());
    sim.setFault(null);
    // random() = 0.5 -> 75% of base * 2^(n-1), capped at 15 min
    assert.deepEqual(delays.slice(0, 4), [15_000, 30_000, 60_000, 120_000]);
    assert.equal(delays.at(-1), 675_000);
    await f.poller.pollOnce();
  });

  test('history returns the stored points in a range; bad input is a 400 naming the field', async () => {
    const res = await f.app.inject({
      url: '/api/v1/weather/history?start=2025-01-10T00:00:00Z&end=2025-01-11T00:00:00Z',
      headers: AUTH,
    });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.ok(body.count >= 2);
    assert.equal(body.points[0].time, '2025-01-10T10:00:00.000Z');
    assert.equal(body.points[0].location, 'amsterdam');
    assert.equal(typeof body.points[0].temperature, 'number');
    const empty = await f.app.inject({
      url: '/api/v1/weather/history?start=2024-01-10T00:00:00Z&end=2024-01-11T00:00:00Z',
      headers: AUTH,
    });
    assert.equal(empty.json().count, 0);

    const bad: Array<[string, string]> = [
      ['start=yesterday', 'start'],
      ['end=2025-13-01T00:00:00Z', 'end'],
      ['start=2025-01-11T00:00:00Z&end=2025-01-10T00:00:00Z', 'end'],
      ['limit=0', 'querystring.limit'],
      ['limit=abc', 'querystring.limit'],
      ['colour=blue', 'querystring'],
    ];
    for (const [query, field] of bad) {
      const r = await f.app.inject({ url: `/api/v1/weather/history?${query}`, headers: AUTH });
      assert.equal(r.statusCode, 400, query);
      assert.equal(r.json().field, field, query);
    }
  });

  test('the API needs the key; /health does not', async () => {
    assert.equal((await f.app.inject({ url: '/api/v1/weather/current' })).statusCode, 401);
    assert.equal(
      (await f.app.inject({ url: '/api/v1/weather/current', headers: { authorization: 'Bearer nope' } })).statusCode,
      403,
    );
    assert.equal((await f.app.inject({ url: '/health' })).statusCode, 200);
  });
});

describe('weather-api without any reading yet', () => {
  test('current is 503 with the reason; health degraded with no last success', async () => {
    const sim = await startSimulatedWeather();
    sim.setFault('http500');
    const f = await weatherFixture({ WEATHER_OPEN_METEO_URL: sim.url, WEATHER_RETRY_BASE: '1s' });
    try {
      await f.poller.pollOnce();
      const res = await f.app.inject({ url: '/api/v1/weather/current', headers: AUTH });
      assert.equal(res.statusCode, 503);
      assert.match(res.json().message, /HTTP 500/);
      const report = (await f.app.inject({ url: '/health' })).json();
      assert.equal(report.status, 'degraded');
      assert.equal(report.checks.provider.lastSuccess, null);
      assert.match(report.reasons[0], /no reading yet/);
      assert.equal((await f.store.queryPoints({ measurement: 'weather' })).length, 0);
    } finally {
      await f.close();
      await sim.stop();
    }
  });
});

describe('weather-api timers', () => {
  test('started, it fetches at once, retries after failures with backoff, and recovers by itself', async () => {
    const sim = await startSimulatedWeather();
    sim.failNext('http500', 2);
    const f = await weatherFixture({
      WEATHER_OPEN_METEO_URL: sim.url,
      WEATHER_RETRY_BASE: '40ms',
      WEATHER_INTERVAL: '1h',
    });
    try {
      f.poller.start();
      await waitFor(async () => (await f.store.queryPoints({ measurement: 'weather' })).length === 1, 5000, 'a point');
      assert.equal(sim.requests.length, 3, 'two failures, then the success');
      assert.equal(f.poller.status().consecutiveFailures, 0);
      assert.ok((f.poller.status().nextAttemptAt ?? 0) > Date.now() + 50 * 60_000, 'next fetch an interval later');
    } finally {
      await f.close();
      await sim.stop();
    }
  });
});
