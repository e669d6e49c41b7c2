import { existsSync } from 'node:fs';
import type { Runtime } from '@homeiq/storage';
import { type Clock, systemClock } from './clock';
import { loadRetentionConfig } from './config';
import type { DataRetentionDeps } from './data-retention';

/** data-retention's dependencies from a Runtime (the service and the CLI commands build it the same way). */
export function retentionDeps(runtime: Runtime, clock: Clock = systemClock): DataRetentionDeps {
  const config = loadRetentionConfig(runtime.env);
  const s = runtime.storage;
  const storeId = s.influxUrl
    ? `influxdb:${s.influxUrl}/${s.influxBucket ?? s.influxDatabase}`
    : `sqlite:${runtime.path('events')}`;
  return {
    logger: runtime.logger.child({ service: 'data-retention' }),
    clock,
    dataDir: runtime.common.dataDir,
    config,
    storage: s,
    store: () => runtime.timeSeries(),
    storeId,
    databases: () => {
      const dbs: Record<string, string> = {
        'metadata.db': runtime.path('metadata'),
        'webhooks.db': runtime.path('webhooks'),
      };
      // The embedded time-series database is copied too (restorable as a file); InfluxDB has its own tools.
      if (!s.influxUrl && existsSync(runtime.path('events'))) dbs['homeiq.db'] = runtime.path('events');
      return dbs;
    },
  };
}
