import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Service, ServiceName } from '@homeiq/core';
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

export async function loadServiceFactory(name: ServiceName): Promise<ServiceFactory> {
  const mod = (await import(`@homeiq/${name}`)) as { createService?: ServiceFactory };
  if (typeof mod.createService !== 'function') throw new Error(`@homeiq/${name} does not export createService`);
  return mod.createService;
}
