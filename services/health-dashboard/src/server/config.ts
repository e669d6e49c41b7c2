import { bool, ConfigError, type ConfigOf, duration, list, oneOf, secret, str, url } from '@homeiq/core';

export const dashboardSchema = {
  build: oneOf(
    'DASHBOARD_BUILD',
    'auto: build the app on start when dist/ is missing or older than its sources; never: serve dist/ as it is',
    ['auto', 'never'],
    'auto',
  ),
  distDir: str('DASHBOARD_DIST', 'Folder of the built app (default: the package dist/)', ''),
  password: secret(
    'DASHBOARD_PASSWORD',
    'Password for dashboard sign-in (at least 8 characters; the API key always works; or DASHBOARD_PASSWORD_FILE)',
  ),
  haUrl: url(
    'DASHBOARD_HA_URL',
    'Home Assistant as the browser reaches it: enables "Sign in with Home Assistant" (off when unset)',
  ),
  allowedHosts: list(
    'DASHBOARD_ALLOWED_HOSTS',
    "Host names the dashboard answers to (DNS rebinding guard); default: this machine's names and addresses and localhost",
  ),
  sessionIdle: duration('DASHBOARD_SESSION_IDLE', 'A dashboard session ends after this long unused', 12 * 3_600_000),
  sessionMax: duration('DASHBOARD_SESSION_MAX', 'A dashboard session ends this long after sign-in', 7 * 86_400_000),
  ingressFrom: list(
    'DASHBOARD_INGRESS_FROM',
    'Home Assistant ingress: addresses of the Supervisor (the add-on sets 172.30.32.2); requests from them that carry X-Ingress-Path count as signed in, as Home Assistant signed the user in (off when empty)',
  ),
  trustProxy: bool(
    'DASHBOARD_TRUST_PROXY',
    'Believe X-Forwarded-Proto/-For (set only behind a reverse proxy that sets them)',
    false,
  ),
};

export type DashboardConfig = ConfigOf<typeof dashboardSchema>;

const MIN_PASSWORD = 8;

/** The dashboard password (DASHBOARD_PASSWORD, or the file DASHBOARD_PASSWORD_FILE names), checked at start. */
export function dashboardPassword(config: DashboardConfig): string | undefined {
  const password = config.password;
  if (password !== undefined && password.length < MIN_PASSWORD) {
    throw new ConfigError([`DASHBOARD_PASSWORD must be at least ${MIN_PASSWORD} characters, got ${password.length}`]);
  }
  return password;
}
