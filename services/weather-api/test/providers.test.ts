import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskUrl } from '../src/providers/fetch-json';
import { conditionFromWmo, parseOpenMeteo } from '../src/providers/open-meteo';
import { conditionFromOwm, parseOpenWeatherMap } from '../src/providers/openweathermap';
import { ProviderError } from '../src/providers/types';

describe('condition mapping', () => {
  test('WMO codes (Open-Meteo)', () => {
    const table: Array<[number | undefined, string]> = [
      [0, 'clear'],
      [1, 'partly_cloudy'],
      [2, 'partly_cloudy'],
      [3, 'cloudy'],
      [45, 'fog'],
      [48, 'fog'],
      [51, 'drizzle'],
      [55, 'drizzle'],
      [56, 'freezing_rain'],
      [61, 'rain'],
      [65, 'rain'],
      [67, 'freezing_rain'],
      [71, 'snow'],
      [77, 'snow'],
      [80, 'showers'],
      [82, 'showers'],
      [85, 'snow_showers'],
      [95, 'thunderstorm'],
      [99, 'thunderstorm'],
      [42, 'unknown'],
      [undefined, 'unknown'],
    ];
    for (const [code, condition] of table) assert.equal(conditionFromWmo(code), condition, `code ${code}`);
  });

  test('OpenWeatherMap ids', () => {
    const table: Array<[number, string]> = [
      [211, 'thunderstorm'],
      [301, 'drizzle'],
      [500, 'rain'],
      [511, 'freezing_rain'],
      [521, 'showers'],
      [601, 'snow'],
      [621, 'snow_showers'],
      [741, 'fog'],
      [800, 'clear'],
      [802, 'partly_cloudy'],
      [804, 'cloudy'],
      [900, 'unknown'],
    ];
    for (const [id, condition] of table) assert.equal(conditionFromOwm(id), condition, `id ${id}`);
  });
});

describe('parseOpenMeteo', () => {
  const body = {
    latitude: 52.52,
    longitude: 13.419998,
    generationtime_ms: 0.05,
    utc_offset_seconds: 0,
    timezone: 'GMT',
    current_units: { time: 'unixtime', interval: 'seconds', temperature_2m: '°C' },
    current: {
      time: 1736503200,
      interval: 900,
      temperature_2m: 3.2,
      relative_humidity_2m: 81,
      apparent_temperature: -0.4,
      precipitation: 0.1,
      weather_code: 61,
      cloud_cover: 100,
      pressure_msl: 1009.8,
      wind_speed_10m: 4.1,
      wind_direction_10m: 250,
    },
  };

  test('maps every field, time in µs', () => {
    assert.deepEqual(parseOpenMeteo(body), {
      time: 1736503200 * 1_000_000,
      condition: 'rain',
      temperature: 3.2,
      feelsLike: -0.4,
      humidity: 81,
      pressure: 1009.8,
      windSpeed: 4.1,
      windDirection: 250,
      cloudiness: 100,
      precipitation: 0.1,
    });
  });

  test('accepts the default iso8601 time format (GMT)', () => {
    const r = parseOpenMeteo({ current: { ...body.current, time: '2025-01-10T10:00' } });
    assert.equal(r.time, Date.UTC(2025, 0, 10, 10) * 1000);
  });

  test('a null value stays missing instead of being made up', () => {
    const r = parseOpenMeteo({ current: { ...body.current, apparent_temperature: null, weather_code: null } });
    assert.equal(r.feelsLike, undefined);
    assert.equal(r.condition, 'unknown');
  });

  test('malformed bodies are ProviderErrors naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [{ hourly: {} }, /no "current"/],
      [{ current: { ...body.current, temperature_2m: '3.2' } }, /current\.temperature_2m is not a number/],
      [{ current: { ...body.current, temperature_2m: undefined } }, /temperature_2m is missing/],
      [{ current: { ...body.current, time: 'yesterday' } }, /current\.time/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => parseOpenMeteo(input),
        (e: unknown) => e instanceof ProviderError && e.failure === 'malformed' && message.test(e.message),
      );
    }
  });
});

describe('parseOpenWeatherMap', () => {
  const body = {
    coord: { lon: 10.99, lat: 44.34 },
    weather: [{ id: 501, main: 'Rain', description: 'moderate rain', icon: '10d' }],
    main: { temp: 25.3, feels_like: 25.6, temp_min: 24.4, temp_max: 26.9, pressure: 1015, humidity: 64 },
    wind: { speed: 0.62, deg: 349, gust: 1.18 },
    rain: { '1h': 3.16 },
    clouds: { all: 100 },
    dt: 1661870592,
    name: 'Zocca',
    cod: 200,
  };

  test('maps every field', () => {
    assert.deepEqual(parseOpenWeatherMap(body), {
      time: 1661870592 * 1_000_000,
      condition: 'rain',
      temperature: 25.3,
      feelsLike: 25.6,
      humidity: 64,
      pressure: 1015,
      windSpeed: 0.62,
      windDirection: 349,
      cloudiness: 100,
      precipitation: 3.16,
    });
  });

  test('no rain/snow block means 0 mm (OpenWeatherMap leaves it out when dry)', () => {
    const { rain: _rain, ...dry } = body;
    assert.equal(parseOpenWeatherMap(dry).precipitation, 0);
  });

  test('malformed bodies', () => {
    assert.throws(() => parseOpenWeatherMap({ ...body, main: { temp: 'hot' } }), /main\.temp is not a number/);
    assert.throws(() => parseOpenWeatherMap({ ...body, dt: undefined }), /dt is missing/);
    assert.throws(() => parseOpenWeatherMap('[]'), /not an object/);
  });
});

test('maskUrl hides key-like query parameters', () => {
  assert.equal(
    maskUrl('https://api.openweathermap.org/data/2.5/weather?lat=1&lon=2&units=metric&appid=abcdef123456'),
    'https://api.openweathermap.org/data/2.5/weather?lat=1&lon=2&units=metric&appid=***',
  );
  assert.equal(maskUrl('http://x/y?appid=k&lat=1'), 'http://x/y?appid=***&lat=1');
});
