import { type HttpApp, ValidationError } from '@homeiq/core';
import { type GenericPoint, microsFromIso, type TimeSeriesStore } from '@homeiq/storage';
import { Type } from '@sinclair/typebox';
import { WEATHER_MEASUREMENT, type WeatherPoller } from '../poller';
import type { WeatherReading } from '../providers/types';

const DAY_US = 86_400_000_000;

/** ISO 8601 -> µs; a bad value is a 400 naming the field. */
export function parseTimeParam(field: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const micros = microsFromIso(raw);
  if (micros !== undefined) return micros;
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) {
    const ms = Date.parse(raw.length === 16 ? `${raw}Z` : raw);
    if (!Number.isNaN(ms)) return ms * 1000;
  }
  throw new ValidationError(field, `must be an ISO 8601 time such as 2025-01-10T10:00:00Z, got "${raw.slice(0, 60)}"`);
}

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

function pointJson(p: GenericPoint): Record<string, unknown> {
  return { time: iso(p.time), location: p.tags.location ?? null, condition: p.tags.condition ?? null, ...p.fields };
}

export function registerWeatherRoutes(
  app: HttpApp,
  deps: { poller: WeatherPoller; store: () => Promise<TimeSeriesStore>; intervalMs: number; clock: () => number },
): void {
  app.get('/api/v1/weather/current', async (_request, reply) => {
    const cached = deps.poller.current();
    const status = deps.poller.status();
    if (!cached) {
      return reply.code(503).send({
        error: 'no_data',
        message: status.lastError ? `no weather reading yet: ${status.lastError}` : 'no weather reading yet',
      });
    }
    const ageMs = Math.max(0, deps.clock() - cached.fetchedAt);
    return {
      location: cached.location,
      condition: cached.reading.condition,
      ...readingFields(cached.reading),
      source: cached.source,
      observed_at: iso(cached.reading.time),
      fetched_at: new Date(cached.fetchedAt).toISOString(),
      age_seconds: Math.round(ageMs / 1000),
      stale: status.consecutiveFailures > 0 || ageMs > 2 * deps.intervalMs,
      last_error: status.lastError,
    };
  });

  app.get(
    '/api/v1/weather/history',
    {
      schema: {
        querystring: Type.Object(
          {
            start: Type.Optional(Type.String({ description: 'ISO 8601, inclusive; default end - 24 h' })),
            end: Type.Optional(Type.String({ description: 'ISO 8601, exclusive; default now' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { limit = 1000 } = request.query;
      const end = parseTimeParam('end', request.query.end) ?? deps.clock() * 1000;
      const start = parseTimeParam('start', request.query.start) ?? end - DAY_US;
      if (end <= start) throw new ValidationError('end', 'must be after start');
      const store = await deps.store();
      const points = await store.queryPoints({ measurement: WEATHER_MEASUREMENT, start, end, limit, order: 'asc' });
      return { start: iso(start), end: iso(end), count: points.length, points: points.map(pointJson) };
    },
  );
}

function readingFields(r: WeatherReading): Record<string, number | null> {
  return {
    temperature: r.temperature,
    feels_like: r.feelsLike ?? null,
    humidity: r.humidity ?? null,
    pressure: r.pressure ?? null,
    wind_speed: r.windSpeed ?? null,
    wind_direction: r.windDirection ?? null,
    cloudiness: r.cloudiness ?? null,
    precipitation: r.precipitation ?? null,
  };
}
