import { type ConfigPart, createServiceApp, type HttpApp } from '@homeiq/core';
import { DataRetention, type DataRetentionDeps } from './data-retention';
import { registerRetentionMetrics } from './metrics';
import { RETENTION_OPENAPI } from './openapi';
import { registerBackupRoutes } from './routes/backups';
import { registerJobRoutes } from './routes/jobs';
import { registerPolicyRoutes } from './routes/policies';

export interface RetentionAppDeps extends DataRetentionDeps {
  apiKey: string;
  colocated?: () => string[];
  configView?: () => ConfigPart[];
}

/** Builds data-retention without listening or starting its schedules. */
export function buildRetentionApp(deps: RetentionAppDeps): { app: HttpApp; service: DataRetention } {
  const service = new DataRetention(deps);
  const { app, metrics } = createServiceApp({
    name: 'data-retention',
    logger: deps.logger,
    apiKey: deps.apiKey,
    checks: () => service.health(),
    colocated: deps.colocated,
    config: deps.configView,
    openApi: RETENTION_OPENAPI,
  });
  registerRetentionMetrics(metrics, service);
  registerPolicyRoutes(app, service);
  registerBackupRoutes(app, service);
  registerJobRoutes(app, service);
  return { app, service };
}
