import type { HttpApp } from '@homeiq/core';
import { collectResources, type ResourceOptions } from '../resources';

/** GET /api/v1/resources: CPU, memory and loop lag per process; data-dir size and free disk; warnings. */
export function registerResourceRoutes(app: HttpApp, options: ResourceOptions): void {
  app.get('/api/v1/resources', async () => collectResources(options));
}
