import type { OpenApiOptions } from '@homeiq/core';

const anyObject = { type: 'object', additionalProperties: true };
const notFound = { $ref: '#/components/schemas/Error' };

export const SPORTS_OPENAPI: OpenApiOptions = {
  description:
    'Scores of the followed teams from a scoreboard feed, stored as the `sports_data` measurement, and webhook ' +
    'subscriptions (game events, or Home Assistant state changes) delivered signed and retried. Every path but ' +
    '/health, /openapi.json and /docs needs `Authorization: Bearer <API_KEY>`.',
  tags: {
    sports: 'Live, upcoming and recently finished games of the followed teams',
    webhooks: 'Webhook subscriptions and their delivery log',
  },
  operations: {
    'GET /api/v1/sports/games': { summary: 'Games of the followed teams', responses: { 200: anyObject } },
    'POST /api/v1/webhooks': {
      summary: 'Subscribe a URL to game events or state changes',
      responses: { 201: { description: 'Subscribed', ...anyObject } },
    },
    'GET /api/v1/webhooks': {
      summary: 'Every subscription with its pending deliveries',
      responses: { 200: anyObject },
    },
    'GET /api/v1/webhooks/:id': { summary: 'One subscription', responses: { 200: anyObject, 404: notFound } },
    'DELETE /api/v1/webhooks/:id': { summary: 'Delete a subscription', responses: { 204: {}, 404: notFound } },
    'PATCH /api/v1/webhooks/:id': {
      summary: 'Enable or disable a subscription',
      responses: { 200: anyObject, 404: notFound },
    },
    'POST /api/v1/webhooks/:id/test': {
      summary: 'Queue a test delivery (event ping)',
      responses: { 202: { description: 'Queued', ...anyObject }, 404: notFound },
    },
    'GET /api/v1/webhooks/:id/deliveries': {
      summary: 'The delivery log of a subscription, newest first',
      responses: { 200: anyObject, 404: notFound },
    },
  },
};
