/** The services HomeIQ is made of, their default ports and the env var that overrides each. */
export const SERVICES = {
  'websocket-ingestion': { port: 8001, portEnv: 'WEBSOCKET_INGESTION_PORT' },
  'data-api': { port: 8006, portEnv: 'DATA_API_PORT' },
  'admin-api': { port: 8004, portEnv: 'ADMIN_API_PORT' },
  'data-retention': { port: 8080, portEnv: 'DATA_RETENTION_PORT' },
  'weather-api': { port: 8009, portEnv: 'WEATHER_API_PORT' },
  'sports-data': { port: 8005, portEnv: 'SPORTS_DATA_PORT' },
  'health-dashboard': { port: 3000, portEnv: 'HEALTH_DASHBOARD_PORT' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICES, name);
}

/** Env var holding another service's base URL when services run split, e.g. DATA_API_URL. */
export function serviceUrlEnv(name: ServiceName): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** Where a service listens: `<NAME>_URL` when set (split deployment), else localhost on its configured port. */
export function serviceUrl(name: ServiceName, env: Record<string, string | undefined> = process.env): string {
  const explicit = env[serviceUrlEnv(name)];
  if (explicit) return explicit.replace(/\/+$/, '');
  const { port, portEnv } = SERVICES[name];
  return `http://127.0.0.1:${env[portEnv] || port}`;
}
