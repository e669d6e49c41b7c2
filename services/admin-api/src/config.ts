import { duration, int, list, str } from '@homeiq/core';

/** admin-api's own variables (HEALTH_TIMEOUT_MS, the data dir and the key come from the common schema). */
export const adminSchema = {
  monitoredServices: list(
    'MONITORED_SERVICES',
    'Services admin-api watches (comma-separated); default: those in this process under `homeiq start`, else all',
  ),
  alertInterval: duration('ALERT_INTERVAL', 'How often the alert rules are evaluated', 15_000),
  memoryBudgets: str(
    'MEMORY_BUDGETS',
    'Memory budget per service, e.g. "data-api=128M,websocket-ingestion=256M" (overrides the NUC defaults)',
    '',
  ),
  memoryWarnPercent: int('MEMORY_WARN_PERCENT', 'Warn when a process uses this share of its memory budget', 80, {
    min: 1,
    max: 100,
  }),
  diskMinFreePercent: int('DISK_MIN_FREE_PERCENT', 'Alert when free disk under the data dir falls below this', 10, {
    min: 0,
    max: 100,
  }),
};
