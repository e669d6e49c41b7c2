import { type HealthCheck, type HealthReport, type HealthStatus, type ServiceName, worstStatus } from '@homeiq/core';
import type { HomeAssistantState, IngestionStats, ServiceHealth, SystemHealth } from './types';
import { getJson, pingInflux, type UpstreamResult } from './upstream';

export interface CollectorOptions {
  services: ServiceName[];
  urlOf: (name: ServiceName) => string;
  local: ReadonlySet<string>;
  apiKey: string;
  timeoutMs: number;
  influxUrl: string | undefined;
  /** admin-api's own report, built without a round trip to itself. */
  selfReport: () => Promise<HealthReport>;
}

/** Without these two nothing is recorded or served: their failure makes the whole system unhealthy. */
const CORE: ServiceName[] = ['websocket-ingestion', 'data-api'];
const HA_CHECK = /^(ha|home[-_ ]?assistant|homeassistant|ha[-_ ]?(connection|websocket))$/i;

export class Collector {
  constructor(private readonly options: CollectorOptions) {}

  async serviceHealth(name: ServiceName): Promise<ServiceHealth> {
    const o = this.options;
    const url = o.urlOf(name);
    const inProcess = o.local.has(name);
    if (name === 'admin-api') {
      const report = await o.selfReport();
      return { name, url, inProcess: true, running: true, responseMs: 0, ...pick(report) };
    }
    const res = await getJson<HealthReport>(url, '/health', { timeoutMs: o.timeoutMs, acceptStatus: [503] });
    const answered = res.ok && typeof res.body?.status === 'string' ? res.body.service : undefined;
    if (res.ok && answered === name) {
      return { name, url, inProcess, running: true, responseMs: res.ms, ...pick(res.body!) };
    }
    // Another service on this URL (a wrong *_URL, or a port taken before this one could bind it) is not this one.
    const reason = !res.ok
      ? res.error
      : answered === undefined
        ? 'answered /health without a health report'
        : `${url} is answered by ${answered}, not ${name}`;
    return {
      name,
      url,
      inProcess,
      running: (res.ok && answered === undefined) || (!res.ok && !res.notRunning),
      status: 'unhealthy',
      reasons: [reason],
      uptimeSeconds: null,
      responseMs: res.ms,
      checks: {},
    };
  }

  ingestionStats(): Promise<UpstreamResult<IngestionStats>> {
    const o = this.options;
    return getJson<IngestionStats>(o.urlOf('websocket-ingestion'), '/api/v1/stats', {
      timeoutMs: o.timeoutMs,
      apiKey: o.apiKey,
    });
  }

  /** Every service's /health in parallel, InfluxDB's /ping, and the Home Assistant connection. */
  async health(): Promise<SystemHealth & { stats: IngestionStats | null }> {
    const o = this.options;
    const watchesIngestion = o.services.includes('websocket-ingestion');
    const [services, influx, stats] = await Promise.all([
      Promise.all(o.services.map((name) => this.serviceHealth(name))),
      o.influxUrl ? pingInflux(o.influxUrl, o.timeoutMs) : Promise.resolve(undefined),
      watchesIngestion ? this.ingestionStats() : Promise.resolve(undefined),
    ]);
    const statsBody = stats?.ok ? stats.body : null;
    const ingestion = services.find((s) => s.name === 'websocket-ingestion');
    const homeAssistant = homeAssistantState(ingestion, statsBody);

    const influxdb: SystemHealth['influxdb'] = !influx
      ? { configured: false, status: 'healthy' }
      : influx.ok
        ? { configured: true, status: 'healthy', responseMs: influx.ms, version: influx.version }
        : { configured: true, status: 'unhealthy', responseMs: influx.ms, reason: influx.error };

    const reasons: string[] = [];
    const levels: HealthStatus[] = [];
    for (const s of services) {
      if (s.status === 'healthy') continue;
      const isCore = CORE.includes(s.name);
      levels.push(isCore && s.status === 'unhealthy' ? 'unhealthy' : 'degraded');
      const what = s.running ? s.reasons.join('; ') || s.status : s.reasons[0];
      reasons.push(`${s.name} ${s.status}: ${what}`);
    }
    if (influxdb.status !== 'healthy') {
      // The spool keeps every event while InfluxDB is away: degraded, not down.
      levels.push('degraded');
      reasons.push(`influxdb unreachable: ${influxdb.reason}`);
    }
    if (homeAssistant.connected === false) {
      levels.push('degraded');
      reasons.push(`home assistant disconnected${homeAssistant.reason ? `: ${homeAssistant.reason}` : ''}`);
    }
    return {
      status: worstStatus(levels),
      reasons,
      checkedAt: new Date().toISOString(),
      services,
      influxdb,
      homeAssistant,
      stats: statsBody,
    };
  }
}

function pick(report: HealthReport): Pick<ServiceHealth, 'status' | 'reasons' | 'uptimeSeconds' | 'checks'> {
  return {
    status: report.status,
    reasons: Array.isArray(report.reasons) ? report.reasons : [],
    uptimeSeconds: typeof report.uptimeSeconds === 'number' ? report.uptimeSeconds : null,
    checks: report.checks ?? {},
  };
}

/** The HA connection from ingestion's health check when it has one, else from its stats. */
export function homeAssistantState(
  ingestion: ServiceHealth | undefined,
  stats: IngestionStats | null,
): HomeAssistantState {
  const simulated = stats ? stats.simulated === true : null;
  const check = Object.entries(ingestion?.checks ?? {}).find(([name]) => HA_CHECK.test(name))?.[1] as
    | HealthCheck
    | undefined;
  if (check) {
    const connected = typeof check.connected === 'boolean' ? check.connected : check.status === 'healthy';
    return { connected, reason: connected ? null : (check.reason ?? null), simulated };
  }
  if (stats && typeof stats.haConnected === 'boolean') {
    return {
      connected: stats.haConnected,
      reason: stats.haConnected ? null : 'websocket-ingestion reports it',
      simulated,
    };
  }
  return {
    connected: null,
    reason: ingestion?.running ? 'not reported' : 'websocket-ingestion is not running',
    simulated,
  };
}
