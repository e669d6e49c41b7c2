import type { OpenApiOptions } from '@homeiq/core';
import { EventsPage } from './routes/events';
import { AreaSchema, DeviceSchema, EntitySchema, ErrorBody, EventJsonSchema } from './schemas';

/** What core's generator needs beyond the route schemas (which carry their own summaries and tags). */
export const DATA_API_OPENAPI: OpenApiOptions = {
  description:
    'The read side of HomeIQ: stored Home Assistant events, history, statistics, the registry mirror and live ' +
    'streams. Every path but /health, /openapi.json and /docs needs `Authorization: Bearer <API_KEY>` ' +
    '(401 without, 403 wrong); streams also accept `?api_key=`. Errors: `{ error, message, field? }`; 400 names the parameter.',
  tags: {
    events: 'Stored events, paged, and the live event stream',
    history: 'The states of one entity over a time window',
    statistics: '5-minute and hourly statistics of numeric entities',
    registry: 'Devices, entities and areas mirrored from Home Assistant',
    summary: 'Event counts for the dashboard',
  },
  schemas: {
    Error: ErrorBody,
    Event: EventJsonSchema,
    EventPage: EventsPage,
    Area: AreaSchema,
    Device: DeviceSchema,
    Entity: EntitySchema,
  },
};
