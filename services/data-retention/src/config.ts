import { ConfigError, type ConfigOf, duration, int, list, loadConfig, optionalStr, str } from '@homeiq/core';

/** data-retention's own variables (the data dir, API key and store come from the common and storage schemas). */
export const retentionSchema = {
  rawDays: int('RETENTION_RAW_DAYS', 'Days raw events (and weather/sports points) are kept; 0 = forever', 365, {
    min: 0,
    max: 36_500,
  }),
  shortTermDays: int('RETENTION_SHORT_TERM_DAYS', 'Days 5-minute statistics are kept; 0 = forever', 730, {
    min: 0,
    max: 36_500,
  }),
  hourlyDays: int('RETENTION_HOURLY_DAYS', 'Days hourly statistics are kept; 0 = forever', 0, { min: 0, max: 36_500 }),
  retentionMeasurements: list(
    'RETENTION_MEASUREMENTS',
    'Other measurements the raw tier applies to (comma-separated); default weather,sports_data',
  ),
  retentionSchedule: str(
    'RETENTION_SCHEDULE',
    'Local time of day of the daily retention job (HH:MM), or "off"',
    '04:00',
  ),
  statisticsDelay: duration(
    'STATISTICS_DELAY',
    'How long after a 5-minute window closes its statistics are compiled (lets the last batch land)',
    15_000,
  ),
  statisticsLateArrival: duration(
    'STATISTICS_LATE_ARRIVAL',
    'Events arriving up to this late still reach their statistics (recent windows are recompiled each run)',
    15 * 60_000,
  ),
  statisticsBackfillDays: int(
    'STATISTICS_BACKFILL_DAYS',
    'On the very first run, how many days of existing events are compiled into statistics',
    10,
    { min: 0, max: 36_500 },
  ),
  backupDir: optionalStr('BACKUP_DIR', 'Where backups are written (default <HOMEIQ_DATA_DIR>/backups)'),
  backupSchedule: str('BACKUP_SCHEDULE', 'Local time of day of the daily backup (HH:MM), or "off"', '03:00'),
  backupInterval: duration('BACKUP_INTERVAL', 'Take a backup this often instead of daily at BACKUP_SCHEDULE', 0),
  backupKeep: int('BACKUP_KEEP', 'How many backups are kept (older ones are deleted after a new one succeeds)', 7, {
    min: 1,
    max: 1000,
  }),
};

export type RetentionConfig = ConfigOf<typeof retentionSchema>;

/** "HH:MM" -> minutes after midnight; null for "off". Undefined when malformed. */
export function parseTimeOfDay(raw: string): number | null | undefined {
  const v = raw.trim().toLowerCase();
  if (v === 'off' || v === 'never' || v === 'disabled') return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(v);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : undefined;
}

/** Loads and cross-checks the schema; every problem is reported at once. */
export function loadRetentionConfig(env: Record<string, string | undefined>): RetentionConfig {
  const config = loadConfig(retentionSchema, env);
  const problems: string[] = [];
  for (const [name, value] of [
    ['RETENTION_SCHEDULE', config.retentionSchedule],
    ['BACKUP_SCHEDULE', config.backupSchedule],
  ] as const) {
    if (parseTimeOfDay(value) === undefined)
      problems.push(`${name} must be a time of day like 03:30, or off, got "${value}"`);
  }
  if (config.backupInterval !== 0 && config.backupInterval < 60_000) {
    problems.push(`BACKUP_INTERVAL must be at least 1m, got ${config.backupInterval} ms`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (config.retentionMeasurements.length === 0) config.retentionMeasurements = ['weather', 'sports_data'];
  return config;
}
