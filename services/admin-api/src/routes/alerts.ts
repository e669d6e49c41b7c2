import type { HttpApp } from '@homeiq/core';
import type { Monitor } from '../monitor';

/** GET /api/v1/alerts (active first, then recently resolved); POST /api/v1/alerts/{id}/ack. */
export function registerAlertRoutes(app: HttpApp, monitor: Monitor): void {
  app.get(
    '/api/v1/alerts',
    { schema: { querystring: { type: 'object', properties: { active: { type: 'boolean' } } } } },
    async (request) => {
      const { active } = request.query as { active?: boolean };
      const alerts = monitor.engine.list().filter((a) => active === undefined || a.active === active);
      const evaluatedAt = monitor.lastEvaluatedAt === null ? null : new Date(monitor.lastEvaluatedAt).toISOString();
      return { evaluatedAt, alerts };
    },
  );
  app.post(
    '/api/v1/alerts/:id/ack',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } } },
    async (request) => {
      const { id } = request.params as { id: string };
      return monitor.engine.acknowledge(id);
    },
  );
}
