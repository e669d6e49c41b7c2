import type { OpenApiOptions } from '@homeiq/core';

export const INGESTION_OPENAPI: OpenApiOptions = {
  description:
    'The Home Assistant WebSocket client of HomeIQ: every state_changed event through the durable spool into the ' +
    'time-series store. Besides these routes, `GET /api/v1/live` upgrades to a WebSocket carrying every event as it ' +
    'is received (key as Bearer header or `?api_key=`). Every path but /health, /openapi.json and /docs needs ' +
    '`Authorization: Bearer <API_KEY>`.',
  tags: { stats: 'Pipeline counters: received, stored, pending, spool, backfill, Home Assistant link' },
  operations: {
    'GET /api/v1/stats': {
      summary: 'Pipeline counters and state (the JSON twin of /metrics)',
      responses: { 200: { type: 'object', additionalProperties: true } },
    },
  },
};
