import { readFileSync } from 'node:fs';
import { bool, ConfigError, type ConfigOf, duration, list, oneOf, optionalStr, secret, str, url } from '@homeiq/core';

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
    'Password for dashboard sign-in (at least 8 characters; the API key always works)',
  ),
  passwordFile: optionalStr(
    'DASHBOARD_PASSWORD_FILE',
    'File holding the dashboard password (instead of DASHBOARD_PASSWORD)',
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
  trustProxy: bool(
    'DASHBOARD_TRUST_PROXY',
    'Believe X-Forwarded-Proto/-For (set only behind a reverse proxy that sets them)',
    false,
  ),
};

export type DashboardConfig = ConfigOf<typeof dashboardSchema>;

const MIN_PASSWORD = 8;

/** The dashboard password from DASHBOARD_PASSWORD or DASHBOARD_PASSWORD_FILE (one of them), checked at start. */
export function dashboardPassword(config: DashboardConfig): string | undefined {
  if (config.password !== undefined && config.passwordFile !== undefined) {
    throw new ConfigError(['DASHBOARD_PASSWORD and DASHBOARD_PASSWORD_FILE are both set: set one']);
  }
  let password = config.password;
  if (config.passwordFile !== undefined) {
    try {
      password = readFileSync(config.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError([`DASHBOARD_PASSWORD_FILE cannot be read (${code}): ${config.passwordFile}`]);
    }
  }
  if (password !== undefined && password.length < MIN_PASSWORD) {
    const field = config.passwordFile !== undefined ? 'DASHBOARD_PASSWORD_FILE' : 'DASHBOARD_PASSWORD';
    throw new ConfigError([`${field} must be at least ${MIN_PASSWORD} characters, got ${password.length}`]);
  }
  return password;
}
