import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from '../http';
import { buildOpenApiDocument, type OpenApiOptions } from './document';
import type { CollectedRoute } from './operation';

/** Paths that need no API key: the description of an API is public, like /health. */
export const OPENAPI_OPEN_PATHS = ['/openapi.json', '/docs', '/docs/*'];

function isOpen(url: string, open: string[]): boolean {
  return open.some((p) => url === p || (p.endsWith('*') && url.startsWith(p.slice(0, -1))));
}

/**
 * Records every route from here on (an onRoute hook runs at once, unlike a plugin, so it also sees the routes a
 * service adds to the app directly). Call before the first route is added.
 */
export function collectRoutes(app: HttpApp, open: () => string[]): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (schema.hide || route.url.includes('*')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url: route.url, schema, open: isOpen(route.url, open()) });
    }
  });
  return routes;
}

/** Where the reader reached this service: the request's own origin, so `servers` is never empty nor made up. */
export function requestOrigin(request: FastifyRequest): string {
  const host = request.host || `localhost:${request.port ?? ''}`;
  return `${request.protocol}://${host}`;
}

/** GET /openapi.json (generated from the route schemas at first request) and the Swagger UI at /docs. */
export function registerOpenApi(app: HttpApp, name: string, options: OpenApiOptions, routes: CollectedRoute[]): void {
  let base: Record<string, unknown> | undefined;
  const document = (request: FastifyRequest) => {
    base ??= buildOpenApiDocument({ name, options, routes });
    const { openapi, info, ...rest } = base;
    return {
      openapi,
      info,
      servers: [{ url: requestOrigin(request), description: `${name} as this request reached it` }],
      ...rest,
    };
  };
  // Static mode: the document is ours; @fastify/swagger only provides what the UI plugin expects.
  app.register(swagger, {
    mode: 'static',
    specification: { document: { openapi: '3.1.0', info: { title: name, version: '0' }, paths: {} } },
  });
  app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list' },
    transformSpecification: (_spec, request) => document(request),
  });
  app.get('/openapi.json', async (request) => document(request));
}
