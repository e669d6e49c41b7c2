import { bool, type ConfigOf, duration, int, list, optionalStr, secret, url } from '@homeiq/core';
import { DEFAULT_LIMITS } from './event-limits';

/** websocket-ingestion's own variables (BATCH_*, MAX_RETRIES, SPOOL_MAX_BYTES come from the storage schema). */
export const ingestionSchema = {
  haUrl: url(
    'HA_URL',
    'Home Assistant base URL (http(s)://host:8123) or WebSocket URL; unset = simulated home',
    undefined,
    'give the token as HA_TOKEN',
  ),
  haToken: secret('HA_TOKEN', 'Home Assistant long-lived access token'),
  simulated: bool('HOMEIQ_SIMULATED', 'Set by `homeiq start` when it runs against the simulated home', false),
  includeDomains: list('HOMEIQ_INCLUDE_DOMAINS', 'Only these domains (comma-separated); empty = all'),
  includeEntities: list('HOMEIQ_INCLUDE_ENTITIES', 'Only these entity ids or globs (comma-separated); empty = all'),
  excludeDomains: list('HOMEIQ_EXCLUDE_DOMAINS', 'Never these domains'),
  excludeEntities: list('HOMEIQ_EXCLUDE_ENTITIES', 'Never these entity ids or globs (e.g. sensor.*_rssi)'),
  filterFile: optionalStr('HOMEIQ_FILTER_FILE', 'JSON file with include/exclude {domains, entities}; merged with env'),
  initialBackfill: duration(
    'HOMEIQ_INITIAL_BACKFILL',
    'History fetched on the very first start, when the store is empty (0 = none)',
    3_600_000,
  ),
  backfillWindow: duration('HOMEIQ_BACKFILL_WINDOW', 'Time span of one history request while filling a gap', 3_600_000),
  pingInterval: duration('HA_PING_INTERVAL', 'Silence on the link after which a ping is sent', 30_000),
  pingTimeout: duration('HA_PING_TIMEOUT', 'Further silence after a ping before reconnecting', 10_000),
  commandTimeout: duration('HA_COMMAND_TIMEOUT', 'Longest wait for an answer to a command (history: x4)', 30_000),
  recorderCommitInterval: duration(
    'HA_RECORDER_COMMIT_INTERVAL',
    "Home Assistant recorder's commit_interval: history lags by this much, so a gap closes only after it (HA default 5s)",
    5_000,
  ),
  reconnectMax: duration('HA_RECONNECT_MAX', 'Cap of the jittered exponential reconnect backoff', 30_000),
  maxStateBytes: int(
    'MAX_STATE_BYTES',
    'Longest state kept whole, bytes; a longer one is cut to it and the event kept, marked in its attributes',
    DEFAULT_LIMITS.maxStateBytes,
    { min: 255, max: 16 * 1024 * 1024 },
  ),
  maxAttributesBytes: int(
    'MAX_ATTRIBUTES_BYTES',
    'Largest attributes (JSON) kept per event; larger ones are replaced by {"_homeiq_truncated": true, original_bytes}',
    DEFAULT_LIMITS.maxAttributesBytes,
    { min: 1024, max: 64 * 1024 * 1024 },
  ),
  maxAttributesDepth: int(
    'MAX_ATTRIBUTES_DEPTH',
    'Deepest nesting of attributes kept; deeper ones are replaced like oversized ones',
    DEFAULT_LIMITS.maxAttributesDepth,
    { min: 2, max: 1000 },
  ),
};

export type IngestionConfig = ConfigOf<typeof ingestionSchema>;
