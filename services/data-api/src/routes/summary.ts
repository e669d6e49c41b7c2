import { isoFromMicros } from '@homeiq/storage';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context';
import { HOUR_US, parseTime } from '../params';
import type { ApiApp } from '../routes';
import { IsoTime, withErrors } from '../schemas';

const SummaryBody = Type.Object({
  start: Type.String(),
  end: Type.String(),
  total_events: Type.Integer(),
  by_domain: Type.Record(Type.String(), Type.Integer()),
  per_hour: Type.Array(Type.Object({ hour: Type.String(), count: Type.Integer() })),
  busiest: Type.Array(Type.Object({ entity_id: Type.String(), count: Type.Integer() })),
});

export function registerSummaryRoutes(app: ApiApp, ctx: RouteContext): void {
  app.get(
    '/api/v1/summary',
    {
      schema: {
        summary: 'Event counts of the last hours: per domain, per hour, busiest entities',
        description:
          'Over the `hours` (default 24) whole hours ending with the hour that contains `end` (default now). ' +
          'per_hour lists every hour, oldest first, zeros included; busiest is ordered by count, then entity_id.',
        tags: ['summary'],
        querystring: Type.Object({
          hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 31, default: 24 })),
          busiest: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
          end: Type.Optional(IsoTime),
        }),
        response: withErrors({ 200: SummaryBody }),
      },
    },
    async (request) => {
      const q = request.query;
      const hours = q.hours ?? 24;
      const busiestLimit = q.busiest ?? 10;
      const now = parseTime('end', q.end) ?? ctx.nowUs();
      const end = now - (now % HOUR_US) + HOUR_US;
      const start = end - hours * HOUR_US;
      const summary = await (await ctx.store()).summary(start, end, busiestLimit);
      const counts = new Map(summary.perHour.map((h) => [h.hour, h.count]));
      const perHour = [];
      for (let h = start; h < end; h += HOUR_US) perHour.push({ hour: isoFromMicros(h), count: counts.get(h) ?? 0 });
      const busiest = [...summary.busiest]
        .sort((a, b) => b.count - a.count || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0))
        .slice(0, busiestLimit)
        .map((b) => ({ entity_id: b.entityId, count: b.count }));
      return {
        start: isoFromMicros(start),
        end: isoFromMicros(end),
        total_events: summary.totalEvents,
        by_domain: summary.byDomain,
        per_hour: perHour,
        busiest,
      };
    },
  );
}
