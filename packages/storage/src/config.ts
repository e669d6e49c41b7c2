import { duration, int, optionalStr, secret, str, url } from '@homeiq/core';
import { haLayoutSchema } from './ha-layout-config';

export const storageSchema = {
  influxUrl: url(
    'INFLUXDB_URL',
    'InfluxDB base URL; when set it is the time-series store, else the embedded SQLite store',
    undefined,
    'set INFLUXDB_USERNAME and INFLUXDB_PASSWORD (InfluxDB 1.x) or INFLUXDB_TOKEN (2.x) instead',
  ),
  influxToken: secret('INFLUXDB_TOKEN', 'InfluxDB 2.x token: with ORG and BUCKET selects the v2 write API'),
  influxOrg: optionalStr('INFLUXDB_ORG', 'InfluxDB 2.x organisation'),
  influxBucket: optionalStr('INFLUXDB_BUCKET', 'InfluxDB 2.x bucket'),
  influxDatabase: str('INFLUXDB_DATABASE', 'InfluxDB v1 database (created when missing)', 'home_assistant_events'),
  influxUsername: optionalStr('INFLUXDB_USERNAME', 'InfluxDB v1 user'),
  influxPassword: secret('INFLUXDB_PASSWORD', 'InfluxDB v1 password'),
  ...haLayoutSchema,
  batchSize: int('BATCH_SIZE', 'Events per store write', 500, { min: 1, max: 100_000 }),
  batchTimeout: duration('BATCH_TIMEOUT', 'Longest an event waits for its batch (a bare number is seconds)', 3000),
  maxRetries: int('MAX_RETRIES', 'Quick retries of a failed write before outage mode', 3, { min: 0, max: 100 }),
  spoolMaxBytes: int('SPOOL_MAX_BYTES', 'Disk quota of the durable spool, bytes', 2 * 1024 ** 3, { min: 1024 }),
};

/** Files under HOMEIQ_DATA_DIR. */
export const DATA_FILES = {
  events: 'homeiq.db',
  metadata: 'metadata.db',
  webhooks: 'webhooks.db',
  spool: 'spool',
  deadLetter: 'dead-letter.jsonl',
  backups: 'backups',
  // websocket-ingestion: the start of a gap not yet filled, so a crash does not forget it
  openGap: 'open-gap.json',
} as const;

/** The seed's SQLite pragmas, applied to every database HomeIQ opens. */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'cache_size = -32000',
  'temp_store = MEMORY',
  'foreign_keys = ON',
  'busy_timeout = 30000',
] as const;
