import { useEffect, useState } from 'react';
import { api, usePoll } from '../api';
import { type Alert, AlertList } from '../components/alert-list';
import { type ServiceHealth, ServiceTiles } from '../components/service-tiles';
import { TimeChart } from '../components/time-chart';
import { Card, ErrorNote, Loading, Stat, type Status, StatusBadge } from '../components/ui';
import { bytes, duration, num } from '../format';

interface SystemHealth {
  status: Status;
  reasons: string[];
  services: ServiceHealth[];
  influxdb: { configured: boolean; status: Status; reason?: string };
  homeAssistant: { connected: boolean | null; reason: string | null; simulated: boolean | null };
}

export interface AdminStats {
  eventsPerSecond: { now: number; m1: number; h1: number } | null;
  spool: {
    pending: number;
    bytes: number;
    maxBytes: number;
    usedPercent: number;
    oldestPendingMs: number | null;
  } | null;
  writeLatencyMs: { p50: number | null; p99: number | null } | null;
  counts: Record<string, number> | null;
  simulated: boolean | null;
  ingestion: { available: boolean; reason?: string };
}

const WINDOW = 900; // samples kept for the live chart: 30 min at one per 2 s

/** events/s samples, kept across tab switches for as long as the page is open. */
const rateHistory = { x: [] as number[], y: [] as number[] };

function useRateHistory(stats: AdminStats | undefined) {
  const [, bump] = useState(0);
  useEffect(() => {
    const rate = stats?.eventsPerSecond?.now;
    if (rate === undefined) return;
    rateHistory.x = [...rateHistory.x, Date.now() / 1000].slice(-WINDOW);
    rateHistory.y = [...rateHistory.y, rate].slice(-WINDOW);
    bump((n) => n + 1);
  }, [stats]);
  return rateHistory;
}

export function Overview() {
  const health = usePoll<SystemHealth>('admin/v1/health/services', 5000);
  const stats = usePoll<AdminStats>('admin/v1/stats', 2000);
  const alerts = usePoll<{ alerts: Alert[] }>('admin/v1/alerts', 5000);
  const [acking, setAcking] = useState<string | null>(null);
  const rate = useRateHistory(stats.data);
  const s = stats.data;

  const ack = async (id: string) => {
    setAcking(id);
    try {
      await api(`admin/v1/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST' });
      alerts.reload();
    } finally {
      setAcking(null);
    }
  };

  return (
    <div className="grid">
      <Card
        title="System"
        wide
        testId="system"
        actions={health.data ? <StatusBadge status={health.data.status} /> : undefined}
      >
        <Loading when={health.loading} />
        <ErrorNote error={health.error} />
        {health.data ? (
          <>
            {health.data.reasons.length > 0 ? (
              <ul className="reasons">
                {health.data.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            ) : null}
            <p className="muted">
              Home Assistant:{' '}
              {health.data.homeAssistant.connected === null
                ? 'unknown'
                : health.data.homeAssistant.connected
                  ? 'connected'
                  : `disconnected${health.data.homeAssistant.reason ? ` (${health.data.homeAssistant.reason})` : ''}`}
              {health.data.influxdb.configured ? ` · InfluxDB: ${health.data.influxdb.status}` : ' · embedded store'}
            </p>
            <ServiceTiles services={health.data.services} />
          </>
        ) : null}
      </Card>

      <Card title="Events per second" wide testId="rate">
        <ErrorNote error={stats.error} />
        {s && !s.ingestion.available ? <p className="error">{s.ingestion.reason}</p> : null}
        <div className="stats">
          <Stat label="now" value={num(s?.eventsPerSecond?.now)} testId="eps-now" />
          <Stat label="last minute" value={num(s?.eventsPerSecond?.m1)} />
          <Stat label="last hour" value={num(s?.eventsPerSecond?.h1)} />
          <Stat label="stored" value={num(s?.counts?.stored)} testId="stored" />
        </div>
        <TimeChart x={rate.x} series={[{ label: 'events/s', values: rate.y }]} height={180} testId="rate-chart" />
      </Card>

      <Card title="Spool and store" testId="spool">
        <div className="stats">
          <Stat label="waiting" value={num(s?.spool?.pending)} testId="spool-pending" />
          <Stat
            label="spool"
            value={s?.spool ? `${bytes(s.spool.bytes)} / ${bytes(s.spool.maxBytes)}` : '–'}
            hint="Disk used by the durable spool, of its quota"
          />
          <Stat
            label="oldest waiting"
            value={s?.spool?.oldestPendingMs == null ? '–' : duration(s.spool.oldestPendingMs / 1000)}
          />
          <Stat label="write p50" value={s?.writeLatencyMs?.p50 == null ? '–' : `${num(s.writeLatencyMs.p50)} ms`} />
          <Stat label="write p99" value={s?.writeLatencyMs?.p99 == null ? '–' : `${num(s.writeLatencyMs.p99)} ms`} />
          <Stat label="backfilled" value={num(s?.counts?.backfilled)} />
          <Stat label="rejected" value={num(s?.counts?.rejected)} />
          <Stat label="dead-lettered" value={num(s?.counts?.deadLettered)} />
          <Stat
            label="truncated"
            value={num(s?.counts?.truncated)}
            hint="Events kept with oversized or too deeply nested attributes (or state) replaced by a marker"
            testId="truncated"
          />
        </div>
      </Card>

      <Card title="Alerts" testId="alerts">
        <ErrorNote error={alerts.error} />
        {alerts.data ? <AlertList alerts={alerts.data.alerts} onAck={ack} busy={acking} /> : null}
      </Card>
    </div>
  );
}
