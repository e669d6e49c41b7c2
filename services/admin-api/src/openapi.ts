import type { OpenApiOptions } from '@homeiq/core';

const anyObject = { type: 'object', additionalProperties: true };

export const ADMIN_OPENAPI: OpenApiOptions = {
  description:
    'The operator view of HomeIQ: health of every service probed in parallel, pipeline throughput, resource use, ' +
    'the masked configuration of every service, and alerts. Every path but /health, /openapi.json and /docs needs ' +
    '`Authorization: Bearer <API_KEY>`.',
  tags: {
    health: 'Health of every HomeIQ service and of InfluxDB',
    stats: 'Pipeline throughput and counters from websocket-ingestion',
    resources: 'CPU, memory against the budgets, and disk',
    config: 'The effective configuration of every service, secrets masked',
    alerts: 'Alert rules evaluated every ALERT_INTERVAL: active first, then recently resolved',
  },
  operations: {
    'GET /api/v1/health/services': {
      summary: 'Health of every service, probed in parallel',
      responses: { 200: anyObject },
    },
    'GET /api/v1/stats': { summary: 'Pipeline throughput and counters', responses: { 200: anyObject } },
    'GET /api/v1/resources': {
      summary: 'CPU, memory against each budget, and disk under the data dir',
      responses: { 200: anyObject },
    },
    'GET /api/v1/config': {
      summary: 'The masked effective configuration of every service, this one included',
      tag: 'config',
      responses: { 200: anyObject },
    },
    'GET /api/v1/alerts': {
      summary: 'Alerts: active first, then recently resolved',
      responses: { 200: anyObject },
    },
    'POST /api/v1/alerts/:id/ack': {
      summary: 'Acknowledge an alert',
      responses: { 200: anyObject, 404: { $ref: '#/components/schemas/Error' } },
    },
  },
};
