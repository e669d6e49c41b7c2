import { duration, int, oneOf, secret, str } from './config';

/** Variables every service reads. Service-specific ones live beside each service. */
export const commonSchema = {
  dataDir: str('HOMEIQ_DATA_DIR', 'Folder for SQLite files, spool, API key and backups', './data'),
  logLevel: oneOf('LOG_LEVEL', 'Log level', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info'),
  logFormat: oneOf(
    'LOG_FORMAT',
    'json, or pretty for people (default: pretty on a terminal)',
    ['auto', 'json', 'pretty'],
    'auto',
  ),
  apiKey: secret(
    'API_KEY',
    'Bearer key for every API but /health, at least 24 characters; generated into the data dir when unset',
    { minLength: 24 },
  ),
  httpHost: str('HOMEIQ_HOST', 'Address the HTTP servers bind to', '0.0.0.0'),
  shutdownTimeout: duration('SHUTDOWN_TIMEOUT', 'How long a stop may take before the process exits anyway', 10_000),
  healthTimeout: int('HEALTH_TIMEOUT_MS', 'Timeout for one service health probe', 2000, { min: 50 }),
};
