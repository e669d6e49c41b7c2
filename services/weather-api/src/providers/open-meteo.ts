import { fetchJson, maskUrl } from './fetch-json';
import { type Condition, type Coordinates, ProviderError, type WeatherProvider, type WeatherReading } from './types';

/** The current-weather variables requested from Open-Meteo (its names). */
export const OPEN_METEO_CURRENT = [
  'temperature_2m',
  'relative_humidity_2m',
  'apparent_temperature',
  'precipitation',
  'weather_code',
  'cloud_cover',
  'pressure_msl',
  'wind_speed_10m',
  'wind_direction_10m',
] as const;

/** WMO weather interpretation codes (as Open-Meteo documents them) -> condition. */
export function conditionFromWmo(code: number | undefined): Condition {
  if (code === undefined) return 'unknown';
  if (code === 0) return 'clear';
  if (code === 1 || code === 2) return 'partly_cloudy';
  if (code === 3) return 'cloudy';
  if (code === 45 || code === 48) return 'fog';
  if (code >= 51 && code <= 55) return 'drizzle';
  if (code === 56 || code === 57 || code === 66 || code === 67) return 'freezing_rain';
  if (code >= 61 && code <= 65) return 'rain';
  if ((code >= 71 && code <= 75) || code === 77) return 'snow';
  if (code >= 80 && code <= 82) return 'showers';
  if (code === 85 || code === 86) return 'snow_showers';
  if (code === 95 || code === 96 || code === 99) return 'thunderstorm';
  return 'unknown';
}

/** Open-Meteo's /v1/forecast `current` block, requested in °C, m/s, mm and unix seconds. */
export class OpenMeteoProvider implements WeatherProvider {
  readonly name = 'open-meteo' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  url(at: Coordinates): string {
    const params = new URLSearchParams({
      latitude: String(at.latitude),
      longitude: String(at.longitude),
      current: OPEN_METEO_CURRENT.join(','),
      wind_speed_unit: 'ms',
      timeformat: 'unixtime',
    });
    return `${this.baseUrl}/v1/forecast?${params}`;
  }

  async fetchCurrent(at: Coordinates, signal: AbortSignal): Promise<WeatherReading> {
    const url = this.url(at);
    return parseOpenMeteo(await fetchJson(url, this.timeoutMs, signal), maskUrl(url));
  }
}

/** Validates the body; anything unexpected is a ProviderError('malformed') naming the field. */
export function parseOpenMeteo(body: unknown, source = 'Open-Meteo'): WeatherReading {
  const bad = (what: string) => new ProviderError('malformed', `${source}: ${what}`);
  if (typeof body !== 'object' || body === null) throw bad('body is not an object');
  const current = (body as { current?: unknown }).current;
  if (typeof current !== 'object' || current === null) throw bad('no "current" object');
  const c = current as Record<string, unknown>;
  const num = (key: string): number | undefined => {
    const v = c[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`current.${key} is not a number`);
    return v;
  };
  const time = parseTime(c.time);
  if (time === undefined) throw bad('current.time is not a time');
  const temperature = num('temperature_2m');
  if (temperature === undefined) throw bad('current.temperature_2m is missing');
  return {
    time,
    condition: conditionFromWmo(num('weather_code')),
    temperature,
    feelsLike: num('apparent_temperature'),
    humidity: num('relative_humidity_2m'),
    pressure: num('pressure_msl'),
    windSpeed: num('wind_speed_10m'),
    windDirection: num('wind_direction_10m'),
    cloudiness: num('cloud_cover'),
    precipitation: num('precipitation'),
  };
}

/** unix seconds (timeformat=unixtime) or "2025-01-10T10:00" in GMT (the default format). */
function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1_000_000);
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(ms) ? undefined : ms * 1000;
}
