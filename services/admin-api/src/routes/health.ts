import type { HttpApp } from '@homeiq/core';
import type { Collector } from '../collector';

/** GET /api/v1/health/services: every service, InfluxDB and Home Assistant, checked in parallel now. */
export function registerHealthRoutes(app: HttpApp, collector: Collector): void {
  app.get('/api/v1/health/services', async () => {
    const { stats: _stats, ...health } = await collector.health();
    return health;
  });
}
