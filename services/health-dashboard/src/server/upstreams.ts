import type { ServiceName } from '@homeiq/core';

/**
 * Browser path prefix -> the service behind it: /api/<prefix>/<rest> is proxied to <service>/api/<rest>, except
 * /api/<prefix>/docs/... and /api/<prefix>/openapi.json, which go to the service's /docs/... and /openapi.json.
 */
export const PROXY_ROUTES: Record<string, ServiceName> = {
  data: 'data-api',
  admin: 'admin-api',
  retention: 'data-retention',
  weather: 'weather-api',
  sports: 'sports-data',
  ingestion: 'websocket-ingestion',
};

/** Maps a browser URL to the upstream service and path, or undefined when it is not a proxied path. */
export function proxyTarget(url: string): { service: ServiceName; path: string } | undefined {
  const match = /^\/api\/([a-z]+)(\/[^?#]*)?(\?.*)?$/.exec(url);
  if (!match) return undefined;
  const service = PROXY_ROUTES[match[1] ?? ''];
  if (!service) return undefined;
  const rest = match[2] ?? '/';
  // Reject dot segments so /api/data/../../x cannot climb out of /api on the upstream.
  if (/(^|\/)\.\.?(\/|$)/.test(rest) || rest.includes('%2e') || rest.includes('%2E')) return undefined;
  // A service's API docs live at its root (/docs, /openapi.json), not under /api.
  const atRoot = /^\/(docs(\/|$)|openapi\.json$)/.test(rest);
  return { service, path: `${atRoot ? '' : '/api'}${rest}${match[3] ?? ''}` };
}
