import { commonSchema, configPart, listen, type Service, servicePort } from '@homeiq/core';
import type { Runtime } from '@homeiq/storage';
import { storageSchema } from '@homeiq/storage/config';
import { buildRetentionApp } from './app';
import { retentionSchema } from './config';
import { retentionDeps } from './runtime-deps';

export { buildRetentionApp } from './app';
export { DataRetention } from './data-retention';
export { retentionDeps } from './runtime-deps';

/** data-retention: statistics, retention tiers, backups and restore on port 8080 (DATA_RETENTION_PORT). */
export function createService(runtime: Runtime): Service {
  const deps = retentionDeps(runtime);
  const { app, service } = buildRetentionApp({
    ...deps,
    apiKey: runtime.apiKey,
    colocated: () => [...runtime.local],
    configView: () => [
      configPart(commonSchema, runtime.common),
      configPart(storageSchema, runtime.storage),
      configPart(retentionSchema, deps.config),
    ],
  });
  let port: number | undefined;
  return {
    name: 'data-retention',
    app,
    get port() {
      return port;
    },
    async start() {
      port = await listen(app, servicePort('data-retention', runtime.env), runtime.common.httpHost);
      service.start();
    },
    async stop() {
      await service.stop();
      await app.close();
    },
  };
}
