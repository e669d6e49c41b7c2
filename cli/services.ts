import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Service, type ServiceName } from '@homeiq/core';
import type { Runtime } from '@homeiq/storage';

/** Every service package exports `createService(runtime)`. */
export type ServiceFactory = (runtime: Runtime) => Service;

/** Start order: sinks and readers first, the source (websocket-ingestion) last; stop in reverse. */
export const START_ORDER: ServiceName[] = [
  'data-api',
  'data-retention',
  'sports-data',
  'weather-api',
  'admin-api',
  'health-dashboard',
  'websocket-ingestion',
];

const servicesDir = fileURLToPath(new URL('../services/', import.meta.url));

export function serviceExists(name: ServiceName): boolean {
  return existsSync(`${servicesDir}${name}/src/index.ts`);
}

type Env = Record<string, string | undefined>;

/** Each service's own configuration check (its schema and cross-field rules); throws a ConfigError. */
const CONFIG_CHECKS: Record<ServiceName, () => Promise<(env: Env) => unknown>> = {
  'websocket-ingestion': async () => {
    const { ingestionSchema } = await import('@homeiq/websocket-ingestion/config');
    return (env) => loadConfig(ingestionSchema, env);
  },
  'data-api': async () => {
    const { dataApiSchema } = await import('@homeiq/data-api/config');
    return (env) => loadConfig(dataApiSchema, env);
  },
  'admin-api': async () => {
    const { adminSchema } = await import('@homeiq/admin-api/config');
    return (env) => loadConfig(adminSchema, env);
  },
  'data-retention': async () => (await import('@homeiq/data-retention/config')).loadRetentionConfig,
  'weather-api': async () => (await import('@homeiq/weather-api/config')).loadWeatherConfig,
  'sports-data': async () => (await import('@homeiq/sports-data/config')).loadSportsConfig,
  'health-dashboard': async () => {
    const { dashboardSchema } = await import('@homeiq/health-dashboard/server/config');
    return (env) => loadConfig(dashboardSchema, env);
  },
};

export function loadConfigCheck(name: ServiceName): Promise<(env: Env) => unknown> {
  return CONFIG_CHECKS[name]();
}

export async function loadServiceFactory(name: ServiceName): Promise<ServiceFactory> {
  const mod = (await import(`@homeiq/${name}`)) as { createService?: ServiceFactory };
  if (typeof mod.createService !== 'function') throw new Error(`@homeiq/${name} does not export createService`);
  return mod.createService;
}
