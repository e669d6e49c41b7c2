import { commonSchema, configPart, listen, loadConfig, type Service, servicePort, serviceUrl } from '@homeiq/core';
import type { Runtime } from '@homeiq/storage';
import { buildDashboardApp } from './server/app';
import { signInFromEnv } from './server/auth/mount';
import { buildApp, DEFAULT_DIST, isStale } from './server/build';
import { dashboardSchema } from './server/config';

export { buildDashboardApp } from './server/app';

/** The built-in static server `homeiq start` runs: the React app, and the API proxy that holds the key. */
export function createService(runtime: Runtime): Service {
  const config = loadConfig(dashboardSchema, runtime.env);
  const logger = runtime.logger.child({ service: 'health-dashboard' });
  const distDir = config.distDir || DEFAULT_DIST;
  const app = buildDashboardApp({
    logger,
    apiKey: runtime.apiKey,
    distDir,
    urlOf: (name) => serviceUrl(name, runtime.env),
    colocated: () => [...runtime.local],
    config: () => [configPart(commonSchema, runtime.common), configPart(dashboardSchema, config)],
    auth: signInFromEnv(runtime.apiKey, runtime.env),
  });
  let port: number | undefined;
  return {
    name: 'health-dashboard',
    app,
    get port() {
      return port;
    },
    async start() {
      if (config.build === 'auto' && isStale(distDir)) await buildApp(distDir, logger);
      port = await listen(app, servicePort('health-dashboard', runtime.env), runtime.common.httpHost);
    },
    async stop() {
      await app.close();
    },
  };
}
