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
import { DashboardAuth, type DashboardAuthOptions } from './auth/dashboard-auth';
import { registerGuard, upgradeRefusal } from './auth/guard';
import { registerHomeAssistantSignIn } from './auth/ha-sign-in';
import { ingressPathOf } from './auth/ingress';
import { defaultAllowedHosts } from './auth/request-guards';
import { registerSignInRoutes } from './auth/sign-in-routes';
import { registerProxy } from './proxy';
import { registerStatic } from './static';

export interface DashboardDeps {
  logger: Logger;
  apiKey: string;
  distDir: string;
  urlOf: (service: ServiceName) => string;
  colocated?: () => string[];
  config?: () => ConfigPart[];
  /** Sign-in settings; defaults: API key only, this machine's host names, 12 h idle, 7 d at most. */
  signIn?: Partial<Omit<DashboardAuthOptions, 'apiKey'>>;
  /** Ready-made sign-in (from the DASHBOARD_* variables); `signIn` is ignored when given. */
  auth?: DashboardAuth;
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The dashboard's server without listening: the app (open, like any web page: it shows the sign-in form), the
 * sign-in routes, the API proxy that adds the key for a signed-in browser only, and the dashboard's own
 * /api/v1/process, /api/v1/config and /metrics (behind the key, as on every service).
 */
export function buildDashboardApp(deps: DashboardDeps): HttpApp {
  const { app } = createServiceApp({
    name: 'health-dashboard',
    logger: deps.logger,
    apiKey: deps.apiKey,
    // The page is open, the proxy needs a session (registerGuard); only the service's own /api/v1 needs the key.
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
  const auth =
    deps.auth ??
    new DashboardAuth({
      allowedHosts: defaultAllowedHosts(),
      idleMs: 12 * 3_600_000,
      absoluteMs: 7 * 86_400_000,
      trustProxy: false,
      ...deps.signIn,
      apiKey: deps.apiKey,
    });
  registerGuard(app, auth);
  registerSignInRoutes(app, auth);
  registerHomeAssistantSignIn(app, auth);
  registerProxy(app, {
    apiKey: deps.apiKey,
    urlOf: deps.urlOf,
    logger: deps.logger,
    upgradeRefusal: (req) => upgradeRefusal(auth, req),
  });
  registerStatic(
    app,
    () => deps.distDir,
    (req) => (auth.ingress(req) ? ingressPathOf(req) : undefined),
  );
  return app;
}
