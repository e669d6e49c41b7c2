import type { HealthCheck } from '@homeiq/core';
import type { HaConnection } from '@homeiq/ha';
import type { EventPipeline } from '@homeiq/storage';
import type { Ingestion } from './ingestion';
import type { LagTracker } from './lag-tracker';
import type { Normalizer } from './normalize';

export interface IngestionStats {
  received: number;
  stored: number;
  pending: number;
  backfilled: number;
  duplicates: number;
  rejected: number;
  deadLettered: number;
  deadLetterFailures: number;
  /** Set while refused events cannot be written to the dead letter (they wait in the spool). */
  deadLetterError: string | null;
  filtered: number;
  /** Events kept with their attributes replaced by a marker (over MAX_ATTRIBUTES_BYTES or MAX_ATTRIBUTES_DEPTH). */
  attributesTruncated: number;
  /** Events kept with their state cut to MAX_STATE_BYTES. */
  statesTruncated: number;
  reconnects: number;
  pauses: number;
  spoolFailures: number;
  spoolBytes: number;
  spoolMaxBytes: number;
  oldestPendingMs: number | null;
  writeLatencyMs: { p50: number | null; p99: number | null };
  /** From last_updated (HA's time fired) to committed, live events only. */
  lagMs: { p50: number | null; p99: number | null };
  eventsPerSecond: { now: number; m1: number; h1: number };
  haConnected: boolean;
  haState: string;
  haVersion: string | null;
  haError: string | null;
  storeOutage: boolean;
  storeError: string | null;
  backfillPending: boolean;
  lastEventAt: string | null;
  simulated: boolean;
  uptimeSeconds: number;
}

export interface StatsSources {
  connection: HaConnection;
  pipeline: EventPipeline;
  ingestion: Ingestion;
  normalizer: Normalizer;
  lag: LagTracker;
  simulated: boolean;
  startedAt: number;
}

export function collectStats(s: StatsSources): IngestionStats {
  const p = s.pipeline.stats();
  const i = s.ingestion.ingestor;
  const lag = s.lag.percentiles();
  return {
    received: i.counters.received,
    stored: p.stored,
    pending: p.pending,
    backfilled: i.counters.backfilled,
    duplicates: p.duplicates,
    rejected: i.counters.rejected,
    deadLettered: p.deadLettered,
    deadLetterFailures: p.deadLetterFailures,
    deadLetterError: p.deadLetterError,
    filtered: s.normalizer.filtered,
    attributesTruncated: s.normalizer.truncated.attributes,
    statesTruncated: s.normalizer.truncated.states,
    reconnects: s.connection.counters.reconnects,
    pauses: i.counters.pauses,
    spoolFailures: i.counters.spoolFailures,
    spoolBytes: p.spoolBytes,
    spoolMaxBytes: p.spoolMaxBytes,
    oldestPendingMs: p.oldestPendingMs,
    writeLatencyMs: p.writeLatencyMs,
    lagMs: { p50: lag.p50, p99: lag.p99 },
    eventsPerSecond: i.rates.snapshot(),
    haConnected: s.connection.connected,
    haState: s.connection.state,
    haVersion: s.connection.haVersion ?? null,
    haError: s.connection.connected ? null : s.connection.lastError,
    storeOutage: p.outage,
    storeError: p.lastError,
    backfillPending: s.ingestion.backfill.pending,
    lastEventAt: i.lastEventAt === null ? null : new Date(i.lastEventAt).toISOString(),
    simulated: s.simulated,
    uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000),
  };
}

/** GET /health: degraded (with the reason) when HA is away, the token was refused, the store fails, the spool fills. */
export function healthChecks(s: StatsSources): Record<string, HealthCheck> {
  const st = collectStats(s);
  const ha: HealthCheck = s.ingestion.authError
    ? { status: 'degraded', reason: `auth failed: ${s.ingestion.authError.message}` }
    : st.haConnected
      ? { status: 'healthy' }
      : { status: 'degraded', reason: `Home Assistant disconnected (${st.haState}): ${st.haError ?? 'connecting'}` };
  ha.url = s.connection.endpoint;
  ha.haVersion = st.haVersion;
  ha.simulated = st.simulated;
  if (st.simulated) ha.note = 'running against the SIMULATED Home Assistant: set HA_URL and HA_TOKEN to use yours';
  const store: HealthCheck = st.deadLetterError
    ? { status: 'degraded', reason: `${st.deadLetterError}; refused events wait in the spool` }
    : st.storeOutage
      ? { status: 'degraded', reason: `store failing: ${st.storeError ?? 'unreachable'}; events wait in the spool` }
      : { status: 'healthy' };
  store.pending = st.pending;
  store.stored = st.stored;
  const ratio = st.spoolMaxBytes > 0 ? st.spoolBytes / st.spoolMaxBytes : 0;
  const failure = s.ingestion.ingestor.lastSpoolFailure;
  const spool: HealthCheck =
    failure && Date.now() - failure.at < 60_000
      ? { status: 'degraded', reason: `spool not writable: ${failure.message}` }
      : ratio > 0.8
        ? {
            status: 'degraded',
            reason: `spool at ${Math.round(ratio * 100)}% of SPOOL_MAX_BYTES${st.pauses > 0 ? '; reading paused when full' : ''}`,
          }
        : { status: 'healthy' };
  spool.bytes = st.spoolBytes;
  spool.maxBytes = st.spoolMaxBytes;
  const backfill = s.ingestion.backfill;
  const gaps: HealthCheck = backfill.historyUnavailable
    ? { status: 'degraded', reason: backfill.lastError ?? 'history unavailable' }
    : { status: 'healthy' };
  gaps.pending = backfill.pending;
  gaps.lastAccepted = backfill.lastAccepted;
  return { home_assistant: ha, store, spool, backfill: gaps };
}
