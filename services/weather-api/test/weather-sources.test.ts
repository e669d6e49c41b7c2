import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import { startSimulatedHome } from '@homeiq/ha';
import { Runtime } from '@homeiq/storage';
import { createService } from '../src/index';
import { startSimulatedWeather } from '../src/sim/weather-sim';
import { API_KEY, AUTH, weatherFixture } from './helpers';

const OWM_KEY = 'owm-secret-0123456789abcdef';

describe('OpenWeatherMap (WEATHER_API_KEY set)', () => {
  test('is used with the key, metric units; the point carries its values', async () => {
    const sim = await startSimulatedWeather({ apiKey: OWM_KEY });
    sim.setWeather({ owmId: 601, temperature: -2, precipitation: 0.4 });
    const f = await weatherFixture({ WEATHER_API_KEY: OWM_KEY, WEATHER_OPENWEATHERMAP_URL: sim.url });
    try {
      await f.poller.pollOnce();
      const req = sim.requests.at(-1);
      assert.equal(req?.path, '/data/2.5/weather');
      assert.equal(req?.query.units, 'metric');
      const [point] = await f.store.queryPoints({ measurement: 'weather' });
      assert.deepEqual(point?.tags, { location: 'home', condition: 'snow' });
      assert.equal(point?.fields.temperature, -2);
      assert.equal(point?.fields.precipitation, 0.4);
      const current = (await f.app.inject({ url: '/api/v1/weather/current', headers: AUTH })).json();
      assert.equal(current.source, 'openweathermap');
    } finally {
      await f.close();
      await sim.stop();
    }
  });

  test('the API key never appears in errors, health, responses or logs', async () => {
    const sim = await startSimulatedWeather({ apiKey: 'the-right-key-is-different' });
    const f = await weatherFixture({
      WEATHER_API_KEY: OWM_KEY,
      WEATHER_OPENWEATHERMAP_URL: sim.url,
      WEATHER_TIMEOUT: '1s',
    });
    try {
      await f.poller.pollOnce(); // 401: wrong key
      sim.failNext('timeout');
      await f.poller.pollOnce();
      const status = f.poller.status();
      assert.match(status.lastError ?? '', /appid=\*\*\*/);
      const bodies = [
        (await f.app.inject({ url: '/health' })).body,
        (await f.app.inject({ url: '/api/v1/weather/current', headers: AUTH })).body,
        (await f.app.inject({ url: '/api/v1/config', headers: AUTH })).body,
        f.lines.join('\n'),
      ];
      assert.match(bodies[0] as string, /HTTP 401: Invalid API key|no answer/);
      for (const text of bodies) assert.ok(!text.includes(OWM_KEY), `key leaked in: ${text.slice(0, 300)}`);
      assert.ok(f.lines.length > 0, 'the failures were logged');
    } finally {
      await f.close();
      await sim.stop();
    }
  });
});

describe('home location', () => {
  test('without WEATHER_LATITUDE/LONGITUDE it comes from Home Assistant get_config', async () => {
    const home = await startSimulatedHome({ entityCount: 3, rate: 0 });
    const sim = await startSimulatedWeather();
    const f = await weatherFixture({
      WEATHER_LATITUDE: '',
      WEATHER_LONGITUDE: '',
      WEATHER_OPEN_METEO_URL: sim.url,
      HA_URL: home.url,
      HA_TOKEN: home.token,
    });
    try {
      await f.poller.pollOnce();
      assert.equal(sim.requests.at(-1)?.query.latitude, '52.3731');
      assert.equal(sim.requests.at(-1)?.query.longitude, '4.8922');
      const [point] = await f.store.queryPoints({ measurement: 'weather' });
      assert.equal(point?.tags.location, 'HomeIQ simulated home');
    } finally {
      await f.close();
      await sim.stop();
      await home.stop();
    }
  });

  test('a wrong HA token: no location, degraded with the reason, token not shown', async () => {
    const home = await startSimulatedHome({ entityCount: 3, rate: 0 });
    const f = await weatherFixture({
      WEATHER_LATITUDE: '',
      WEATHER_LONGITUDE: '',
      HA_URL: home.url,
      HA_TOKEN: 'wrong-token-abcdefgh',
    });
    try {
      await f.poller.pollOnce();
      const report = (await f.app.inject({ url: '/health' })).json();
      assert.equal(report.status, 'degraded');
      assert.match(report.reasons[0], /rejected HA_TOKEN/);
      assert.ok(!JSON.stringify(report).includes('wrong-token-abcdefgh'));
    } finally {
      await f.close();
      await home.stop();
    }
  });

  test('no coordinates and no Home Assistant: says what to set', async () => {
    const f = await weatherFixture({ WEATHER_LATITUDE: '', WEATHER_LONGITUDE: '' });
    try {
      await f.poller.pollOnce();
      assert.match(f.poller.status().lastError ?? '', /set WEATHER_LATITUDE and WEATHER_LONGITUDE, or HA_URL/);
    } finally {
      await f.close();
    }
  });
});

describe('configuration', () => {
  test('every bad variable is reported at once', async () => {
    const { loadWeatherConfig } = await import('../src/config');
    assert.throws(
      () => loadWeatherConfig({ WEATHER_LATITUDE: '95', WEATHER_LONGITUDE: 'east', WEATHER_INTERVAL: 'often' }),
      (e: Error) =>
        /WEATHER_INTERVAL must be a duration/.test(e.message) &&
        /WEATHER_LATITUDE must be a number between -90 and 90/.test(e.message) &&
        /WEATHER_LONGITUDE must be a number/.test(e.message),
    );
    assert.throws(() => loadWeatherConfig({ WEATHER_LATITUDE: '52' }), /must be set together/);
  });
});

describe('createService', () => {
  test('listens on WEATHER_API_PORT, fetches on start, answers over a real socket, stops cleanly', async () => {
    const dir = tempDir('homeiq-weather-svc-');
    const sim = await startSimulatedWeather();
    const port = await freePort();
    const runtime = new Runtime(
      {
        HOMEIQ_DATA_DIR: dir.path,
        API_KEY,
        HOMEIQ_HOST: '127.0.0.1',
        WEATHER_API_PORT: String(port),
        WEATHER_OPEN_METEO_URL: sim.url,
        WEATHER_LATITUDE: '10',
        WEATHER_LONGITUDE: '20',
      },
      silentLogger(),
    );
    const service = createService(runtime);
    try {
      await service.start();
      assert.equal(service.port, port);
      let current: Response | undefined;
      for (let i = 0; i < 100; i++) {
        current = await fetch(`http://127.0.0.1:${port}/api/v1/weather/current`, { headers: AUTH });
        if (current.status === 200) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(current?.status, 200);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(((await health.json()) as { service: string }).service, 'weather-api');
    } finally {
      await service.stop();
      await service.stop(); // idempotent
      await runtime.close();
      await sim.stop();
      dir.remove();
    }
  });
});
