import { gaugeFrom, labelledGaugeFrom, type MetricsRegistry } from '@homeiq/core';
import type { DiskUse } from './disk';
import type { Monitor } from './monitor';

/** admin-api's metrics: its alert states and the disk under the data dir, read at scrape time. */
export function registerAdminMetrics(
  registry: MetricsRegistry,
  monitor: () => Monitor,
  disk: () => Promise<DiskUse>,
): void {
  labelledGaugeFrom(
    registry,
    'homeiq_admin_alerts_active',
    'Active alerts by rule and severity (0 once resolved)',
    ['rule', 'severity'],
    () => {
      const counts = new Map<string, { labels: Record<string, string>; value: number }>();
      for (const alert of monitor().engine.list()) {
        const key = `${alert.rule}\u0000${alert.severity}`;
        const entry = counts.get(key) ?? { labels: { rule: alert.rule, severity: alert.severity }, value: 0 };
        if (alert.active) entry.value++;
        counts.set(key, entry);
      }
      return [...counts.values()];
    },
  );
  gaugeFrom(
    registry,
    'homeiq_admin_alerts_last_evaluation_timestamp_seconds',
    'When the alert rules last ran (0: not yet)',
    () => (monitor().lastEvaluatedAt ?? 0) / 1000,
  );
  gaugeFrom(registry, 'homeiq_admin_alert_evaluation_failing', '1 while evaluating the alert rules fails', () =>
    monitor().lastError ? 1 : 0,
  );
  // One disk sample per scrape feeds the three disk gauges.
  let sample: { at: number; use: Promise<DiskUse | null> } | undefined;
  const current = () => {
    if (!sample || Date.now() - sample.at > 1000) sample = { at: Date.now(), use: disk().catch(() => null) };
    return sample.use;
  };
  gaugeFrom(
    registry,
    'homeiq_disk_free_bytes',
    'Free bytes on the file system of the data dir',
    async () => (await current())?.freeBytes ?? Number.NaN,
  );
  gaugeFrom(
    registry,
    'homeiq_disk_size_bytes',
    'Size of the file system of the data dir',
    async () => (await current())?.totalBytes ?? Number.NaN,
  );
  gaugeFrom(
    registry,
    'homeiq_data_dir_bytes',
    'Bytes under the data dir (SQLite files, spool, backups)',
    async () => (await current())?.dataDirBytes ?? Number.NaN,
  );
}
