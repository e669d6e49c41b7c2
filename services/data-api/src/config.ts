import { duration, int } from '@homeiq/core';

/** data-api's own variables (the port is DATA_API_PORT, read through servicePort). */
export const dataApiSchema = {
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
