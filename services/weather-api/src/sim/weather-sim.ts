import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Ways the simulated provider misbehaves, as real ones do. */
export type WeatherFault = 'http500' | 'http429' | 'http401' | 'timeout' | 'malformed' | 'wrong-shape';

export interface SimulatedWeatherOptions {
  port?: number;
  host?: string;
  /** When set, OpenWeatherMap requests need this appid (else 401). */
  apiKey?: string;
  /** Retry-After seconds sent with a 429. */
  retryAfterSeconds?: number;
  /** The clock the observations follow (ms). */
  clock?: () => number;
}

export interface SimulatedWeather {
  url: string;
  port: number;
  /** Every request: path and query, in order. */
  readonly requests: Array<{ path: string; query: Record<string, string> }>;
  /** The next `times` requests fail this way (queued after earlier faults). */
  failNext(fault: WeatherFault, times?: number): void;
  /** Every request fails this way until cleared with null. */
  setFault(fault: WeatherFault | null): void;
  /** Overrides of the generated values (WMO code, °C, ...). */
  setWeather(values: Partial<SimValues>): void;
  stop(): Promise<void>;
}

export interface SimValues {
  wmoCode: number;
  owmId: number;
  temperature: number;
  humidity: number;
  pressure: number;
  windSpeed: number;
  windDirection: number;
  cloudCover: number;
  precipitation: number;
}

/** Plausible values that drift with the time of day, so the demo's chart moves. */
function generated(ms: number, overrides: Partial<SimValues>): SimValues {
  const hour = (ms / 3_600_000) % 24;
  const day = Math.sin(((hour - 9) / 24) * 2 * Math.PI);
  const base: SimValues = {
    wmoCode: 2,
    owmId: 802,
    temperature: Math.round((12 + 6 * day) * 10) / 10,
    humidity: Math.round(65 - 15 * day),
    pressure: Math.round((1013 + 4 * Math.sin(ms / 43_200_000)) * 10) / 10,
    windSpeed: Math.round((3 + 2 * Math.abs(Math.sin(ms / 5_400_000))) * 10) / 10,
    windDirection: Math.round(((ms / 600_000) * 7) % 360),
    cloudCover: 40,
    precipitation: 0,
  };
  return { ...base, ...overrides };
}

function feelsLike(t: number, humidity: number, wind: number): number {
  return Math.round((t - 0.2 * wind + (humidity > 70 ? 0.5 : 0)) * 10) / 10;
}

/**
 * A loopback HTTP server answering like Open-Meteo (/v1/forecast) and OpenWeatherMap (/data/2.5/weather),
 * including their error bodies. Used by the tests and, with no network, by the demo.
 */
export async function startSimulatedWeather(options: SimulatedWeatherOptions = {}): Promise<SimulatedWeather> {
  const clock = options.clock ?? Date.now;
  const requests: SimulatedWeather['requests'] = [];
  const queued: WeatherFault[] = [];
  let standing: WeatherFault | null = null;
  let overrides: Partial<SimValues> = {};

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query });
    const fault = queued.shift() ?? standing;
    if (fault === 'timeout') return; // hold the request open; stop() destroys it
    const owm = url.pathname === '/data/2.5/weather';
    if (fault) return sendFault(res, fault, owm, options.retryAfterSeconds);
    if (url.pathname === '/v1/forecast')
      return openMeteo(res, url.searchParams, generated(clock(), overrides), clock());
    if (owm) return openWeatherMap(req, res, url.searchParams, generated(clock(), overrides), clock(), options.apiKey);
    json(res, 404, { error: true, reason: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) queued.push(fault);
    },
    setFault(fault) {
      standing = fault;
    },
    setWeather(values) {
      overrides = { ...overrides, ...values };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendFault(res: ServerResponse, fault: WeatherFault, owm: boolean, retryAfter?: number) {
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  switch (fault) {
    case 'http500':
      res.writeHead(500, { 'content-type': 'text/html' });
      return res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
    case 'http429':
      return owm
        ? json(
            res,
            429,
            {
              cod: 429,
              message:
                'Your account is temporary blocked due to exceeding of requests limitation of your subscription type.',
            },
            headers,
          )
        : json(
            res,
            429,
            { error: true, reason: 'Minutely API request limit exceeded. Please try again in one minute.' },
            headers,
          );
    case 'http401':
      return json(res, 401, {
        cod: 401,
        message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.',
      });
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"latitude":52.52,"current":{"time":17');
    case 'wrong-shape':
      return json(
        res,
        200,
        owm ? { cod: 200, main: { temp: 'warm' }, dt: 1 } : { latitude: 1, longitude: 2, hourly: {} },
      );
    default:
      return json(res, 500, { error: true, reason: 'unknown fault' });
  }
}

function coordinates(params: URLSearchParams, latKey: string, lonKey: string): [number, number] | string {
  const lat = Number(params.get(latKey));
  const lon = Number(params.get(lonKey));
  if (!params.has(latKey) || !Number.isFinite(lat) || Math.abs(lat) > 90)
    return `Latitude must be in range of -90 to 90°. Given: ${params.get(latKey)}.`;
  if (!params.has(lonKey) || !Number.isFinite(lon) || Math.abs(lon) > 180)
    return `Longitude must be in range of -180 to 180°. Given: ${params.get(lonKey)}.`;
  return [lat, lon];
}

const OPEN_METEO_UNITS: Record<string, string> = {
  temperature_2m: '°C',
  relative_humidity_2m: '%',
  apparent_temperature: '°C',
  precipitation: 'mm',
  weather_code: 'wmo code',
  cloud_cover: '%',
  pressure_msl: 'hPa',
  wind_speed_10m: 'km/h',
  wind_direction_10m: '°',
};

function openMeteo(res: ServerResponse, params: URLSearchParams, v: SimValues, nowMs: number) {
  const coords = coordinates(params, 'latitude', 'longitude');
  if (typeof coords === 'string') return json(res, 400, { error: true, reason: coords });
  const requested = (params.get('current') ?? '').split(',').filter(Boolean);
  const unknown = requested.find((k) => !(k in OPEN_METEO_UNITS));
  if (unknown) {
    return json(res, 400, {
      error: true,
      reason: `Cannot initialize CurrentVariable from invalid String value ${unknown} for key current`,
    });
  }
  const windUnit = params.get('wind_speed_unit') ?? 'kmh';
  const wind =
    windUnit === 'ms'
      ? v.windSpeed
      : windUnit === 'mph'
        ? v.windSpeed * 2.23694
        : windUnit === 'kn'
          ? v.windSpeed * 1.94384
          : v.windSpeed * 3.6;
  const values: Record<string, number> = {
    temperature_2m: v.temperature,
    relative_humidity_2m: v.humidity,
    apparent_temperature: feelsLike(v.temperature, v.humidity, v.windSpeed),
    precipitation: v.precipitation,
    weather_code: v.wmoCode,
    cloud_cover: v.cloudCover,
    pressure_msl: v.pressure,
    wind_speed_10m: Math.round(wind * 10) / 10,
    wind_direction_10m: v.windDirection,
  };
  const slot = Math.floor(nowMs / 900_000) * 900; // Open-Meteo's current block is in 15-minute steps
  const unixtime = params.get('timeformat') === 'unixtime';
  const current: Record<string, number | string> = {
    time: unixtime ? slot : new Date(slot * 1000).toISOString().slice(0, 16),
    interval: 900,
  };
  const units: Record<string, string> = { time: unixtime ? 'unixtime' : 'iso8601', interval: 'seconds' };
  for (const key of requested) {
    current[key] = values[key] as number;
    units[key] =
      key === 'wind_speed_10m'
        ? windUnit === 'ms'
          ? 'm/s'
          : windUnit === 'kmh'
            ? 'km/h'
            : windUnit
        : (OPEN_METEO_UNITS[key] as string);
  }
  json(res, 200, {
    latitude: coords[0],
    longitude: coords[1],
    generationtime_ms: 0.03,
    utc_offset_seconds: 0,
    timezone: 'GMT',
    timezone_abbreviation: 'GMT',
    elevation: 38,
    current_units: units,
    current,
  });
}

function openWeatherMap(
  _req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  v: SimValues,
  nowMs: number,
  apiKey: string | undefined,
) {
  const appid = params.get('appid');
  if (!appid || (apiKey !== undefined && appid !== apiKey)) {
    return json(res, 401, {
      cod: 401,
      message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.',
    });
  }
  const coords = coordinates(params, 'lat', 'lon');
  if (typeof coords === 'string') return json(res, 400, { cod: '400', message: 'wrong latitude' });
  const units = params.get('units') ?? 'standard';
  const temp = (c: number) =>
    Math.round((units === 'metric' ? c : units === 'imperial' ? c * 1.8 + 32 : c + 273.15) * 100) / 100;
  const speed = units === 'imperial' ? v.windSpeed * 2.23694 : v.windSpeed;
  const body: Record<string, unknown> = {
    coord: { lon: coords[1], lat: coords[0] },
    weather: [{ id: v.owmId, main: 'Clouds', description: 'scattered clouds', icon: '03d' }],
    base: 'stations',
    main: {
      temp: temp(v.temperature),
      feels_like: temp(feelsLike(v.temperature, v.humidity, v.windSpeed)),
      temp_min: temp(v.temperature - 1),
      temp_max: temp(v.temperature + 1),
      pressure: Math.round(v.pressure),
      humidity: v.humidity,
      sea_level: Math.round(v.pressure),
      grnd_level: Math.round(v.pressure) - 5,
    },
    visibility: 10000,
    wind: { speed: Math.round(speed * 100) / 100, deg: v.windDirection },
    clouds: { all: v.cloudCover },
    dt: Math.floor(nowMs / 600_000) * 600,
    sys: { type: 2, id: 2000, country: 'XX', sunrise: 1736496000, sunset: 1736526000 },
    timezone: 0,
    id: 1,
    name: 'Simulated Town',
    cod: 200,
  };
  if (v.precipitation > 0) body.rain = { '1h': v.precipitation };
  json(res, 200, body);
}
