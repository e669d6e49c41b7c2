import {
  counterFrom,
  gaugeFrom,
  Histogram,
  LATENCY_BUCKETS,
  labelledGaugeFrom,
  type MetricsRegistry,
} from '@homeiq/core';
import type { EventPipeline } from '@homeiq/storage';
import { collectStats, type IngestionStats, type StatsSources } from './stats';

const P = 'homeiq_ingestion_';
const HA_STATES = ['idle', 'connecting', 'connected', 'disconnected', 'auth_failed', 'closed'];

/** One stats snapshot per scrape (collect callbacks run one after another within a scrape). */
function snapshots(sources: () => StatsSources | undefined): () => IngestionStats | undefined {
  let cached: { at: number; stats: IngestionStats } | undefined;
  return () => {
    const s = sources();
    if (!s) return undefined;
    const now = Date.now();
    if (!cached || now - cached.at > 250) cached = { at: now, stats: collectStats(s) };
    return cached.stats;
  };
}

type Numeric = { [K in keyof IngestionStats]: IngestionStats[K] extends number ? K : never }[keyof IngestionStats];

const COUNTERS: Array<[Numeric, string, string]> = [
  ['received', 'events_received_total', 'state_changed events received from Home Assistant (live)'],
  ['stored', 'events_stored_total', 'Events committed to the time-series store'],
  ['backfilled', 'events_backfilled_total', 'Events recovered from Home Assistant history after a gap'],
  ['rejected', 'events_rejected_total', 'Malformed or unexpected messages from Home Assistant'],
  ['duplicates', 'duplicates_skipped_total', 'Events the store already had (replays, backfill overlap)'],
  ['deadLettered', 'events_dead_lettered_total', 'Events the store refused for good (dead-letter file)'],
  ['deadLetterFailures', 'dead_letter_failures_total', 'Failed dead-letter writes (events kept, retried)'],
  ['attributesTruncated', 'attributes_truncated_total', 'Events kept with attributes replaced by a marker (limits)'],
  ['statesTruncated', 'states_truncated_total', 'Events whose state was cut to MAX_STATE_BYTES'],
  ['filtered', 'events_filtered_total', 'Events dropped by the include/exclude filters'],
  ['reconnects', 'ha_reconnects_total', 'Reconnections to Home Assistant'],
  ['pauses', 'read_pauses_total', 'Times reading paused because the spool was full'],
  ['spoolFailures', 'spool_failures_total', 'Frames that could not be spooled (recovered by backfill)'],
];

const GAUGES: Array<[Numeric, string, string]> = [
  ['pending', 'events_pending', 'Events spooled and not yet stored'],
  ['spoolBytes', 'spool_bytes', 'Bytes in the durable spool'],
  ['spoolMaxBytes', 'spool_max_bytes', 'Spool quota (SPOOL_MAX_BYTES)'],
];

/**
 * websocket-ingestion's metrics. Everything is read at scrape time from the counters the hot path already keeps;
 * the only thing observed as it happens is the duration of each batch write (once per batch, never per event).
 */
export function registerIngestionMetrics(
  registry: MetricsRegistry,
  sources: () => StatsSources | undefined,
): {
  observe(pipeline: EventPipeline): void;
} {
  const stats = snapshots(sources);
  for (const [key, name, help] of COUNTERS) counterFrom(registry, P + name, help, () => stats()?.[key] ?? 0);
  for (const [key, name, help] of GAUGES) gaugeFrom(registry, P + name, help, () => stats()?.[key] ?? 0);
  const flag = (name: string, help: string, read: (s: IngestionStats) => boolean) =>
    gaugeFrom(registry, P + name, help, () => {
      const s = stats();
      return s && read(s) ? 1 : 0;
    });
  flag('ha_connected', '1 while connected to Home Assistant', (s) => s.haConnected);
  flag('store_outage', '1 while the store is failing and events wait in the spool', (s) => s.storeOutage);
  flag('backfill_pending', '1 while a gap is open and not yet filled from HA history', (s) => s.backfillPending);
  flag('backfill_failing', '1 while the last backfill attempt failed (it is retried)', () =>
    Boolean(sources()?.ingestion.backfill.lastError),
  );
  labelledGaugeFrom(
    registry,
    `${P}ha_connection_state`,
    'The Home Assistant link state: 1 for the current one',
    ['state'],
    () => {
      const current = sources()?.connection.state ?? 'idle';
      return HA_STATES.map((state) => ({ labels: { state }, value: state === current ? 1 : 0 }));
    },
  );
  gaugeFrom(
    registry,
    `${P}oldest_pending_seconds`,
    'Age of the oldest event not yet stored',
    () => (stats()?.oldestPendingMs ?? 0) / 1000,
  );
  gaugeFrom(registry, `${P}last_event_timestamp_seconds`, 'When the newest event was received (0: none yet)', () => {
    const at = stats()?.lastEventAt;
    return at ? Date.parse(at) / 1000 : 0;
  });
  counterFrom(
    registry,
    `${P}backfill_runs_total`,
    'Backfills from HA history that succeeded',
    () => sources()?.ingestion.backfill.runs ?? 0,
  );
  gaugeFrom(
    registry,
    `${P}backfill_last_success_timestamp_seconds`,
    'When a backfill last succeeded (0: never)',
    () => {
      const at = sources()?.ingestion.backfill.lastRunAt;
      return at ? at / 1000 : 0;
    },
  );
  counterFrom(
    registry,
    `${P}store_writes_total`,
    'Batch writes the store accepted',
    () => sources()?.pipeline.stats().writes ?? 0,
  );
  counterFrom(
    registry,
    `${P}store_write_failures_total`,
    'Batch writes that failed (each is retried)',
    () => sources()?.pipeline.stats().retries ?? 0,
  );
  const writes = new Histogram({
    name: `${P}batch_write_duration_seconds`,
    help: 'Duration of one batch write to the time-series store, by outcome',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const ok = writes.labels('ok');
  const failed = writes.labels('failed');
  return {
    observe: (pipeline) => void pipeline.onWrite((seconds, success) => (success ? ok : failed).observe(seconds)),
  };
}
