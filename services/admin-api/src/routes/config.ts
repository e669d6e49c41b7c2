import { buildConfigView, type ConfigPart, type ConfigView, type HttpApp, type ServiceName } from '@homeiq/core';
import { getJson } from '../upstream';

interface Options {
  services: ServiceName[];
  urlOf: (name: ServiceName) => string;
  apiKey: string;
  timeoutMs: number;
  self: () => ConfigPart[];
}

type Entry =
  | { service: ServiceName; available: true; config: ConfigView['config']; descriptions: ConfigView['descriptions'] }
  | { service: ServiceName; available: false; reason: string };

/**
 * GET /api/v1/config: every service's effective configuration as that service reports it (secrets already
 * masked there: they never leave their process). Read-only: nothing here edits env files.
 */
export function registerConfigViewRoute(app: HttpApp, o: Options): void {
  app.get('/api/v1/config', async () => {
    const services = await Promise.all(
      o.services.map(async (service): Promise<Entry> => {
        if (service === 'admin-api') {
          const view = buildConfigView(service, o.self());
          return { service, available: true, config: view.config, descriptions: view.descriptions };
        }
        const res = await getJson<ConfigView>(o.urlOf(service), '/api/v1/config', {
          timeoutMs: o.timeoutMs,
          apiKey: o.apiKey,
        });
        if (!res.ok) {
          const reason = res.status === 404 ? 'this service does not publish its configuration' : res.error;
          return { service, available: false, reason };
        }
        return { service, available: true, config: res.body.config ?? {}, descriptions: res.body.descriptions ?? {} };
      }),
    );
    return { services };
  });
}
