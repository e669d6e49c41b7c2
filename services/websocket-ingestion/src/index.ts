import type { Service } from '@homeiq/core';
import type { Runtime } from '@homeiq/storage';
import { createIngestionService } from './app';

export { createIngestionService, filterRules, ingestionConfig } from './app';
export { ingestionSchema } from './config';
export type { IngestionStats } from './stats';

/** The service factory `homeiq start` loads. */
export function createService(runtime: Runtime): Service {
  return createIngestionService(runtime);
}
