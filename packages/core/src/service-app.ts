import { requireApiKey } from './auth';
import { type ConfigPart, registerConfigRoute } from './config-route';
import { buildHealthReport, type HealthCheck } from './health';
import { createHttpApp, type HttpApp, listen, registerHealthRoute } from './http';
import type { Logger } from './logger';
import { sampleProcessMetrics } from './process-metrics';
import { SERVICES, type ServiceName } from './services';

export interface ServiceAppOptions {
  name: ServiceName;
  logger: Logger;
  apiKey: string;
  /** Named checks behind GET /health; the worst one sets the status. */
  checks: () => Promise<Record<string, HealthCheck>> | Record<string, HealthCheck>;
  /** Names of all services in this process (reported by /api/v1/process). */
  colocated?: () => string[];
  /** Extra paths that need no API key. */
  openPaths?: string[];
  bodyLimit?: number;
  /** The schemas and values this service runs with: served masked at GET /api/v1/config (behind the key). */
  config?: () => ConfigPart[];
}

/**
 * The shell every service shares: an HTTP app with GET /health (open), GET /api/v1/process (resource use),
 * GET /api/v1/config when `config` is given (masked effective config), and the API key on everything else.
 * The service adds its routes to `app`.
 */
export function createServiceApp(options: ServiceAppOptions): { app: HttpApp; startedAt: number } {
  const startedAt = Date.now();
  const app = createHttpApp({ logger: options.logger, bodyLimit: options.bodyLimit });
  requireApiKey(app, options.apiKey, ['/health', ...(options.openPaths ?? [])]);
  registerHealthRoute(app, async () => buildHealthReport(options.name, startedAt, await options.checks()));
  app.get('/api/v1/process', async () => sampleProcessMetrics(options.colocated?.() ?? [options.name]));
  if (options.config) registerConfigRoute(app, options.name, options.config);
  return { app, startedAt };
}

/** The port a service listens on: its `<NAME>_PORT` env var, else its default. */
export function servicePort(name: ServiceName, env: Record<string, string | undefined>): number {
  const raw = env[SERVICES[name].portEnv];
  if (raw === undefined || raw === '') return SERVICES[name].port;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${SERVICES[name].portEnv} must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

export { listen };
