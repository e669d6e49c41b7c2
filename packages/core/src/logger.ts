import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = [
  'token',
  'access_token',
  'accessToken',
  'password',
  'secret',
  'secretKey',
  'WEBHOOK_SECRET_KEY',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  'HA_TOKEN',
  'API_KEY',
  'INFLUXDB_TOKEN',
  'INFLUXDB_PASSWORD',
  'WEATHER_API_KEY',
  'DASHBOARD_PASSWORD',
];

export interface LoggerOptions {
  level?: string;
  format?: 'auto' | 'json' | 'pretty';
  name?: string;
  /** For tests: write here instead of stdout. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = {
    paths: [
      ...REDACTED_KEYS,
      ...REDACTED_KEYS.map((k) => `*.${k}`),
      ...REDACTED_KEYS.map((k) => `*.*.${k}`),
      'req.headers.authorization',
      'req.headers["x-api-key"]',
    ],
    censor: '***',
  };
  const base = { level: options.level ?? 'info', redact, name: options.name };
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true && !options.destination);
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(base);
}

/** A logger that discards everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Removes any known secret value from a free-text string before it is logged or returned. */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
