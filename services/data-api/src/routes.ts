import { type HttpApp, ValidationError } from '@homeiq/core';
import { StoreError } from '@homeiq/storage';
import type { RouteContext } from './context';
import { registerAreaRoutes } from './routes/areas';
import { registerDeviceRoutes } from './routes/devices';
import { registerEntityRoutes } from './routes/entities';
import { registerEventRoutes } from './routes/events';
import { registerHistoryRoutes } from './routes/history';
import { registerStatisticsRoutes } from './routes/statistics';
import { registerStreamRoutes } from './routes/stream';
import { registerSummaryRoutes } from './routes/summary';
import type { StreamHub } from './stream-hub';

export type ApiApp = HttpApp;

/** Query parameters every route accepts besides its own (WebSocket/EventSource clients send the key this way). */
const UNIVERSAL_QUERY = new Set(['api_key']);

export function registerRoutes(app: ApiApp, ctx: RouteContext, hub: StreamHub): void {
  // A store that is down for now (network, 5xx, busy) is a 503 the client may retry; the rest goes to the
  // service's own error handler (400 with the field, 404, or a 500 that hides internals).
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof StoreError && error.retryable) {
      request.log.warn({ err: error.message, correlationId: request.id }, 'time-series store unavailable');
      return reply.code(503).header('retry-after', '5').send({
        error: 'store_unavailable',
        message: 'the time-series store is not reachable right now; retry shortly',
        correlationId: request.id,
      });
    }
    throw error;
  });
  // A misspelt parameter is an error naming it, never silently ignored.
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
    const allowed = schema?.properties ?? {};
    for (const key of Object.keys((request.query as Record<string, unknown> | undefined) ?? {})) {
      if (!Object.hasOwn(allowed, key) && !UNIVERSAL_QUERY.has(key)) {
        const names = Object.keys(allowed);
        throw new ValidationError(key, `unknown parameter${names.length ? `; expected ${names.join(', ')}` : ''}`);
      }
    }
  });
  registerEventRoutes(app, ctx);
  registerStreamRoutes(app, hub);
  registerHistoryRoutes(app, ctx);
  registerStatisticsRoutes(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerEntityRoutes(app, ctx);
  registerAreaRoutes(app, ctx);
  registerSummaryRoutes(app, ctx);
}
