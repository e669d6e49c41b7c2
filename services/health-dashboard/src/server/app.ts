import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ConfigPart,
  createServiceApp,
  type HttpApp,
  type Logger,
  requestApiKey,
  type ServiceName,
} from '@homeiq/core';
import { registerProxy } from './proxy';
import { registerStatic } from './static';

export interface DashboardDeps {
  logger: Logger;
  apiKey: string;
  distDir: string;
  urlOf: (service: ServiceName) => string;
  colocated?: () => string[];
  config?: () => ConfigPart[];
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The dashboard's server without listening: the app (open, like any web page), the API proxy that adds the
 * key, and the dashboard's own /api/v1/process, /api/v1/config and /metrics (behind the key, as on every service).
 */
export function buildDashboardApp(deps: DashboardDeps): HttpApp {
  const { app } = createServiceApp({
    name: 'health-dashboard',
    logger: deps.logger,
    apiKey: deps.apiKey,
    // The page and the proxy are open; the proxy holds the key. Only the service's own /api/v1 needs it.
    openPaths: ['/*'],
    colocated: deps.colocated,
    config: deps.config,
    checks: () =>
      existsSync(join(deps.distDir, 'index.html'))
        ? { app: { status: 'healthy' } }
        : { app: { status: 'unhealthy', reason: `not built: ${deps.distDir} has no index.html` } },
  });
  app.addHook('onRequest', async (request, reply) => {
    // /metrics is keyed as on every service (Prometheus sends the key as a bearer token).
    if (!request.url.startsWith('/api/v1/') && request.url.split('?')[0] !== '/metrics') return;
    const given = requestApiKey(request.headers, request.query);
    if (given === undefined) return reply.code(401).send({ error: 'unauthorized', message: 'missing API key' });
    if (!sameKey(given, deps.apiKey)) return reply.code(403).send({ error: 'forbidden', message: 'wrong API key' });
  });
  registerProxy(app, { apiKey: deps.apiKey, urlOf: deps.urlOf, logger: deps.logger });
  registerStatic(app, () => deps.distDir);
  return app;
}
