import { gaugeFrom, Histogram, labelledGaugeFrom, type MetricsRegistry } from '@homeiq/core';
import type { DataRetention } from './data-retention';
import type { JobKind } from './jobs/runner';

const KINDS: JobKind[] = ['statistics', 'retention', 'backup', 'restore'];
/** Jobs take from milliseconds (a 5-minute statistics window) to an hour (a backup of years of events). */
const JOB_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/**
 * data-retention's metrics: job durations by kind and outcome, when each kind last succeeded, and the backups on
 * disk (read from the backup folder at scrape time, so they survive a restart).
 */
export function registerRetentionMetrics(registry: MetricsRegistry, service: DataRetention): void {
  const durations = new Histogram({
    name: 'homeiq_retention_job_duration_seconds',
    help: 'Duration of data-retention jobs by kind and outcome',
    labelNames: ['kind', 'outcome'],
    buckets: JOB_BUCKETS,
    registers: [registry],
  });
  const lastSuccess = new Map<JobKind, number>();
  service.runner.onFinish((record) => {
    durations.observe({ kind: record.kind, outcome: record.state }, (record.duration_ms ?? 0) / 1000);
    if (record.state === 'succeeded' && record.finished_at)
      lastSuccess.set(record.kind, Date.parse(record.finished_at) / 1000);
  });
  labelledGaugeFrom(
    registry,
    'homeiq_retention_job_last_success_timestamp_seconds',
    'When a job of this kind last succeeded in this process (absent: not yet); backups: see homeiq_backup_last_timestamp_seconds',
    ['kind'],
    () =>
      KINDS.filter((k) => lastSuccess.has(k)).map((kind) => ({ labels: { kind }, value: lastSuccess.get(kind) ?? 0 })),
  );
  labelledGaugeFrom(registry, 'homeiq_retention_job_running', '1 while a job of this kind runs', ['kind'], () =>
    KINDS.map((kind) => ({ labels: { kind }, value: service.runner.isRunning(kind) ? 1 : 0 })),
  );
  // One listing of the backup folder per scrape feeds the backup gauges.
  let listing: { at: number; backups: ReturnType<DataRetention['backups']['list']> } | undefined;
  const backups = () => {
    if (!listing || Date.now() - listing.at > 1000) listing = { at: Date.now(), backups: service.backups.list() };
    return listing.backups;
  };
  gaugeFrom(
    registry,
    'homeiq_backup_last_timestamp_seconds',
    'When the newest backup on disk was taken (0: none)',
    () => {
      const newest = backups()[0];
      return newest ? Date.parse(newest.created_at) / 1000 : 0;
    },
  );
  gaugeFrom(registry, 'homeiq_backup_last_size_bytes', 'Size of the newest backup', () => backups()[0]?.bytes ?? 0);
  gaugeFrom(registry, 'homeiq_backups_size_bytes', 'Size of all kept backups', () =>
    backups().reduce((sum, b) => sum + b.bytes, 0),
  );
  gaugeFrom(registry, 'homeiq_backups', 'Backups kept on disk', () => backups().length);
}
