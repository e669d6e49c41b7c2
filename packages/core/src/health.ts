/** The health model every service reports on GET /health. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheck {
  status: HealthStatus;
  /** Why it is not healthy; empty when healthy. */
  reason?: string;
  [detail: string]: unknown;
}

export interface HealthReport {
  service: string;
  status: HealthStatus;
  reasons: string[];
  uptimeSeconds: number;
  version: string;
  checks: Record<string, HealthCheck>;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'healthy';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export function buildHealthReport(
  service: string,
  startedAt: number,
  checks: Record<string, HealthCheck>,
  version = '0.1.0',
): HealthReport {
  const status = worstStatus(Object.values(checks).map((c) => c.status));
  const reasons = Object.entries(checks)
    .filter(([, c]) => c.status !== 'healthy')
    .map(([name, c]) => `${name}: ${c.reason ?? c.status}`);
  return {
    service,
    status,
    reasons,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    version,
    checks,
  };
}
