import { NotFoundError } from '@homeiq/core';
import type { DiskUse } from './disk';
import type { IngestionStats, SystemHealth } from './types';

export type Severity = 'warning' | 'critical';

export interface Alert {
  /**
   * Stable per condition: `ha-disconnected`, `spool-growing`, `write-errors`, `disk-low`, `backup-failed`,
   * `service-unhealthy:<name>`.
   */
  id: string;
  rule: string;
  severity: Severity;
  message: string;
  active: boolean;
  since: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  acknowledged: boolean;
  acknowledgedAt: string | null;
}

export interface Observation {
  health: SystemHealth;
  stats: IngestionStats | null;
  disk: DiskUse | null;
}

export interface AlertRuleOptions {
  haDisconnectedMs: number;
  spoolGrowingMs: number;
  /** A rejected or dead-lettered write keeps its alert active this long. */
  writeErrorWindowMs: number;
  diskMinFreePercent: number;
  /** A service must stay unhealthy this long before it alerts (services starting up, a restart). */
  serviceGraceMs: number;
  /** Resolved alerts kept for the list, newest first. */
  keepResolved: number;
}

export const DEFAULT_RULES: Omit<AlertRuleOptions, 'diskMinFreePercent'> = {
  haDisconnectedMs: 60_000,
  spoolGrowingMs: 5 * 60_000,
  writeErrorWindowMs: 10 * 60_000,
  serviceGraceMs: 20_000,
  keepResolved: 50,
};

interface Firing {
  id: string;
  rule: string;
  severity: Severity;
  message: string;
}

/**
 * data-retention reports its last backup under the `backup` health check (degraded with `last backup job failed`
 * when it failed). A failed backup is critical even though the service itself keeps running: nothing else says
 * that the home has no fresh backup.
 */
function lastBackupFailure(health: SystemHealth): string | undefined {
  const retention = health.services.find((s) => s.name === 'data-retention');
  const check = retention?.checks.backup;
  if (!check || check.status === 'healthy' || typeof check.reason !== 'string') return undefined;
  if (!/failed/.test(check.reason)) return undefined;
  return `backup failed: ${check.reason.replace(/^last backup job failed: /, '')}`;
}

/**
 * The alert rules. `evaluate` is called periodically with what the collector saw; conditions that need time
 * (disconnected for 60 s, growing for 5 min) are tracked here against the injected clock.
 */
export class AlertEngine {
  private readonly alerts = new Map<string, Alert>();
  private haDownSince: number | undefined;
  private lastPending: number | undefined;
  private lastPendingAt: number | undefined;
  private growingSince: number | undefined;
  private lastErrorCount: number | undefined;
  private lastWriteErrorAt: number | undefined;
  private writeErrorTotal = 0;
  private readonly unhealthySince = new Map<string, number>();

  constructor(
    private readonly rules: AlertRuleOptions,
    private readonly now: () => number,
  ) {}

  evaluate(o: Observation): Alert[] {
    const now = this.now();
    const firing: Firing[] = [];

    const ha = o.health.homeAssistant.connected;
    if (ha === false) this.haDownSince ??= now;
    else if (ha === true) this.haDownSince = undefined;
    if (this.haDownSince !== undefined && now - this.haDownSince >= this.rules.haDisconnectedMs) {
      const seconds = Math.round((now - this.haDownSince) / 1000);
      firing.push({
        id: 'ha-disconnected',
        rule: 'ha-disconnected',
        severity: 'critical',
        message: `Home Assistant disconnected for ${seconds} s: no new events are being received`,
      });
    }

    if (o.stats) this.trackSpool(o.stats, now, firing);
    if (o.stats) this.trackWriteErrors(o.stats, now, firing);

    if (o.disk && o.disk.freePercent < this.rules.diskMinFreePercent) {
      firing.push({
        id: 'disk-low',
        rule: 'disk-low',
        severity: 'critical',
        message: `free disk under ${o.disk.dataDir} is ${o.disk.freePercent}% (below ${this.rules.diskMinFreePercent}%)`,
      });
    }

    const down = new Set<string>();
    for (const s of o.health.services) {
      if (s.status !== 'unhealthy') continue;
      down.add(s.name);
      const since = this.unhealthySince.get(s.name) ?? now;
      this.unhealthySince.set(s.name, since);
      if (now - since < this.rules.serviceGraceMs) continue;
      firing.push({
        id: `service-unhealthy:${s.name}`,
        rule: 'service-unhealthy',
        severity: 'critical',
        message: `${s.name} is ${s.running ? 'unhealthy' : 'not running'}: ${s.reasons.join('; ') || 'no reason given'}`,
      });
    }
    for (const name of this.unhealthySince.keys()) if (!down.has(name)) this.unhealthySince.delete(name);
    const backupFailure = lastBackupFailure(o.health);
    if (backupFailure) {
      firing.push({ id: 'backup-failed', rule: 'backup-failed', severity: 'critical', message: backupFailure });
    }
    if (o.health.influxdb.status === 'unhealthy') {
      firing.push({
        id: 'service-unhealthy:influxdb',
        rule: 'service-unhealthy',
        severity: 'critical',
        message: `InfluxDB is unreachable: ${o.health.influxdb.reason ?? 'no answer'}`,
      });
    }
    this.apply(firing, now);
    return this.list();
  }

  private trackSpool(stats: IngestionStats, now: number, firing: Firing[]): void {
    const pending = stats.pending;
    if (pending === 0 || (this.lastPending !== undefined && pending < this.lastPending)) this.growingSince = undefined;
    // It has been growing since the sample before the first rise.
    else if (this.lastPending !== undefined && pending > this.lastPending) this.growingSince ??= this.lastPendingAt;
    this.lastPending = pending;
    this.lastPendingAt = now;
    if (this.growingSince !== undefined && now - this.growingSince >= this.rules.spoolGrowingMs) {
      const minutes = Math.round((now - this.growingSince) / 60_000);
      const age =
        stats.oldestPendingMs === null ? '' : `, oldest waiting ${Math.round(stats.oldestPendingMs / 1000)} s`;
      firing.push({
        id: 'spool-growing',
        rule: 'spool-growing',
        severity: 'warning',
        message: `the spool has been growing for ${minutes} min: ${pending} events wait for the store${age}`,
      });
    }
  }

  /** Events the store refused for good (dead-lettered), and store outages. Input HA sent malformed is not a write error. */
  private trackWriteErrors(stats: IngestionStats, now: number, firing: Firing[]): void {
    const count = stats.deadLettered ?? 0;
    if (this.lastErrorCount !== undefined && count > this.lastErrorCount) {
      this.writeErrorTotal += count - this.lastErrorCount;
      this.lastWriteErrorAt = now;
    }
    this.lastErrorCount = count;
    const recent = this.lastWriteErrorAt !== undefined && now - this.lastWriteErrorAt < this.rules.writeErrorWindowMs;
    if (!recent) this.writeErrorTotal = 0;
    if (recent || stats.storeOutage === true) {
      const parts: string[] = [];
      if (recent) parts.push(`${this.writeErrorTotal} events refused by the store (kept in the dead-letter file)`);
      if (stats.storeOutage === true) {
        parts.push(
          `the store is failing writes${stats.storeError ? `: ${stats.storeError}` : ''}; events wait in the spool`,
        );
      }
      firing.push({ id: 'write-errors', rule: 'write-errors', severity: 'critical', message: parts.join('; ') });
    }
  }

  private apply(firing: Firing[], now: number): void {
    const iso = new Date(now).toISOString();
    const seen = new Set<string>();
    for (const f of firing) {
      seen.add(f.id);
      const existing = this.alerts.get(f.id);
      if (existing?.active) {
        existing.message = f.message;
        existing.severity = f.severity;
        existing.lastSeenAt = iso;
        continue;
      }
      // New, or fired again after resolving: a fresh alert that needs a fresh acknowledgement.
      this.alerts.set(f.id, {
        ...f,
        active: true,
        since: iso,
        lastSeenAt: iso,
        resolvedAt: null,
        acknowledged: false,
        acknowledgedAt: null,
      });
    }
    for (const alert of this.alerts.values()) {
      if (alert.active && !seen.has(alert.id)) {
        alert.active = false;
        alert.resolvedAt = iso;
      }
    }
    const resolved = [...this.alerts.values()].filter((a) => !a.active).sort(byNewest);
    for (const old of resolved.slice(this.rules.keepResolved)) this.alerts.delete(old.id);
  }

  /** Active alerts first (critical before warning), then resolved ones, newest first. */
  list(): Alert[] {
    const rank = (a: Alert) => (a.active ? 0 : 2) + (a.severity === 'critical' ? 0 : 1);
    return [...this.alerts.values()].sort((a, b) => rank(a) - rank(b) || byNewest(a, b)).map((a) => ({ ...a }));
  }

  acknowledge(id: string): Alert {
    const alert = this.alerts.get(id);
    if (!alert) throw new NotFoundError('alert', id);
    if (!alert.acknowledged) {
      alert.acknowledged = true;
      alert.acknowledgedAt = new Date(this.now()).toISOString();
    }
    return { ...alert };
  }
}

function byNewest(a: Alert, b: Alert): number {
  return (b.resolvedAt ?? b.since).localeCompare(a.resolvedAt ?? a.since);
}
