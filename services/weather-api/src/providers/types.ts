import { HomeIqError } from '@homeiq/core';

/** Conditions both providers are mapped to (the `condition` tag). */
export type Condition =
  | 'clear'
  | 'partly_cloudy'
  | 'cloudy'
  | 'fog'
  | 'drizzle'
  | 'freezing_rain'
  | 'rain'
  | 'showers'
  | 'snow'
  | 'snow_showers'
  | 'thunderstorm'
  | 'unknown';

/**
 * One observation in SI-ish units: °C, %, hPa, m/s, degrees, mm. A value the provider left out stays
 * undefined and is not written: a reading is never completed with made-up numbers.
 */
export interface WeatherReading {
  /** Observation time, µs since the epoch. */
  time: number;
  condition: Condition;
  temperature: number;
  feelsLike?: number;
  humidity?: number;
  pressure?: number;
  windSpeed?: number;
  windDirection?: number;
  cloudiness?: number;
  precipitation?: number;
}

export interface Coordinates {
  latitude: number;
  longitude: number;
}

export type ProviderName = 'open-meteo' | 'openweathermap';

export interface WeatherProvider {
  readonly name: ProviderName;
  fetchCurrent(at: Coordinates, signal: AbortSignal): Promise<WeatherReading>;
}

export type ProviderFailure = 'http' | 'timeout' | 'network' | 'malformed';

/** A failed fetch. The message never contains the API key (URLs are masked). */
export class ProviderError extends HomeIqError {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly status?: number,
    /** From a Retry-After header, ms. */
    readonly retryAfterMs?: number,
  ) {
    super(`PROVIDER_${failure.toUpperCase()}`, message, { retryable: failure !== 'http' || status !== 401 });
  }
}
