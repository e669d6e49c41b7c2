import { join } from 'node:path';
import { ConfigError } from '@homeiq/core';
import { readOptionsFile } from './options';

type Env = Record<string, string | undefined>;

/** Where the Supervisor connects from for ingress (its documented address on the hassio network). */
export const SUPERVISOR_INGRESS_ADDRESS = '172.30.32.2';

/**
 * The environment of HomeIQ running as an add-on: the user's options from <data>/options.json, the data kept
 * in the add-on's /data (part of Home Assistant's backups of the add-on), and, unless HA_URL is set, Home
 * Assistant reached through the Supervisor's proxy (ws://supervisor/core/websocket) with SUPERVISOR_TOKEN as the
 * access token. HOMEIQ_ADDON_DATA and HOMEIQ_SUPERVISOR_URL replace /data and http://supervisor (for tests).
 */
export function addonEnvironment(env: Env): Record<string, string> {
  const dataDir = env.HOMEIQ_ADDON_DATA || '/data';
  const out: Record<string, string> = { HOMEIQ_DATA_DIR: dataDir, ...readOptionsFile(join(dataDir, 'options.json')) };
  if (!env.HA_URL) {
    const token = env.SUPERVISOR_TOKEN;
    if (!token) {
      throw new ConfigError([
        'SUPERVISOR_TOKEN is not set: the add-on needs `homeassistant_api: true` in its config.yaml (or set HA_URL and HA_TOKEN)',
      ]);
    }
    const supervisor = new URL(env.HOMEIQ_SUPERVISOR_URL || 'http://supervisor');
    supervisor.protocol = supervisor.protocol === 'https:' ? 'wss:' : 'ws:';
    supervisor.pathname = '/core/websocket';
    out.HA_URL = supervisor.toString();
    out.HA_TOKEN = token;
  }
  out.DASHBOARD_INGRESS_FROM = env.DASHBOARD_INGRESS_FROM || SUPERVISOR_INGRESS_ADDRESS;
  return out;
}
