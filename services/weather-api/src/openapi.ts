import type { OpenApiOptions } from '@homeiq/core';

export const WEATHER_OPENAPI: OpenApiOptions = {
  description:
    'Current weather at the home (Open-Meteo, or OpenWeatherMap with a key), cached between fetches and stored as ' +
    'the `weather` measurement. Every path but /health, /openapi.json and /docs needs `Authorization: Bearer <API_KEY>`.',
  tags: { weather: 'The current reading and the stored history' },
  operations: {
    'GET /api/v1/weather/current': {
      summary: 'The latest reading, with its age and whether it is stale',
      responses: {
        200: { type: 'object', additionalProperties: true },
        503: { description: 'No reading yet', $ref: '#/components/schemas/Error' },
      },
    },
    'GET /api/v1/weather/history': {
      summary: 'Stored readings between start and end',
      responses: { 200: { type: 'object', additionalProperties: true } },
    },
  },
};
