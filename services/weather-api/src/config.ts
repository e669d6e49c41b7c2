import { ConfigError, type ConfigOf, duration, loadConfig, optionalStr, secret, url } from '@homeiq/core';

/** Every variable weather-api reads besides the common ones. */
export const weatherSchema = {
  apiKey: secret('WEATHER_API_KEY', 'OpenWeatherMap API key; when set, OpenWeatherMap is used instead of Open-Meteo'),
  latitude: optionalStr('WEATHER_LATITUDE', 'Home latitude (-90..90); default: the location from Home Assistant'),
  longitude: optionalStr('WEATHER_LONGITUDE', 'Home longitude (-180..180); default: the location from Home Assistant'),
  location: optionalStr('WEATHER_LOCATION', 'Value of the `location` tag; default: HA location_name, else "home"'),
  interval: duration('WEATHER_INTERVAL', 'Time between two fetches (a bare number is seconds)', 15 * 60_000),
  retryBase: duration(
    'WEATHER_RETRY_BASE',
    'First retry delay after a failed fetch; doubles up to the interval',
    30_000,
  ),
  timeout: duration('WEATHER_TIMEOUT', 'Timeout of one provider request', 10_000),
  openMeteoUrl: url('WEATHER_OPEN_METEO_URL', 'Open-Meteo base URL', 'https://api.open-meteo.com'),
  openWeatherMapUrl: url('WEATHER_OPENWEATHERMAP_URL', 'OpenWeatherMap base URL', 'https://api.openweathermap.org'),
  haUrl: url(
    'HA_URL',
    'Home Assistant base URL, asked for the home location when no coordinates are set',
    undefined,
    'give the token as HA_TOKEN',
  ),
  haToken: secret('HA_TOKEN', 'Home Assistant long-lived access token'),
};

type RawWeatherConfig = ConfigOf<typeof weatherSchema>;

export interface WeatherConfig extends Omit<RawWeatherConfig, 'latitude' | 'longitude'> {
  latitude: number | undefined;
  longitude: number | undefined;
  openMeteoUrl: string;
  openWeatherMapUrl: string;
}

function coordinate(raw: string | undefined, env: string, limit: number, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || Math.abs(value) > limit) {
    problems.push(`${env} must be a number between -${limit} and ${limit}, got "${raw}"`);
    return undefined;
  }
  return value;
}

/** Parses weather-api's variables; every problem is reported at once. */
export function loadWeatherConfig(env: Record<string, string | undefined>): WeatherConfig {
  const problems: string[] = [];
  let raw: RawWeatherConfig | undefined;
  try {
    raw = loadConfig(weatherSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const latitude = coordinate(env.WEATHER_LATITUDE || undefined, 'WEATHER_LATITUDE', 90, problems);
  const longitude = coordinate(env.WEATHER_LONGITUDE || undefined, 'WEATHER_LONGITUDE', 180, problems);
  if ((latitude === undefined) !== (longitude === undefined) && problems.length === 0) {
    problems.push('WEATHER_LATITUDE and WEATHER_LONGITUDE must be set together');
  }
  if (problems.length > 0 || !raw) throw new ConfigError(problems);
  return {
    ...raw,
    latitude,
    longitude,
    openMeteoUrl: raw.openMeteoUrl ?? 'https://api.open-meteo.com',
    openWeatherMapUrl: raw.openWeatherMapUrl ?? 'https://api.openweathermap.org',
  };
}
