import type { HealthCheck, HealthStatus, ServiceName } from '@homeiq/core';

/** websocket-ingestion's GET /api/v1/stats (fields added later are passed through). */
export interface IngestionStats {
  received: number;
  stored: number;
  pending: number;
  backfilled: number;
  duplicates: number;
  rejected: number;
  deadLettered: number;
  /** Events kept with attributes replaced by a marker / state cut (absent from older ingestion versions). */
  attributesTruncated?: number;
  statesTruncated?: number;
  reconnects: number;
  spoolBytes: number;
  spoolMaxBytes: number;
  oldestPendingMs: number | null;
  writeLatencyMs: { p50: number | null; p99: number | null };
  eventsPerSecond: { now: number; m1: number; h1: number };
  haConnected: boolean;
  lastEventAt: string | number | null;
  simulated: boolean;
  uptimeSeconds: number;
  /** True while the store fails writes and events wait in the spool. */
  storeOutage?: boolean;
  storeError?: string | null;
  haError?: string | null;
}

export interface ServiceHealth {
  name: ServiceName;
  url: string;
  /** Runs in admin-api's own process (`homeiq start`). */
  inProcess: boolean;
  running: boolean;
  status: HealthStatus;
  reasons: string[];
  uptimeSeconds: number | null;
  responseMs: number;
  checks: Record<string, HealthCheck>;
}

export interface HomeAssistantState {
  /** null when websocket-ingestion could not be asked. */
  connected: boolean | null;
  reason: string | null;
  simulated: boolean | null;
}

export interface SystemHealth {
  status: HealthStatus;
  reasons: string[];
  checkedAt: string;
  services: ServiceHealth[];
  influxdb: { configured: boolean; status: HealthStatus; responseMs?: number; version?: string; reason?: string };
  homeAssistant: HomeAssistantState;
}
