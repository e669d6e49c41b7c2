import { duration, int } from '@homeiq/core';

/** data-api's own variables (the port is DATA_API_PORT, read through servicePort). */
/** Fits a full page of 10000 ordinary events (~300 B each) with room to spare; 8 parallel pages stay under 100 MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export const dataApiSchema = {
  maxResponseBytes: int(
    'DATA_API_MAX_RESPONSE_BYTES',
    'Byte budget of one events page: past it the page ends early with next_cursor (at least one event is sent)',
    DEFAULT_MAX_RESPONSE_BYTES,
    { min: 64 * 1024, max: 1024 * 1024 * 1024 },
  ),
  streamMaxBufferBytes: int(
    'DATA_API_STREAM_MAX_BUFFER',
    'Bytes a live-stream client may have waiting unsent before it is disconnected as too slow',
    1_048_576,
    { min: 1024 },
  ),
  streamHeartbeat: duration(
    'DATA_API_STREAM_HEARTBEAT',
    'Interval of keep-alive pings on live streams (SSE comment, WebSocket ping)',
    15_000,
  ),
};
