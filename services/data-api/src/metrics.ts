import { counterFrom, gaugeFrom, type MetricsRegistry } from '@homeiq/core';
import type { StreamHub } from './stream-hub';

/** data-api's own metrics, read from the stream hub at scrape time (request durations come from core). */
export function registerDataApiMetrics(registry: MetricsRegistry, hub: StreamHub): void {
  gaugeFrom(
    registry,
    'homeiq_data_api_stream_clients',
    'Live-stream clients connected (WebSocket and SSE)',
    () => hub.size,
  );
  counterFrom(
    registry,
    'homeiq_data_api_stream_slow_disconnects_total',
    'Live-stream clients cut off because their unsent backlog exceeded DATA_API_STREAM_MAX_BUFFER',
    () => hub.counters.slowDisconnects,
  );
  counterFrom(
    registry,
    'homeiq_data_api_stream_messages_total',
    'Messages sent to live-stream clients',
    () => hub.counters.messages,
  );
}
