import { type HttpApp, loadConfig } from '@homeiq/core';
import { dashboardPassword, dashboardSchema } from '../config';
import { DashboardAuth } from './dashboard-auth';
import { registerGuard } from './guard';
import { registerHomeAssistantSignIn } from './ha-sign-in';
import { defaultAllowedHosts } from './request-guards';
import { registerSignInRoutes } from './sign-in-routes';

/** The sign-in settings from the DASHBOARD_* variables (validated; a bad value throws a ConfigError naming it). */
export function signInFromEnv(apiKey: string, env: Record<string, string | undefined>): DashboardAuth {
  const config = loadConfig(dashboardSchema, env);
  return new DashboardAuth({
    apiKey,
    password: dashboardPassword(config),
    haUrl: config.haUrl,
    allowedHosts: config.allowedHosts.length > 0 ? config.allowedHosts : defaultAllowedHosts(),
    idleMs: config.sessionIdle,
    absoluteMs: config.sessionMax,
    trustProxy: config.trustProxy,
    ingressFrom: config.ingressFrom,
  });
}

/**
 * The dashboard's sign-in routes (/auth/*) on another service's app, for the Docker deployment where nginx serves
 * the dashboard: nginx forwards /auth/ here and asks /auth/check (auth_request) before every /api/ request.
 * The app must leave /auth/* open (no API key): these routes do their own checks.
 */
export function mountSignIn(app: HttpApp, auth: DashboardAuth): void {
  registerGuard(app, auth, (path) => path.startsWith('/auth/'));
  registerSignInRoutes(app, auth);
  registerHomeAssistantSignIn(app, auth);
}
