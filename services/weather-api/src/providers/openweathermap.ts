import { fetchJson, maskUrl } from './fetch-json';
import { type Condition, type Coordinates, ProviderError, type WeatherProvider, type WeatherReading } from './types';

/** OpenWeatherMap condition ids (2xx thunderstorm ... 80x clouds) -> condition. */
export function conditionFromOwm(id: number | undefined): Condition {
  if (id === undefined) return 'unknown';
  if (id >= 200 && id < 300) return 'thunderstorm';
  if (id >= 300 && id < 400) return 'drizzle';
  if (id === 511) return 'freezing_rain';
  if (id >= 520 && id < 600) return 'showers';
  if (id >= 500 && id < 600) return 'rain';
  if (id >= 620 && id < 700) return 'snow_showers';
  if (id >= 600 && id < 700) return 'snow';
  if (id >= 700 && id < 800) return 'fog';
  if (id === 800) return 'clear';
  if (id === 801 || id === 802) return 'partly_cloudy';
  if (id === 803 || id === 804) return 'cloudy';
  return 'unknown';
}

/** OpenWeatherMap's /data/2.5/weather (current weather), requested in metric units. */
export class OpenWeatherMapProvider implements WeatherProvider {
  readonly name = 'openweathermap' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {}

  url(at: Coordinates): string {
    const params = new URLSearchParams({
      lat: String(at.latitude),
      lon: String(at.longitude),
      units: 'metric',
      appid: this.apiKey,
    });
    return `${this.baseUrl}/data/2.5/weather?${params}`;
  }

  async fetchCurrent(at: Coordinates, signal: AbortSignal): Promise<WeatherReading> {
    const url = this.url(at);
    return parseOpenWeatherMap(await fetchJson(url, this.timeoutMs, signal), maskUrl(url));
  }
}

export function parseOpenWeatherMap(body: unknown, source = 'OpenWeatherMap'): WeatherReading {
  const bad = (what: string) => new ProviderError('malformed', `${source}: ${what}`);
  if (typeof body !== 'object' || body === null) throw bad('body is not an object');
  const b = body as Record<string, unknown>;
  const section = (key: string): Record<string, unknown> => {
    const v = b[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object') throw bad(`${key} is not an object`);
    return v as Record<string, unknown>;
  };
  const num = (obj: Record<string, unknown>, path: string, key: string): number | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${path}.${key} is not a number`);
    return v;
  };
  const main = section('main');
  const wind = section('wind');
  const dt = num(b, 'body', 'dt');
  if (dt === undefined) throw bad('dt is missing');
  const temperature = num(main, 'main', 'temp');
  if (temperature === undefined) throw bad('main.temp is missing');
  const weather = Array.isArray(b.weather) ? (b.weather[0] as Record<string, unknown> | undefined) : undefined;
  const rain = num(section('rain'), 'rain', '1h');
  const snow = num(section('snow'), 'snow', '1h');
  return {
    time: Math.round(dt * 1_000_000),
    condition: conditionFromOwm(weather ? num(weather, 'weather[0]', 'id') : undefined),
    temperature,
    feelsLike: num(main, 'main', 'feels_like'),
    humidity: num(main, 'main', 'humidity'),
    pressure: num(main, 'main', 'pressure'),
    windSpeed: num(wind, 'wind', 'speed'),
    windDirection: num(wind, 'wind', 'deg'),
    cloudiness: num(section('clouds'), 'clouds', 'all'),
    // OWM leaves rain/snow out when there is none: then it is a real 0, not a missing value.
    precipitation: (rain ?? 0) + (snow ?? 0),
  };
}
