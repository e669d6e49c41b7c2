import {
  buildHealthReport,
  type ConfigPart,
  createServiceApp,
  type HealthCheck,
  type HttpApp,
  type Logger,
  type ServiceName,
} from '@homeiq/core';
import type { DashboardAuth } from '@homeiq/health-dashboard/server/auth/dashboard-auth';
import { mountSignIn } from '@homeiq/health-dashboard/server/auth/mount';
import { DEFAULT_RULES } from './alerts';
import { Collector } from './collector';
import { type DiskUse, diskUse } from './disk';
import { registerAdminMetrics } from './metrics';
import { Monitor } from './monitor';
import { ADMIN_OPENAPI } from './openapi';
import { registerAlertRoutes } from './routes/alerts';
import { registerConfigViewRoute } from './routes/config';
import { registerHealthRoutes } from './routes/health';
import { registerResourceRoutes } from './routes/resources';
import { registerStatsRoutes } from './routes/stats';

export interface AdminDeps {
  logger: Logger;
  apiKey: string;
  /** The services to watch. */
  services: ServiceName[];
  /** Services running in this process. */
  local: ReadonlySet<string>;
  urlOf: (name: ServiceName) => string;
  dataDir: string;
  influxUrl: string | undefined;
  healthTimeoutMs: number;
  alertIntervalMs: number;
  budgets: Record<ServiceName, number>;
  memoryWarnPercent: number;
  diskMinFreePercent: number;
  /** admin-api's own configuration, masked at /api/v1/config. */
  config: () => ConfigPart[];
  /** Injected clock (tests move time on); defaults to Date.now. */
  now?: () => number;
  /** Replaces statfs + directory walk (tests). */
  disk?: () => Promise<DiskUse>;
  /** The dashboard's sign-in, served here at /auth/* when nginx serves the dashboard (Docker): see deploy/nginx.conf. */
  dashboardSignIn?: DashboardAuth;
}

/** Builds admin-api without listening: the shell, the collector, the alert monitor and the routes. */
export function buildAdminApp(deps: AdminDeps): { app: HttpApp; monitor: Monitor; collector: Collector } {
  const now = deps.now ?? Date.now;
  const disk = deps.disk ?? (() => diskUse(deps.dataDir));
  let monitor: Monitor | undefined;
  const checks = (): Record<string, HealthCheck> => {
    const m = monitor;
    if (!m?.lastError) return { alerts: { status: 'healthy', lastEvaluatedAt: m?.lastEvaluatedAt ?? null } };
    return { alerts: { status: 'degraded', reason: `alert evaluation failed: ${m.lastError}` } };
  };
  const { app, startedAt, metrics } = createServiceApp({
    name: 'admin-api',
    logger: deps.logger,
    apiKey: deps.apiKey,
    checks,
    colocated: () => [...deps.local],
    openPaths: deps.dashboardSignIn ? ['/auth/*'] : [],
    // No `config` here: admin-api's /api/v1/config is the aggregate of every service, its own included.
    openApi: ADMIN_OPENAPI,
  });
  const collector = new Collector({
    services: deps.services,
    urlOf: deps.urlOf,
    local: deps.local,
    apiKey: deps.apiKey,
    timeoutMs: deps.healthTimeoutMs,
    influxUrl: deps.influxUrl,
    selfReport: async () => buildHealthReport('admin-api', startedAt, checks()),
  });
  monitor = new Monitor(
    collector,
    disk,
    { ...DEFAULT_RULES, diskMinFreePercent: deps.diskMinFreePercent },
    now,
    deps.alertIntervalMs,
    deps.logger.child({ module: 'alerts' }),
  );
  registerHealthRoutes(app, collector);
  registerStatsRoutes(app, collector);
  registerResourceRoutes(app, {
    services: deps.services,
    local: deps.local,
    urlOf: deps.urlOf,
    apiKey: deps.apiKey,
    timeoutMs: deps.healthTimeoutMs,
    budgets: deps.budgets,
    memoryWarnPercent: deps.memoryWarnPercent,
    diskMinFreePercent: deps.diskMinFreePercent,
    disk,
  });
  registerConfigViewRoute(app, {
    services: deps.services,
    urlOf: deps.urlOf,
    apiKey: deps.apiKey,
    timeoutMs: deps.healthTimeoutMs,
    self: deps.config,
  });
  registerAlertRoutes(app, monitor);
  if (deps.dashboardSignIn) mountSignIn(app, deps.dashboardSignIn);
  const started = monitor;
  registerAdminMetrics(metrics, () => started, disk);
  return { app, monitor, collector };
}
