import type { HttpApp } from '@homeiq/core';
import type { Collector } from '../collector';

/** GET /api/v1/stats: the pipeline at a glance (rates, spool, write latency, error counts) and every uptime. */
export function registerStatsRoutes(app: HttpApp, collector: Collector): void {
  app.get('/api/v1/stats', async () => {
    const health = await collector.health();
    const s = health.stats;
    const ingestion = health.services.find((x) => x.name === 'websocket-ingestion');
    return {
      checkedAt: health.checkedAt,
      ingestion: s
        ? { available: true }
        : { available: false, reason: ingestion?.reasons[0] ?? 'websocket-ingestion is not monitored' },
      eventsPerSecond: s?.eventsPerSecond ?? null,
      spool: s
        ? {
            pending: s.pending,
            bytes: s.spoolBytes,
            maxBytes: s.spoolMaxBytes,
            usedPercent: s.spoolMaxBytes > 0 ? Math.round((s.spoolBytes / s.spoolMaxBytes) * 1000) / 10 : 0,
            oldestPendingMs: s.oldestPendingMs,
          }
        : null,
      writeLatencyMs: s?.writeLatencyMs ?? null,
      store: s ? { outage: s.storeOutage ?? false, error: s.storeError ?? null } : null,
      counts: s
        ? {
            received: s.received,
            stored: s.stored,
            duplicates: s.duplicates,
            backfilled: s.backfilled,
            rejected: s.rejected,
            deadLettered: s.deadLettered,
            truncated: (s.attributesTruncated ?? 0) + (s.statesTruncated ?? 0),
            reconnects: s.reconnects,
          }
        : null,
      homeAssistant: health.homeAssistant,
      simulated: s?.simulated ?? health.homeAssistant.simulated,
      lastEventAt: s?.lastEventAt ?? null,
      uptime: health.services.map((x) => ({ service: x.name, running: x.running, uptimeSeconds: x.uptimeSeconds })),
    };
  });
}
