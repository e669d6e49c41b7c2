import { counterFrom, gaugeFrom, type MetricsRegistry } from '@homeiq/core';
import type { WeatherPoller } from './poller';

/** weather-api's metrics, read from the poller's status at scrape time. */
export function registerWeatherMetrics(registry: MetricsRegistry, poller: WeatherPoller): void {
  counterFrom(
    registry,
    'homeiq_weather_fetches_total',
    'Requests to the weather provider',
    () => poller.status().fetches,
  );
  counterFrom(
    registry,
    'homeiq_weather_fetch_failures_total',
    'Requests to the weather provider that failed (retried with backoff)',
    () => poller.status().fetchFailures,
  );
  gaugeFrom(
    registry,
    'homeiq_weather_last_success_timestamp_seconds',
    'When the provider last answered (0: not yet)',
    () => (poller.status().lastSuccessAt ?? 0) / 1000,
  );
  gaugeFrom(
    registry,
    'homeiq_weather_points_pending',
    'Readings waiting for the time-series store',
    () => poller.status().pendingPoints,
  );
}
