import {
  commonSchema,
  configPart,
  isServiceName,
  listen,
  loadConfig,
  SERVICE_NAMES,
  type Service,
  type ServiceName,
  servicePort,
  serviceUrl,
  ValidationError,
} from '@homeiq/core';
import { signInFromEnv } from '@homeiq/health-dashboard/server/auth/mount';
import type { Runtime } from '@homeiq/storage';
import { storageSchema } from '@homeiq/storage/config';
import { buildAdminApp } from './app';
import { parseBudgets } from './budgets';
import { adminSchema } from './config';

export { buildAdminApp } from './app';

/** Which services to watch: MONITORED_SERVICES, else those sharing this process under `homeiq start`, else all. */
function monitored(listed: string[], local: ReadonlySet<string>): ServiceName[] {
  for (const name of listed) {
    if (!isServiceName(name)) throw new ValidationError('MONITORED_SERVICES', `unknown service "${name}"`);
  }
  if (listed.length > 0) return listed as ServiceName[];
  const here = SERVICE_NAMES.filter((n) => local.has(n));
  return here.length > 1 ? here : [...SERVICE_NAMES];
}

export function createService(runtime: Runtime): Service {
  const config = loadConfig(adminSchema, runtime.env);
  const logger = runtime.logger.child({ service: 'admin-api' });
  const { app, monitor } = buildAdminApp({
    logger,
    apiKey: runtime.apiKey,
    services: monitored(config.monitoredServices, runtime.local),
    local: runtime.local,
    urlOf: (name) => serviceUrl(name, runtime.env),
    // Split deployment (the dashboard is nginx elsewhere): nginx asks here for sign-in and sessions.
    dashboardSignIn: runtime.local.has('health-dashboard') ? undefined : signInFromEnv(runtime.apiKey, runtime.env),
    dataDir: runtime.common.dataDir,
    influxUrl: runtime.storage.influxUrl,
    healthTimeoutMs: runtime.common.healthTimeout,
    alertIntervalMs: config.alertInterval,
    budgets: parseBudgets(config.memoryBudgets),
    memoryWarnPercent: config.memoryWarnPercent,
    diskMinFreePercent: config.diskMinFreePercent,
    config: () => [
      configPart(commonSchema, runtime.common),
      configPart(storageSchema, runtime.storage),
      configPart(adminSchema, config),
    ],
  });
  let port: number | undefined;
  return {
    name: 'admin-api',
    app,
    get port() {
      return port;
    },
    async start() {
      port = await listen(app, servicePort('admin-api', runtime.env), runtime.common.httpHost);
      monitor.start();
    },
    async stop() {
      monitor.stop();
      await app.close();
    },
  };
}
