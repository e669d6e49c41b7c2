import { type HttpApp, NotFoundError, ValidationError } from '@homeiq/core';
import { microsFromIso } from '@homeiq/storage';
import { Type } from '@sinclair/typebox';
import type { DataRetention } from '../data-retention';
import { accepted, emptyBodyAsObject } from './backups';

export function registerJobRoutes(app: HttpApp, service: DataRetention): void {
  app.get(
    '/api/v1/jobs',
    { schema: { summary: 'Recent jobs, newest first, and when each schedule fires next' } },
    async () => ({
      jobs: service.runner.list(),
      next: service.scheduler.nextRuns(),
    }),
  );

  app.get(
    '/api/v1/jobs/:id',
    {
      schema: { summary: 'One job: state, progress 0..1, result or error', params: Type.Object({ id: Type.String() }) },
    },
    async (request) => {
      const job = service.runner.get(request.params.id);
      if (!job) throw new NotFoundError('job', request.params.id);
      return job;
    },
  );

  app.post(
    '/api/v1/statistics/run',
    {
      schema: {
        summary: 'Compile statistics now (catch-up); with `since`, recompile every window from that time',
        body: Type.Object({ since: Type.Optional(Type.String()) }),
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const raw = request.body?.since;
      const since = raw === undefined ? undefined : microsFromIso(raw);
      if (raw !== undefined && since === undefined)
        throw new ValidationError('body.since', `must be an ISO 8601 time, got "${raw}"`);
      return accepted(reply, service.startStatistics('api', since));
    },
  );

  app.post('/api/v1/retention/run', { schema: { summary: 'Run the retention job now' } }, async (_request, reply) =>
    accepted(reply, service.startRetention('api')),
  );
}
