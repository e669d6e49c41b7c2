import { type ConfigOf, maskedConfig, type Schema } from './config';
import type { HttpApp } from './http';

/** One schema and its parsed values: a part of a service's effective configuration. */
export interface ConfigPart {
  schema: Schema;
  config: Record<string, unknown>;
}

/** Pairs a schema with its parsed config (keeps the two in step at the call site). */
export function configPart<S extends Schema>(schema: S, config: ConfigOf<S>): ConfigPart {
  return { schema, config: config as Record<string, unknown> };
}

/** What GET /api/v1/config answers: env name -> value, secrets as "***" (null when unset). */
export interface ConfigView {
  service: string;
  config: Record<string, unknown>;
  descriptions: Record<string, string>;
}

// Belt and braces: a variable whose name says it is a secret is masked even if its schema forgot to mark it.
const SECRET_NAME = /(TOKEN|PASSWORD|SECRET|(^|_)KEY$|API_KEY)/i;

export function buildConfigView(service: string, parts: ConfigPart[]): ConfigView {
  const config: Record<string, unknown> = {};
  const descriptions: Record<string, string> = {};
  for (const part of parts) {
    const masked = maskedConfig(part.schema, part.config as ConfigOf<Schema>);
    for (const field of Object.values(part.schema)) {
      const value = masked[field.env];
      config[field.env] = SECRET_NAME.test(field.env) && value !== null && value !== undefined ? '***' : value;
      descriptions[field.env] = field.description;
    }
  }
  return { service, config, descriptions };
}

/** GET /api/v1/config: the effective configuration with every secret masked. */
export function registerConfigRoute(app: HttpApp, service: string, parts: () => ConfigPart[]): void {
  app.get('/api/v1/config', async () => buildConfigView(service, parts()));
}
