import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HttpApp } from '@homeiq/core';

export const OPEN_PATHS = ['/openapi.json', '/docs', '/docs/*'];

/** The routes the shared service shell adds before this plugin can see them. */
const SHELL_PATHS = {
  '/health': {
    get: {
      summary: 'Health: healthy, or degraded with reasons (e.g. the time-series store is unreachable)',
      tags: ['service'],
      security: [],
      responses: { '200': { description: 'healthy or degraded' }, '503': { description: 'unhealthy' } },
    },
  },
  '/api/v1/process': {
    get: { summary: 'Resource use of this process', tags: ['service'], responses: { '200': { description: 'ok' } } },
  },
};

/**
 * @fastify/swagger generates /openapi.json from the schemas of routes registered after this call (in a later
 * plugin); /docs serves Swagger UI. Both need no key.
 */
export function registerOpenApi(app: HttpApp): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'HomeIQ data-api',
        version: '0.1.0',
        description:
          'The read side of HomeIQ: stored Home Assistant events, history, statistics, the registry mirror and live ' +
          'streams. Every path but /health, /openapi.json and /docs needs `Authorization: Bearer <API_KEY>` ' +
          '(401 without, 403 wrong); streams also accept `?api_key=`. Errors: `{ error, message, field? }`; 400 names the parameter.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (doc) => {
      const spec = 'openapiObject' in doc ? doc.openapiObject : doc.swaggerObject;
      return { ...spec, paths: { ...SHELL_PATHS, ...(spec.paths ?? {}) } } as never;
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
