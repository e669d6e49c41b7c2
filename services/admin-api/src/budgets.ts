import { isServiceName, type ServiceName, ValidationError } from '@homeiq/core';

const MiB = 1024 * 1024;

/**
 * Memory limits per service on the NUC (the Docker Compose limits): the seed's figures for ingestion, data-api,
 * admin-api and the dashboard; the rest sized for a Node process that holds a few caches.
 */
export const DEFAULT_BUDGETS: Record<ServiceName, number> = {
  'websocket-ingestion': 256 * MiB,
  'data-api': 128 * MiB,
  'admin-api': 128 * MiB,
  'health-dashboard': 64 * MiB,
  'data-retention': 256 * MiB,
  'weather-api': 128 * MiB,
  'sports-data': 128 * MiB,
};

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([kmg])?i?b?$/i;
const UNIT: Record<string, number> = { k: 1024, m: MiB, g: 1024 * MiB };

/** Parses "data-api=128M,websocket-ingestion=0.5G" over the defaults. */
export function parseBudgets(raw: string): Record<ServiceName, number> {
  const out = { ...DEFAULT_BUDGETS };
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (!item) continue;
    const [name = '', size = ''] = item.split('=').map((s) => s.trim());
    if (!isServiceName(name)) throw new ValidationError('MEMORY_BUDGETS', `unknown service "${name}"`);
    const match = SIZE_RE.exec(size);
    if (!match) throw new ValidationError('MEMORY_BUDGETS', `"${size}" is not a size like 128M for ${name}`);
    out[name] = Math.round(Number(match[1]) * (UNIT[(match[2] ?? '').toLowerCase()] ?? 1));
  }
  return out;
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / MiB)} MiB`;
}
